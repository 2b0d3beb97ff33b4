package io.paywatch.jobs.ingest;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Kafka record → {@link RawRecord}: the value's bytes, the partition (lateness and watermarks
 * are tracked per partition) and {@code topic-partition@offset} for dead letters. Never fails:
 * parsing happens after, where a bad record becomes a dead letter.
 */
public class KafkaRawDeserializer implements KafkaRecordDeserializationSchema<RawRecord> {
    private static final long serialVersionUID = 1L;
    public static final String SIGNATURE_HEADER = "X-PayWatch-Signature";
    public static final String KEY_ID_HEADER = "X-PayWatch-Key-Id";

    private final boolean signatureHeaders;

    /** The events' deserializer: the value only. */
    public KafkaRawDeserializer() {
        this(false);
    }

    private KafkaRawDeserializer(boolean signatureHeaders) {
        this.signatureHeaders = signatureHeaders;
    }

    /** The control topic's: also its signature and key id headers. */
    public static KafkaRawDeserializer withSignatureHeaders() {
        return new KafkaRawDeserializer(true);
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<RawRecord> out) {
        byte[] value = record.value() == null ? new byte[0] : record.value();
        RawRecord raw = RawRecord.ofBytes(value,
                record.topic() + "-" + record.partition() + "@" + record.offset(),
                record.partition());
        raw.timestamp = Math.max(0, record.timestamp());
        if (signatureHeaders) {
            raw.signature = lastHeader(record, SIGNATURE_HEADER);
            raw.keyId = lastHeader(record, KEY_ID_HEADER);
        }
        out.collect(raw);
    }

    private static String lastHeader(ConsumerRecord<byte[], byte[]> record, String name) {
        Header h = record.headers().lastHeader(name);
        return h == null || h.value() == null ? null
                : new String(h.value(), java.nio.charset.StandardCharsets.UTF_8);
    }

    @Override
    public TypeInformation<RawRecord> getProducedType() {
        return TypeInformation.of(RawRecord.class);
    }
}
