package io.paywatch.jobs.sinks;

import io.paywatch.model.Alert;
import io.paywatch.model.AlertJson;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;

/**
 * The Kafka alerts topic: the contract's alert JSON, keyed by {@code alert_id} so that an
 * incident's messages stay in order on one partition. In {@code run} the sink is transactional
 * (exactly-once: consumers reading committed records see each transition once, even across
 * restarts); bounded runs, which do not checkpoint, write at least once and flush at the end.
 */
public final class KafkaAlerts {
    private KafkaAlerts() {}

    /** Key: the alert id (named classes: Flink cannot infer the types of lambdas here). */
    static final class AlertKey implements SerializationSchema<Alert> {
        private static final long serialVersionUID = 1L;

        @Override
        public byte[] serialize(Alert a) {
            return a.alertId.getBytes(StandardCharsets.UTF_8);
        }
    }

    /** Value: the contract's alert JSON. */
    static final class AlertValue implements SerializationSchema<Alert> {
        private static final long serialVersionUID = 1L;

        @Override
        public byte[] serialize(Alert a) {
            return AlertJson.toJson(a).getBytes(StandardCharsets.UTF_8);
        }
    }

    public static KafkaSink<Alert> sink(String bootstrapServers, String topic, boolean exactlyOnce,
            String transactionalIdPrefix, java.util.Properties clientConfig) {
        return KafkaSink.<Alert>builder()
                .setKafkaProducerConfig(clientConfig)
                .setBootstrapServers(bootstrapServers)
                .setRecordSerializer(KafkaRecordSerializationSchema.<Alert>builder()
                        .setTopic(topic)
                        .setKeySerializationSchema(new AlertKey())
                        .setValueSerializationSchema(new AlertValue())
                        .build())
                .setDeliveryGuarantee(exactlyOnce ? DeliveryGuarantee.EXACTLY_ONCE
                        : DeliveryGuarantee.AT_LEAST_ONCE)
                .setTransactionalIdPrefix(transactionalIdPrefix)
                // longer than a checkpoint interval plus a restart; the broker's maximum is 15 min
                .setProperty("transaction.timeout.ms", "900000")
                .build();
    }
}
