package io.paywatch.jobs.ingest;

/**
 * One input record as it comes from a source, before parsing: a line of a replay file, a
 * Kafka record's value, or a generated event.
 */
public class RawRecord {
    /** The record as text (files, generator); null when {@link #bytes} is set. */
    public String text;
    /** The record as bytes (Kafka); null when {@link #text} is set. */
    public byte[] bytes;
    /** Where it came from, for dead letters: {@code file:line} or {@code topic-partition@offset}. */
    public String source;
    /** Source partition: Kafka partition, 0 otherwise. Lateness is tracked per partition. */
    public int partition;
    /** When the record was cut because it exceeded the size limit: its full size in bytes. */
    public long truncatedFrom;
    /** The Kafka record's timestamp (epoch ms), 0 when the source has none. */
    public long timestamp;
    /** Control topic only: its {@code X-PayWatch-Signature} header, null when it has none. */
    public String signature;
    /** Control topic only: its {@code X-PayWatch-Key-Id} header (who signed), null when none. */
    public String keyId;

    public RawRecord() {}

    public static RawRecord ofText(String text, String source) {
        RawRecord r = new RawRecord();
        r.text = text;
        r.source = source;
        return r;
    }

    public static RawRecord ofBytes(byte[] bytes, String source, int partition) {
        RawRecord r = new RawRecord();
        r.bytes = bytes;
        r.source = source;
        r.partition = partition;
        return r;
    }
}
