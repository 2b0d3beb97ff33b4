package io.paywatch.jobs.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/**
 * A rejected input record: the contract's {@code {"reason":…, "input":…}} plus where it came
 * from and a human-readable detail. The input is masked and capped in length.
 */
public class DeadLetter {
    /** Inputs longer than this are cut in the dead letter (the reason says how long they were). */
    public static final int MAX_INPUT_CHARS = 4096;

    private static final JsonFactory JSON = io.paywatch.model.JsonLines.FACTORY;

    public String reason;
    public String detail;
    /** The field at fault, when there is one. */
    public String field;
    public String input;
    /** Where the record came from: {@code file:line} or {@code topic-partition@offset}. */
    public String source;
    /** The event time, when it could be read (late events); otherwise null. */
    public Long eventTime;

    public DeadLetter() {}

    public static DeadLetter of(Rejection reason, String field, String detail, String rawInput,
            String source) {
        DeadLetter d = new DeadLetter();
        d.reason = reason.wireName();
        d.field = field;
        d.detail = CardNumberMasker.mask(detail);
        d.input = CardNumberMasker.mask(cap(rawInput));
        d.source = source;
        return d;
    }

    static String cap(String s) {
        if (s == null || s.length() <= MAX_INPUT_CHARS) {
            return s;
        }
        return s.substring(0, MAX_INPUT_CHARS) + "…[" + s.length() + " chars]";
    }

    public String toJson() {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("reason", reason);
            if (field != null) {
                g.writeStringField("field", field);
            }
            if (detail != null) {
                g.writeStringField("detail", detail);
            }
            if (source != null) {
                g.writeStringField("source", source);
            }
            if (eventTime != null) {
                g.writeNumberField("event_time", eventTime);
            }
            g.writeStringField("input", input);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
