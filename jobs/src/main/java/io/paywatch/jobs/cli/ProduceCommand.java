package io.paywatch.jobs.cli;

import io.paywatch.jobs.demo.Scenarios;
import io.paywatch.jobs.demo.TrafficGenerator;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * {@code ./paywatch produce}: the demo's traffic (with its incidents every five minutes) sent to a
 * Kafka topic in real time, keyed by {@code payment_id} as the contract says producers do — a
 * payment platform to try {@code ./paywatch run} and the compose stack against.
 */
final class ProduceCommand {
    private ProduceCommand() {}

    static int execute(CliArgs a, PrintStream out) throws Exception {
        String servers = a.required("bootstrap-servers");
        String topic = a.get("topic", "payments");
        double paymentsPerSecond = GenerateCommand.parseRate(a.get("rate"), JobCommand.DEMO_PAYMENTS_PER_SECOND);
        long duration = a.durationOrZeroMs("duration", "0");
        long seed = Long.parseLong(a.get("seed", "42"));

        long start = System.currentTimeMillis();
        long horizon = duration == 0 ? 365L * 24 * 3_600_000 : duration;
        TrafficGenerator gen = new TrafficGenerator(seed, start, paymentsPerSecond,
                JobCommand.DEMO_MERCHANTS, Scenarios.demo(start, horizon), new TrafficGenerator.Noise());
        Properties p = new Sources("produce", a, out).clientFor(servers, topic, StringSerializer.class);
        p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        out.printf(Locale.ROOT, "produce: %.0f payments/s of built-in traffic to %s topic %s%s%n",
                paymentsPerSecond, servers, topic, duration == 0 ? " until stopped" : " for "
                        + io.paywatch.model.Durations.format(duration));
        long sent = 0;
        long lastReport = start;
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            while (true) {
                long due = gen.peekTime();
                if (duration > 0 && due >= start + duration) {
                    break;
                }
                long wait = due - System.currentTimeMillis();
                if (wait > 0) {
                    Thread.sleep(wait); // pacing: events go out when they happen
                }
                String line = gen.next();
                producer.send(new ProducerRecord<>(topic, io.paywatch.jobs.demo.TrafficGenerator.paymentIdOf(line), line));
                sent++;
                long now = System.currentTimeMillis();
                if (!a.has("quiet") && now - lastReport >= 5_000) {
                    out.printf(Locale.ROOT, "  … produce: %,d records sent%n", sent);
                    lastReport = now;
                }
            }
            producer.flush();
        }
        out.printf(Locale.ROOT, "produce: done, %,d records sent%n", sent);
        return 0;
    }

}
