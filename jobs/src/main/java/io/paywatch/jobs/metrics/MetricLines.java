package io.paywatch.jobs.metrics;

import com.influxdb.client.domain.WritePrecision;
import com.influxdb.client.write.Point;
import io.paywatch.jobs.alerting.FailureRateAlerts;
import io.paywatch.jobs.ingest.InputHealth;
import io.paywatch.jobs.rates.FailureCounts;
import io.paywatch.jobs.rates.RateSnapshot;
import io.paywatch.model.Alert;
import io.paywatch.model.Category;
import io.paywatch.model.Durations;
import io.paywatch.model.PlainText;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Renders PayWatch's outputs as InfluxDB line protocol (contract section 5) with
 * influxdb-client-java's {@link Point}, which does the escaping. Event-time timestamps in ms;
 * tags are low-cardinality only.
 */
public final class MetricLines {
    public static final String RATE = "paywatch_rate";
    public static final String CODE = "paywatch_code";
    public static final String ALERT = "paywatch_alert";
    public static final String INPUT = "paywatch_input";
    public static final String DELIVERY = "paywatch_delivery";
    public static final String SINK = "paywatch_sink";

    private static final io.paywatch.model.ReturnCodeCatalog CATALOG =
            io.paywatch.model.ReturnCodeCatalog.defaultCatalog();

    private MetricLines() {}

    /** A {@code paywatch_rate} point, plus {@code paywatch_code} points for channel scope. */
    public static List<String> of(RateSnapshot s, String runId) {
        List<String> lines = new ArrayList<>(4);
        FailureCounts c = s.counts;
        Point p = Point.measurement(RATE)
                .addTag("scope", s.scope)
                .addTag(FailureRateAlerts.scopeKey(s.scope), tag(s.key))
                .addTag("window", Durations.format(s.windowMs))
                .addField("total", (long) c.total)
                .addField("failed", (long) c.failed)
                .addField("failure_rate", c.failureRate())
                .addField("system_failure_rate", c.systemFailureRate());
        for (Category cat : Category.ALL) {
            p.addField(cat.wireName(), (long) c.count(cat));
        }
        // the adaptive rules' baselines, where the key has one (contract section 3b)
        if (s.baselineFailureRate != null) {
            p.addField("baseline_failure_rate", s.baselineFailureRate);
        }
        if (s.baselineVolume != null) {
            p.addField("baseline_volume", s.baselineVolume);
        }
        lines.add(finish(p, s.time, runId));
        if (RateSnapshot.CHANNEL.equals(s.scope)) {
            for (int i = 0; i < c.codes.length; i++) {
                lines.add(finish(Point.measurement(CODE)
                        .addTag("scope", s.scope)
                        .addTag("channel", tag(s.key))
                        .addTag("code", tag(c.codes[i]))
                        .addTag("category", c.categoryOfCode(i).wireName())
                        // one meaning per code: low cardinality, and boards can show it
                        .addTag("meaning", CATALOG.meaningOf(c.codes[i]))
                        .addField("count", (long) c.codeCounts[i]), s.time, runId));
            }
        }
        return lines;
    }

    public static String of(Alert a, String runId) {
        Point p = Point.measurement(ALERT)
                .addTag("rule", a.rule)
                .addTag("severity", a.severity)
                .addTag("status", a.status);
        boolean highCardinalityScope = false;
        for (Map.Entry<String, String> e : a.scope.entrySet()) {
            // only low-cardinality scope keys become tags; the rest stay in the summary
            if (e.getKey().equals("merchant_id") || e.getKey().equals("channel")) {
                p.addTag(e.getKey(), tag(e.getValue()));
            } else {
                highCardinalityScope = true;
            }
        }
        if (a.silencedBy != null) {
            p.addTag("silenced", "true");
        }
        if (a.flapping) {
            p.addTag("flapping", "true");
        }
        if (highCardinalityScope) {
            // two cards or orders alerting in the same millisecond must not overwrite each
            // other's point: 256 shards by alert id keep series few and collisions unlikely
            p.addTag("shard", a.alertId.substring(a.alertId.length() - 2));
        }
        p.addField("value", a.value == null ? 0.0 : a.value)
                // 1 while firing, 0 once resolved: "firing now" is the last value per alert group
                .addField("firing", Alert.FIRING.equals(a.status) ? 1L : 0L)
                .addField("threshold", a.threshold == null ? 0.0 : a.threshold)
                .addField("alert_id", a.alertId)
                .addField("summary", text(a.summary));
        return finish(p, a.transitionTime(), runId);
    }

    /** {@code paywatch_delivery}: one point per webhook delivery, at the alert's event time. */
    public static String of(io.paywatch.jobs.delivery.DeliveryOutcome o, String runId) {
        return finish(Point.measurement(DELIVERY)
                .addTag("receiver", tag(o.receiver))
                .addTag("format", o.format)
                .addTag("outcome", o.delivered ? "delivered" : "failed")
                .addField("attempts", (long) o.attempts)
                .addField("http_status", (long) o.httpStatus)
                .addField("latency_ms", o.latencyMs)
                .addField("alert_id", text(o.alertId)), o.transitionAt, runId);
    }

    /**
     * {@code paywatch_sink}: how one sink is doing, at {@code now} on the wall clock (a sink's
     * health is about the machines, not the events: a replay of last month writes it now).
     */
    public static String of(SinkHealth.Snapshot s, long now, String runId) {
        return finish(Point.measurement(SINK)
                .addTag("sink", s.sink)
                .addField("buffered", s.buffered)
                .addField("delivered", s.delivered)
                .addField("failures", s.failures)
                .addField("retries", s.retries)
                .addField("seconds_down", s.secondsDown)
                .addField("seconds_since_last_success", s.secondsSinceLastSuccess), now, runId);
    }

    public static String of(InputHealth h, String runId) {
        return finish(Point.measurement(INPUT)
                .addField("accepted", h.accepted)
                .addField("rejected", h.rejected)
                .addField("duplicates", h.duplicates)
                .addField("late", h.late), h.time, runId);
    }

    /**
     * A tag value from outside. {@link Point} escapes commas, equals signs and spaces with a
     * backslash and leaves backslashes alone, so a backslash that ends a value or stands before
     * one of those characters would escape the wrong thing (a value ending in {@code \} swallows
     * the next tag). InfluxDB 1.x has no escape for such a backslash at all (it refuses a tag
     * ending in one, and keeps {@code \\} as two), so it is written as the full-width reverse
     * solidus U+FF3C, the same in every server; any other backslash is written as it is. The
     * alert JSON keeps the identifier exactly.
     */
    public static String tag(String s) {
        if (s == null || s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ambiguous = c == '\\' && (i + 1 == s.length() || ",= \\".indexOf(s.charAt(i + 1)) >= 0);
            b.append(ambiguous ? '\uFF3C' : c);
        }
        return b.toString();
    }

    /**
     * A string field's value. {@link Point} escapes quotes and backslashes in string fields (and
     * everything a tag needs) but writes a newline as it is, which ends the line for any reader of
     * {@code --metrics-out}: the one place line protocol makes control characters visible.
     */
    static String text(String s) {
        return PlainText.visible(s);
    }

    private static String finish(Point p, long time, String runId) {
        if (runId != null) {
            p.addTag("run_id", tag(runId));
        }
        return p.time(time, WritePrecision.MS).toLineProtocol();
    }
}
