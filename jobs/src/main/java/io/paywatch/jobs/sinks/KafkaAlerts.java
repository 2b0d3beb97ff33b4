package io.paywatch.jobs.sinks;

import io.paywatch.model.Alert;
import io.paywatch.model.AlertJson;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The Kafka alerts topic: the contract's alert JSON, keyed by {@code alert_id} so that an
 * incident's messages stay in order on one partition. In {@code run} the sink is transactional
 * (exactly-once: consumers reading committed records see each transition once, even across
 * restarts); bounded runs, which do not checkpoint, write at least once and flush at the end.
 */
public final class KafkaAlerts {
    private KafkaAlerts() {}

    /**
     * One alert, one record: key {@code alert_id}, value the contract's alert JSON. The record
     * carries no timestamp, so the producer stamps it with the time it is published: a replay of
     * last month's events publishes its alerts now, and the broker's time-based retention
     * ({@code retention.ms}, 7 days by default) keeps them as long as any other record. Stamped
     * with the alert's event time instead, such a replay's alerts would be deleted by the broker
     * within minutes of being committed. The alert's own times are in its JSON.
     */
    static final class AlertRecords implements KafkaRecordSerializationSchema<Alert> {
        private static final long serialVersionUID = 1L;
        private final String topic;

        AlertRecords(String topic) {
            this.topic = topic;
        }

        @Override
        public ProducerRecord<byte[], byte[]> serialize(Alert a, KafkaSinkContext context, Long timestamp) {
            return new ProducerRecord<>(topic, null, null, a.alertId.getBytes(StandardCharsets.UTF_8),
                    AlertJson.toJson(a).getBytes(StandardCharsets.UTF_8));
        }
    }

    /**
     * The alerts topic's sink: the connector's {@link KafkaSink}, with the {@code alerts_topic}
     * sink health gauges ({@link AlertsTopicSink}).
     */
    public static org.apache.flink.api.connector.sink2.Sink<Alert> sink(String bootstrapServers, String topic,
            boolean exactlyOnce, String transactionalIdPrefix, java.util.Properties clientConfig) {
        return new AlertsTopicSink(clientConfig, producerConfig -> KafkaSink.<Alert>builder()
                .setKafkaProducerConfig(producerConfig)
                .setBootstrapServers(bootstrapServers)
                .setRecordSerializer(new AlertRecords(topic))
                .setDeliveryGuarantee(exactlyOnce ? DeliveryGuarantee.EXACTLY_ONCE
                        : DeliveryGuarantee.AT_LEAST_ONCE)
                .setTransactionalIdPrefix(transactionalIdPrefix)
                // longer than a checkpoint interval plus a restart; the broker's maximum is 15 min
                .setProperty("transaction.timeout.ms", "900000")
                .build());
    }
}
