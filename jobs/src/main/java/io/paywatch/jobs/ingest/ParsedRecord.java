package io.paywatch.jobs.ingest;

import io.paywatch.model.PaymentEvent;

/**
 * The outcome of parsing one input record: a valid event, or a dead letter. Carries the
 * record's source partition so that watermarks and lateness are tracked per partition.
 */
public class ParsedRecord {
    /** Set when the record is valid. */
    public PaymentEvent event;
    /** Set when the record is rejected. */
    public DeadLetter deadLetter;
    /** Source partition (Kafka partition; 0 for files and the generator). */
    public int partition;
    /**
     * The raw record and where it came from, kept for the late-event dead letter. Travels only
     * within the source's operator chain, never through the network or into state.
     */
    public String rawText;
    public byte[] rawBytes;
    public String source;

    public ParsedRecord() {}

    public static ParsedRecord valid(PaymentEvent event, int partition) {
        ParsedRecord r = new ParsedRecord();
        r.event = event;
        r.partition = partition;
        return r;
    }

    public static ParsedRecord rejected(DeadLetter deadLetter, int partition) {
        ParsedRecord r = new ParsedRecord();
        r.deadLetter = deadLetter;
        r.partition = partition;
        return r;
    }

    public String rawText() {
        return rawText != null ? rawText
                : rawBytes != null ? new String(rawBytes, java.nio.charset.StandardCharsets.UTF_8)
                : null;
    }

    public boolean isValid() {
        return event != null;
    }
}
