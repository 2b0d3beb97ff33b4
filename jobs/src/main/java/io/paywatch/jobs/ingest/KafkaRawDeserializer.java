package io.paywatch.jobs.ingest;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Kafka record → {@link RawRecord}: the value's bytes, the partition (lateness and watermarks
 * are tracked per partition) and {@code topic-partition@offset} for dead letters. Never fails:
 * parsing happens after, where a bad record becomes a dead letter.
 */
public class KafkaRawDeserializer implements KafkaRecordDeserializationSchema<RawRecord> {
    private static final long serialVersionUID = 1L;

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<RawRecord> out) {
        byte[] value = record.value() == null ? new byte[0] : record.value();
        RawRecord raw = RawRecord.ofBytes(value,
                record.topic() + "-" + record.partition() + "@" + record.offset(),
                record.partition());
        raw.timestamp = Math.max(0, record.timestamp());
        out.collect(raw);
    }

    @Override
    public TypeInformation<RawRecord> getProducedType() {
        return TypeInformation.of(RawRecord.class);
    }
}
