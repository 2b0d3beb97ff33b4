package io.paywatch.jobs.sinks;

import static org.assertj.core.api.Assertions.assertThat;

import io.paywatch.jobs.metrics.SinkHealth;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

class AlertsTopicHealthTest {
    private static final ProducerRecord<byte[], byte[]> RECORD = new ProducerRecord<>("alerts", new byte[] {1});
    private static final RecordMetadata ACK = new RecordMetadata(new TopicPartition("alerts", 0), 7, 0, 0, 1, 1);

    @Test
    void aRecordIsBufferedUntilTheBrokerAcknowledgesItThenDeliveredOrFailed() {
        AtomicLong now = new AtomicLong(1_000_000);
        SinkHealth health = new SinkHealth("alerts_topic", now::get);
        String id = AlertsTopicHealth.track(health);
        try {
            // two producers of one writer (exactly-once takes a new one per checkpoint): one health
            AlertsTopicHealth first = interceptor(id);
            AlertsTopicHealth second = interceptor(id);
            first.onSend(RECORD);
            first.onSend(RECORD);
            second.onSend(RECORD);
            assertThat(health.buffered()).isEqualTo(3);

            first.onAcknowledgement(ACK, null);
            assertThat(health.buffered()).isEqualTo(2);
            assertThat(health.delivered()).isEqualTo(1);

            now.addAndGet(30_000);
            second.onAcknowledgement(ACK, new org.apache.kafka.common.errors.TimeoutException("expired"));
            now.addAndGet(12_000);
            assertThat(health.failures()).isEqualTo(1);
            assertThat(health.secondsDown(now.get())).isEqualTo(12);
            assertThat(health.secondsSinceLastSuccess(now.get())).isEqualTo(42);

            first.onAcknowledgement(ACK, null);
            assertThat(health.buffered()).isZero();
            assertThat(health.delivered()).isEqualTo(2);
            assertThat(health.secondsDown(now.get())).as("healthy again").isZero();
            assertThat(health.retries()).as("Kafka retries inside the client, unseen").isZero();
        } finally {
            AlertsTopicHealth.untrack(id);
        }
    }

    @Test
    void aProducerWithoutALiveHealthIdCountsNothing() {
        SinkHealth health = new SinkHealth("alerts_topic");
        String id = AlertsTopicHealth.track(health);
        AlertsTopicHealth.untrack(id);
        AlertsTopicHealth closed = interceptor(id);
        AlertsTopicHealth none = new AlertsTopicHealth();
        none.configure(Map.of());
        for (AlertsTopicHealth i : new AlertsTopicHealth[] {closed, none}) {
            assertThat(i.onSend(RECORD)).isSameAs(RECORD);
            i.onAcknowledgement(ACK, null);
        }
        assertThat(health.delivered()).isZero();
        assertThat(health.buffered()).isZero();
    }

    @Test
    void theUsersOwnInterceptorsStayAndOursIsAdded() {
        Properties user = new Properties();
        user.setProperty(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG, "com.example.Audit");
        user.setProperty("security.protocol", "SASL_SSL");
        Properties p = AlertsTopicSink.withHealth(user, "id-1");
        assertThat(p.getProperty(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG))
                .isEqualTo("com.example.Audit," + AlertsTopicHealth.class.getName());
        assertThat(p.getProperty(AlertsTopicHealth.HEALTH_ID)).isEqualTo("id-1");
        assertThat(p.getProperty("security.protocol")).isEqualTo("SASL_SSL");
        assertThat(user.getProperty(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG))
                .as("the user's configuration is not changed").isEqualTo("com.example.Audit");
        assertThat(AlertsTopicSink.withHealth(new Properties(), "id-2")
                .getProperty(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG)).isEqualTo(AlertsTopicHealth.class.getName());
    }

    @Test
    void aRealProducerThatCannotReachItsBrokerReportsTheRecordWaitingThenFailed() throws Exception {
        SinkHealth health = new SinkHealth("alerts_topic");
        String id = AlertsTopicHealth.track(health);
        Properties p = AlertsTopicSink.withHealth(new Properties(), id);
        p.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:1"); // nothing listens there
        p.setProperty(ProducerConfig.MAX_BLOCK_MS_CONFIG, "800");
        p.setProperty(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "1000");
        p.setProperty(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "500");
        p.setProperty(ProducerConfig.LINGER_MS_CONFIG, "0");
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            Future<RecordMetadata> sent = producer.send(RECORD);
            try {
                sent.get();
            } catch (ExecutionException expected) {
                // the producer gave up: what the health must say
            }
            assertThat(health.failures()).isEqualTo(1);
            assertThat(health.down()).isTrue();
            assertThat(health.buffered()).isZero();
            assertThat(health.delivered()).isZero();
        } finally {
            AlertsTopicHealth.untrack(id);
        }
    }

    private static AlertsTopicHealth interceptor(String id) {
        AlertsTopicHealth i = new AlertsTopicHealth();
        i.configure(Map.of(AlertsTopicHealth.HEALTH_ID, id));
        return i;
    }
}
