package io.paywatch.jobs.sinks;

import io.paywatch.jobs.metrics.SinkHealth;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * The alerts topic's {@link SinkHealth}, as its producers see it: a Kafka producer interceptor
 * counts each record handed to a producer ({@code buffered} until the broker acknowledges it) and
 * each acknowledgement (delivered, or failed with the producer's error once its own retries and
 * {@code delivery.timeout.ms} are spent: Kafka retries inside the client, unseen here, so
 * {@code retries} stays 0 for this sink).
 *
 * <p>Kafka creates interceptors itself from a class name, so each writer registers its health
 * under an id of its own and passes the id in its producers' configuration
 * ({@value #HEALTH_ID}); every producer of that writer (the exactly-once writer takes a new one
 * per checkpoint) reports to the same health. "Delivered" is the broker's acknowledgement: in
 * exactly-once mode, inside a transaction that commits at the next checkpoint.
 */
public final class AlertsTopicHealth implements ProducerInterceptor<byte[], byte[]> {
    /** The producer configuration key that names the writer's health. */
    public static final String HEALTH_ID = "paywatch.sink.health.id";

    /** One writer's health and its records in flight, shared by all its producers. */
    static final class Tracked {
        final SinkHealth health;
        final AtomicLong inFlight = new AtomicLong();

        Tracked(SinkHealth health) {
            this.health = health;
            health.buffered(inFlight::get);
        }
    }

    private static final Map<String, Tracked> BY_ID = new ConcurrentHashMap<>();

    /** Makes {@code health} the one the producers configured with the returned id report to. */
    static String track(SinkHealth health) {
        String id = UUID.randomUUID().toString();
        BY_ID.put(id, new Tracked(health));
        return id;
    }

    /** The writer is closing: its producers no longer report. */
    static void untrack(String id) {
        BY_ID.remove(id);
    }

    /** Null for a producer configured without a (live) id: it counts nothing. */
    private Tracked tracked;

    @Override
    public void configure(Map<String, ?> configs) {
        Object id = configs.get(HEALTH_ID);
        tracked = id == null ? null : BY_ID.get(id.toString());
    }

    @Override
    public ProducerRecord<byte[], byte[]> onSend(ProducerRecord<byte[], byte[]> record) {
        if (tracked != null) {
            tracked.inFlight.incrementAndGet();
        }
        return record;
    }

    @Override
    public void onAcknowledgement(RecordMetadata metadata, Exception exception) {
        if (tracked == null) {
            return;
        }
        tracked.inFlight.decrementAndGet();
        if (exception == null) {
            tracked.health.succeeded(1);
        } else {
            tracked.health.failed();
        }
    }

    @Override
    public void close() {}
}
