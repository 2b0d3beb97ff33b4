package io.paywatch.model;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Map;

/** Renders an {@link Alert} as the contract's JSON object (alert.schema.json), on one line. */
public final class AlertJson {
    private static final JsonFactory JSON = JsonLines.FACTORY;

    private AlertJson() {}

    public static String toJson(Alert a) {
        StringWriter out = new StringWriter(512);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("alert_id", a.alertId);
            g.writeStringField("rule", a.rule);
            g.writeStringField("status", a.status);
            g.writeStringField("severity", a.severity);
            g.writeObjectFieldStart("scope");
            for (Map.Entry<String, String> e : a.scope.entrySet()) {
                g.writeStringField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
            g.writeStringField("starts_at", Timestamps.rfc3339(a.startsAt));
            if (a.endsAt != null) {
                g.writeStringField("ends_at", Timestamps.rfc3339(a.endsAt));
            }
            g.writeStringField("transition_at", Timestamps.rfc3339(a.transitionTime()));
            if (a.value != null) {
                g.writeNumberField("value", a.value);
            }
            if (a.threshold != null) {
                g.writeNumberField("threshold", a.threshold);
            }
            g.writeStringField("summary", a.summary);
            if (a.recommendedAction != null) {
                g.writeStringField("recommended_action", a.recommendedAction);
            }
            if (a.measure != null) {
                g.writeStringField("measure", a.measure);
            }
            if (a.silencedBy != null) {
                g.writeStringField("silenced", a.silencedBy);
            }
            if (a.inhibitedBy != null) {
                g.writeStringField("inhibited_by", a.inhibitedBy);
            }
            if (a.flapping) {
                g.writeBooleanField("flapping", true);
            }
            if (a.renotification > 0) {
                g.writeNumberField("renotification", a.renotification);
            }
            g.writeObjectFieldStart("evidence");
            g.writeObjectFieldStart("by_category");
            for (Map.Entry<String, Long> e : a.evidenceByCategory.entrySet()) {
                g.writeNumberField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
            g.writeObjectFieldStart("by_code");
            for (Map.Entry<String, Long> e : a.evidenceByCode.entrySet()) {
                g.writeNumberField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
            g.writeArrayFieldStart("event_ids");
            for (int i = 0; i < a.evidenceEventIds.size() && i < 20; i++) {
                g.writeString(a.evidenceEventIds.get(i));
            }
            g.writeEndArray();
            if (!a.evidenceByChannel.isEmpty()) {
                g.writeObjectFieldStart("by_channel");
                for (Map.Entry<String, Long> e : a.evidenceByChannel.entrySet()) {
                    g.writeNumberField(e.getKey(), e.getValue());
                }
                g.writeEndObject();
            }
            if (a.evidenceAlternatives != null) {
                g.writeArrayFieldStart("alternatives");
                for (Alert.Alternative alt : a.evidenceAlternatives) {
                    g.writeStartObject();
                    g.writeStringField("channel", alt.channel);
                    g.writeNumberField("success_rate", alt.successRate);
                    g.writeNumberField("total", alt.total);
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            if (a.evidenceBaseline != null) {
                g.writeNumberField("baseline", a.evidenceBaseline);
            }
            if (a.evidenceBaselineVolume != null) {
                g.writeNumberField("baseline_volume", a.evidenceBaselineVolume);
            }
            if (!a.evidenceInhibited.isEmpty()) {
                g.writeArrayFieldStart("inhibited");
                for (String m : a.evidenceInhibited) {
                    g.writeString(m);
                }
                g.writeEndArray();
            }
            if (!a.evidenceMerchants.isEmpty()) {
                g.writeArrayFieldStart("merchants");
                for (String m : a.evidenceMerchants) {
                    g.writeString(m);
                }
                g.writeEndArray();
            }
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
