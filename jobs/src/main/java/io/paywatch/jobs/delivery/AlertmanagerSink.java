package io.paywatch.jobs.delivery;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paywatch.jobs.alerting.Inhibition;
import io.paywatch.model.Alert;
import io.paywatch.model.AlertJson;
import io.paywatch.model.RuleSettings;
import io.paywatch.model.Timestamps;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PayWatch as a client of Prometheus Alertmanager ({@code --alertmanager-url}): alerts are POSTed
 * to {@code /api/v2/alerts} with labels, annotations, {@code startsAt}, {@code endsAt} and
 * {@code generatorURL}. As Alertmanager expects of its clients, firing alerts are sent again
 * periodically with an {@code endsAt} a few periods ahead (so they expire if PayWatch stops), and
 * a resolution is sent with its {@code endsAt}. Firing alerts and unsent resolutions are part of
 * the checkpoint, so a restarted job carries on sending them. Run at parallelism 1.
 *
 * <p>A {@code failure_rate} alert also carries the label {@code cause_channel} (its channel; for a
 * merchant, the channel with most of its failures, {@link Inhibition#causeChannel}), for
 * Alertmanager's inhibit rules. Alertmanager knows an alert by its label set, so the label is
 * fixed when the incident first reaches this sink and kept (in the checkpoint) until its
 * resolution is sent: a later transition with other evidence stays the same alert.
 *
 * <p>A channel's resolution is held until the watermark passes its instant. PayWatch routes a
 * channel's alert before the merchants' of the same instant (the cause before its effects), but
 * Alertmanager's inhibit rule mutes a merchant only while a channel alert of its cause channel is
 * active (whichever of the channel's rules, and whether or not PayWatch inhibited the merchant):
 * posted first, the channel's resolution would leave the merchants that resolve at the same
 * instant unmuted until their own resolutions are posted, and a group flush in that moment would
 * page for them. Every alert of an instant reaches this sink before the watermark that passes it,
 * so the merchants' resolutions go first; a merchant's resolution that could not be sent goes in
 * the same post as the channel's, before it.
 */
public class AlertmanagerSink implements Sink<Alert>, SupportsWriterState<Alert, List<String>> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(AlertmanagerSink.class);
    private static final JsonFactory JSON = io.paywatch.model.JsonLines.FACTORY;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** The sink's name in metrics. */
    public static final String SINK = "alertmanager";

    private final String baseUrl;
    private final long resendMs;

    public AlertmanagerSink(String baseUrl, long resendMs) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.resendMs = resendMs;
    }

    @Override
    public SinkWriter<Alert> createWriter(WriterInitContext context) {
        return restoreWriter(context, List.of());
    }

    @Override
    public StatefulSinkWriter<Alert, List<String>> restoreWriter(WriterInitContext context,
            Collection<List<String>> recovered) {
        Writer w = new Writer(baseUrl, resendMs);
        for (List<String> state : recovered) {
            for (String json : state) {
                w.restore(json);
            }
        }
        w.health.register(context.metricGroup());
        ProcessingTimeService time = context.getProcessingTimeService();
        w.schedule(time);
        return w;
    }

    @Override
    public SimpleVersionedSerializer<List<String>> getWriterStateSerializer() {
        return new io.paywatch.jobs.sinks.StringListStateSerializer();
    }

    /** The writer; package-private for tests that drive it without Flink. */
    static final class Writer implements StatefulSinkWriter<Alert, List<String>> {
        final Map<String, Alert> firing = new LinkedHashMap<>();
        final List<Alert> unsentResolutions = new ArrayList<>();
        /** Channels' resolutions, until the watermark passes their instant. */
        final List<Alert> heldResolutions = new ArrayList<>();
        /** Alert id → its cause_channel label, from the incident's first transition here to its resolution. */
        final Map<String, String> causeChannels = new HashMap<>();
        private final String url;
        private final long resendMs;
        private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        /** Alerts of the last post that failed, waiting for the next resend; 0 after a success. */
        private volatile int waiting;
        final io.paywatch.jobs.metrics.SinkHealth health =
                new io.paywatch.jobs.metrics.SinkHealth(SINK).buffered(() -> waiting);

        Writer(String baseUrl, long resendMs) {
            this.url = baseUrl + "/api/v2/alerts";
            this.resendMs = resendMs;
        }

        void schedule(ProcessingTimeService time) {
            time.registerTimer(time.getCurrentProcessingTime() + resendMs, t -> {
                resend(System.currentTimeMillis());
                schedule(time);
            });
        }

        void restore(String alertJson) {
            JsonNode n = parse(alertJson);
            Alert a = fromJson(n);
            String cause = causeChannelOf(n);
            if (cause != null) {
                causeChannels.put(a.alertId, cause);
            }
            if (Alert.FIRING.equals(a.status)) {
                firing.put(a.alertId, a);
            } else {
                unsentResolutions.add(a);
            }
        }

        @Override
        public void write(Alert a, Context context) {
            long now = System.currentTimeMillis();
            boolean known = firing.containsKey(a.alertId) || causeChannels.containsKey(a.alertId);
            if (!known) {
                // a new incident here: its label set is fixed now (restored incidents keep theirs)
                String cause = Inhibition.causeChannel(a);
                if (cause != null) {
                    causeChannels.put(a.alertId, cause);
                }
            }
            if (Alert.FIRING.equals(a.status)) {
                firing.put(a.alertId, a);
            } else {
                firing.remove(a.alertId);
                if (isChannelAlert(a)) {
                    heldResolutions.add(a); // the effects of this instant resolve first
                    return;
                }
            }
            boolean sent = post(List.of(a), now);
            if (Alert.RESOLVED.equals(a.status)) {
                if (sent) {
                    causeChannels.remove(a.alertId);
                } else {
                    unsentResolutions.add(a);
                }
            }
        }

        private static boolean isChannelAlert(Alert a) {
            return a.scope.containsKey(RuleSettings.SCOPE_CHANNEL) && !a.scope.containsKey(RuleSettings.SCOPE_MERCHANT);
        }

        /** Every alert of the instants the watermark passed has been written: held resolutions go. */
        @Override
        public void writeWatermark(Watermark watermark) {
            if (heldResolutions.isEmpty()) {
                return;
            }
            List<Alert> due = new ArrayList<>();
            heldResolutions.removeIf(r -> r.transitionTime() <= watermark.getTimestamp() && due.add(r));
            if (due.isEmpty()) {
                return;
            }
            // resolutions that could not be sent (a merchant's of this instant among them) first
            List<Alert> posted = new ArrayList<>(unsentResolutions);
            posted.addAll(due);
            if (post(posted, System.currentTimeMillis())) {
                posted.forEach(r -> causeChannels.remove(r.alertId));
                unsentResolutions.clear();
            } else {
                unsentResolutions.addAll(due);
            }
        }

        /** Sends every firing alert again (and resolutions that could not be sent). */
        void resend(long now) {
            List<Alert> all = new ArrayList<>(unsentResolutions);
            all.addAll(firing.values());
            if (all.isEmpty()) {
                return;
            }
            if (post(all, now)) {
                unsentResolutions.forEach(r -> causeChannels.remove(r.alertId));
                unsentResolutions.clear();
            }
        }

        private boolean post(List<Alert> alerts, long now) {
            String body = postable(alerts, now, resendMs, causeChannels);
            for (int attempt = 1; attempt <= 3; attempt++) {
                try {
                    HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(url))
                            .timeout(Duration.ofSeconds(10))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(),
                            HttpResponse.BodyHandlers.discarding());
                    if (r.statusCode() / 100 == 2) {
                        health.succeeded(alerts.size());
                        waiting = 0;
                        return true;
                    }
                    if (r.statusCode() / 100 == 4) {
                        LOG.warn("Alertmanager {} refused {} alert(s): HTTP {}", url, alerts.size(), r.statusCode());
                        health.failed(false);
                        return true; // it will not change its mind: do not resend this payload forever
                    }
                    health.failed();
                } catch (IOException e) {
                    health.failed();
                    LOG.debug("Alertmanager {} unreachable (attempt {}): {}", url, attempt, e.toString());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
                if (attempt < 3) {
                    health.retried();
                }
                try {
                    Thread.sleep(250L << attempt); // short: the periodic resend catches up later
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            LOG.warn("Alertmanager {} unreachable: {} alert(s) will be sent again in {} s", url,
                    alerts.size(), resendMs / 1000);
            waiting = alerts.size();
            return false;
        }

        @Override
        public void flush(boolean endOfInput) {
            if (endOfInput) {
                unsentResolutions.addAll(heldResolutions);
                heldResolutions.clear();
                resend(System.currentTimeMillis());
            }
        }

        @Override
        public List<List<String>> snapshotState(long checkpointId) {
            List<String> state = new ArrayList<>();
            firing.values().forEach(a -> state.add(withCauseChannel(a, causeChannels.get(a.alertId))));
            unsentResolutions.forEach(a -> state.add(withCauseChannel(a, causeChannels.get(a.alertId))));
            // restored as unsent resolutions: posted at the first resend
            heldResolutions.forEach(a -> state.add(withCauseChannel(a, causeChannels.get(a.alertId))));
            return state.isEmpty() ? List.of() : List.of(state);
        }

        @Override
        public void close() {
            health.unregister();
        }
    }

    /**
     * Alertmanager API v2 PostableAlerts. A firing alert's {@code endsAt} lies three resend periods
     * ahead (wall clock): Alertmanager resolves it by itself if PayWatch stops sending.
     */
    static String postable(List<Alert> alerts, long now, long resendMs) {
        return postable(alerts, now, resendMs, Map.of());
    }

    /** As above, each alert with its {@code cause_channel} label from {@code causeChannels}, if any. */
    static String postable(List<Alert> alerts, long now, long resendMs, Map<String, String> causeChannels) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartArray();
            for (Alert a : alerts) {
                g.writeStartObject();
                g.writeObjectFieldStart("labels");
                WebhookFormat.labels(g, a);
                String cause = causeChannels.get(a.alertId);
                if (cause != null) {
                    g.writeStringField(CAUSE_CHANNEL, cause);
                }
                g.writeEndObject();
                g.writeObjectFieldStart("annotations");
                WebhookFormat.annotations(g, a);
                g.writeEndObject();
                g.writeStringField("startsAt", Timestamps.rfc3339(a.startsAt));
                g.writeStringField("endsAt", Timestamps.rfc3339(Alert.RESOLVED.equals(a.status)
                        && a.endsAt != null ? a.endsAt : now + 3 * resendMs));
                g.writeStringField("generatorURL", "http://paywatch/alerts/" + a.alertId);
                g.writeEndObject();
            }
            g.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** The label naming the channel that causes a failure_rate incident. */
    public static final String CAUSE_CHANNEL = "cause_channel";

    /** An entry of the writer's state: the alert's JSON, with its cause_channel first when it has one. */
    static String withCauseChannel(Alert a, String cause) {
        String json = AlertJson.toJson(a);
        if (cause == null) {
            return json;
        }
        try {
            return "{\"" + CAUSE_CHANNEL + "\":" + MAPPER.writeValueAsString(cause) + "," + json.substring(1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The cause_channel of a state entry (null in one without, as written before it existed). */
    static String causeChannelOf(String stateEntry) {
        return causeChannelOf(parse(stateEntry));
    }

    private static String causeChannelOf(JsonNode stateEntry) {
        JsonNode n = stateEntry.path(CAUSE_CHANNEL);
        return n.isTextual() ? n.asText() : null;
    }

    private static JsonNode parse(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Back from the contract's JSON (the writer's checkpointed state). */
    static Alert fromJson(String json) {
        return fromJson(parse(json));
    }

    private static Alert fromJson(JsonNode n) {
        Alert a = new Alert();
        a.alertId = n.path("alert_id").asText();
        a.rule = n.path("rule").asText();
        a.status = n.path("status").asText();
        a.severity = n.path("severity").asText();
        n.path("scope").fields().forEachRemaining(e -> a.scope.put(e.getKey(), e.getValue().asText()));
        a.startsAt = java.time.Instant.parse(n.path("starts_at").asText()).toEpochMilli();
        if (n.has("ends_at")) {
            a.endsAt = java.time.Instant.parse(n.path("ends_at").asText()).toEpochMilli();
        }
        a.transitionAt = java.time.Instant.parse(n.path("transition_at").asText()).toEpochMilli();
        a.value = n.has("value") ? n.path("value").asDouble() : null;
        a.threshold = n.has("threshold") ? n.path("threshold").asDouble() : null;
        a.summary = n.path("summary").asText();
        a.recommendedAction = n.has("recommended_action") ? n.path("recommended_action").asText() : null;
        a.inhibitedBy = n.has("inhibited_by") ? n.path("inhibited_by").asText() : null;
        return a;
    }
}
