package io.paywatch.jobs.delivery;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.paywatch.model.Alert;
import io.paywatch.model.AlertJson;
import io.paywatch.model.Timestamps;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Request bodies for the receivers payment teams use: the contract's alert object
 * ({@code generic}), Prometheus Alertmanager's webhook payload version 4 ({@code alertmanager}),
 * and the chat robots' documented message shapes ({@code slack}, {@code dingtalk},
 * {@code feishu}, {@code wecom}).
 */
public enum WebhookFormat {
    GENERIC,
    ALERTMANAGER,
    SLACK,
    DINGTALK,
    FEISHU,
    WECOM;

    private static final JsonFactory JSON = io.paywatch.model.JsonLines.FACTORY;

    public static WebhookFormat parse(String name) {
        for (WebhookFormat f : values()) {
            if (f.name().toLowerCase(Locale.ROOT).equals(name)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown webhook format '" + name
                + "' (generic, alertmanager, slack, dingtalk, feishu, wecom)");
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public String body(Alert a) {
        switch (this) {
            case GENERIC:
                return AlertJson.toJson(a);
            case ALERTMANAGER:
                return alertmanager(a);
            case SLACK:
                return json(g -> {
                    g.writeStringField("text", text(a, false, ChatMarkup::slack));
                    // Slack has no escape for *bold* or _italics_: the message is plain text
                    g.writeBooleanField("mrkdwn", false);
                });
            case DINGTALK:
                return json(g -> {
                    g.writeStringField("msgtype", "markdown");
                    g.writeObjectFieldStart("markdown");
                    g.writeStringField("title", title(a, ChatMarkup::plain));
                    g.writeStringField("text", text(a, true, ChatMarkup::markdown));
                    g.writeEndObject();
                });
            case FEISHU:
                return json(g -> {
                    g.writeStringField("msg_type", "text");
                    g.writeObjectFieldStart("content");
                    g.writeStringField("text", text(a, false, ChatMarkup::plain));
                    g.writeEndObject();
                });
            case WECOM:
                return json(g -> {
                    g.writeStringField("msgtype", "markdown");
                    g.writeObjectFieldStart("markdown");
                    g.writeStringField("content", text(a, true, ChatMarkup::markdown));
                    g.writeEndObject();
                });
            default:
                throw new IllegalStateException(name());
        }
    }

    /**
     * "[FIRING:critical] failure_rate merchant_id=m-17": PayWatch's words as they are, every
     * value that came from events through {@code escape} (the chat format's).
     */
    static String title(Alert a, UnaryOperator<String> escape) {
        return "[" + a.status.toUpperCase(Locale.ROOT) + ":" + a.severity + "] " + a.rule + " "
                + scopeText(a, escape);
    }

    static String scopeText(Alert a, UnaryOperator<String> escape) {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, String> e : a.scope.entrySet()) {
            if (b.length() > 0) {
                b.append(", ");
            }
            b.append(e.getKey()).append('=').append(escape.apply(e.getValue()));
        }
        return b.toString();
    }

    /** The message: the summary and the action quote identifiers, so they are escaped whole. */
    static String text(Alert a, boolean markdown, UnaryOperator<String> escape) {
        String nl = markdown ? "\n\n" : "\n";
        StringBuilder b = new StringBuilder();
        b.append(markdown ? "### " : "").append(title(a, escape)).append(nl);
        b.append(escape.apply(a.summary)).append(nl);
        if (a.recommendedAction != null) {
            b.append(markdown ? "**Action:** " : "Action: ").append(escape.apply(a.recommendedAction)).append(nl);
        }
        b.append("Since ").append(Timestamps.rfc3339(a.startsAt));
        if (a.endsAt != null) {
            b.append(", until ").append(Timestamps.rfc3339(a.endsAt));
        }
        b.append(" · alert ").append(escape.apply(a.alertId));
        return b.toString();
    }

    /** Alertmanager webhook payload, version 4 (one alert per notification). */
    private static String alertmanager(Alert a) {
        return json(g -> {
            g.writeStringField("version", "4");
            g.writeStringField("groupKey", "{}:{alertname=\"" + a.rule + "\"}");
            g.writeNumberField("truncatedAlerts", 0);
            g.writeStringField("status", a.status);
            g.writeStringField("receiver", "paywatch");
            g.writeObjectFieldStart("groupLabels");
            g.writeStringField("alertname", a.rule);
            g.writeEndObject();
            g.writeObjectFieldStart("commonLabels");
            labels(g, a);
            g.writeEndObject();
            g.writeObjectFieldStart("commonAnnotations");
            annotations(g, a);
            g.writeEndObject();
            g.writeStringField("externalURL", "");
            g.writeArrayFieldStart("alerts");
            g.writeStartObject();
            g.writeStringField("status", a.status);
            g.writeObjectFieldStart("labels");
            labels(g, a);
            g.writeEndObject();
            g.writeObjectFieldStart("annotations");
            annotations(g, a);
            g.writeEndObject();
            g.writeStringField("startsAt", Timestamps.rfc3339(a.startsAt));
            // Alertmanager's zero time for an alert that has not ended
            g.writeStringField("endsAt", a.endsAt == null ? "0001-01-01T00:00:00Z"
                    : Timestamps.rfc3339(a.endsAt));
            g.writeStringField("generatorURL", "paywatch://alerts/" + a.alertId);
            g.writeStringField("fingerprint", a.alertId.substring(a.alertId.lastIndexOf('-') + 1, a.alertId.lastIndexOf('-') + 17));
            g.writeEndObject();
            g.writeEndArray();
        });
    }

    static void labels(JsonGenerator g, Alert a) throws IOException {
        g.writeStringField("alertname", a.rule);
        g.writeStringField("severity", a.severity);
        g.writeStringField("alert_id", a.alertId);
        for (Map.Entry<String, String> e : a.scope.entrySet()) {
            g.writeStringField(e.getKey(), e.getValue());
        }
    }

    static void annotations(JsonGenerator g, Alert a) throws IOException {
        g.writeStringField("summary", a.summary);
        if (a.recommendedAction != null) {
            g.writeStringField("recommended_action", a.recommendedAction);
        }
        if (a.value != null) {
            g.writeStringField("value", String.valueOf(a.value));
        }
    }

    private interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    private static String json(Body body) {
        StringWriter out = new StringWriter(512);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            body.write(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
