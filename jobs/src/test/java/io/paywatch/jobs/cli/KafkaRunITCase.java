package io.paywatch.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paywatch.jobs.demo.Incident;
import io.paywatch.jobs.demo.TrafficGenerator;
import io.paywatch.jobs.testing.InfluxQl;
import io.paywatch.jobs.testing.KafkaTopics;
import io.paywatch.jobs.testing.ReferenceAlerts;
import io.paywatch.jobs.testing.TestServices;
import io.paywatch.model.RuleSettings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.time.Duration;
import java.util.Properties;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./paywatch run} live from the real Kafka broker (three partitions, RocksDB state,
 * checkpoints every second): alerts reach the alerts file and InfluxDB and are the ones the
 * contract defines for the events, up to the point event time has reached.
 */
class KafkaRunITCase {
    private static final long START = 1_795_428_000_000L;
    private static final long MINUTE = 60_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void liveRunFromKafkaAlertsAsTheContractSays() throws Exception {
        String kafka = TestServices.kafka();
        String influx = TestServices.influx();
        String topic = "payments-run-it";
        KafkaTopics.create(kafka, topic, 3);
        KafkaTopics.create(kafka, "alerts-run-it", 2);

        List<Incident> incidents = List.of(
                new Incident("channel", "wallet", START + 5 * MINUTE, START + 9 * MINUTE, 0.9, "203"));
        TrafficGenerator gen = new TrafficGenerator(7, START, 12, 100, incidents, new TrafficGenerator.Noise());
        List<String> lines = new ArrayList<>();
        while (gen.peekTime() < START + 22 * MINUTE) {
            lines.add(gen.next());
        }
        KafkaTopics.produce(kafka, topic, lines, null);

        Path alertsFile = dir.resolve("alerts.jsonl");
        JobCommand command = new JobCommand("run", new String[] {"run", "--bootstrap-servers", kafka,
                "--topic", topic, "--group-id", "run-it", "--starting-offsets", "earliest",
                "--alerts-out", alertsFile.toString(), "--dead-letter-out", dir.resolve("dead.jsonl").toString(),
                "--influx-url", influx, "--influx-db", "run_it",
                "--checkpoint-dir", dir.resolve("checkpoints").toString(), "--checkpoint-interval", "1s",
                "--state", "rocksdb", "--parallelism", "2", "--quiet",
                "--alerts-topic", "alerts-run-it"},
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        JobCommand.Prepared job = command.prepare();

        // what the contract says, for everything event time can have reached in a live run
        // (the watermark stops 5 s behind the newest event when the traffic stops)
        TreeSet<String> expected = ReferenceAlerts.failureRateTransitions(
                ReferenceAlerts.acceptedEvents(lines, 5_000), RuleSettings.defaults());
        long reached = START + 21 * MINUTE;
        Set<String> expectedByNow = expected.stream().filter(t -> transitionTime(t) <= reached)
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(expectedByNow).anyMatch(t -> t.startsWith("channel=wallet firing"));
        assertThat(expectedByNow).anyMatch(t -> t.startsWith("channel=wallet resolved"));

        // the traffic stops: after 30 s of idleness event time follows the wall clock (these
        // events are a day old, so up to the 30-minute cap), and the deadlines of the charges
        // left unfulfilled at the end pass
        List<io.paywatch.model.PaymentEvent> accepted = ReferenceAlerts.acceptedEvents(lines, 5_000);
        long newest = accepted.stream().mapToLong(e -> e.eventTime).max().getAsLong();
        TreeSet<String> unfulfilled = ReferenceAlerts.unfulfilledCharges(accepted, 15 * MINUTE,
                newest + 30 * MINUTE);
        assertThat(unfulfilled).isNotEmpty();

        JobClient client = job.env.executeAsync("paywatch-run-it");
        TreeSet<String> actual = new TreeSet<>();
        TreeSet<String> charged = new TreeSet<>();
        List<String> topicAlerts = new ArrayList<>();
        Properties cp = new Properties();
        cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka);
        cp.put(ConsumerConfig.GROUP_ID_CONFIG, "alerts-reader");
        cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        cp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        cp.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        cp.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        try (KafkaConsumer<String, String> alertsTopic = new KafkaConsumer<>(cp)) {
            alertsTopic.subscribe(List.of("alerts-run-it"));
            try {
                long deadline = System.currentTimeMillis() + 180_000;
                while (System.currentTimeMillis() < deadline) {
                    actual = readTransitions(alertsFile);
                    charged = readChargedUnfulfilled(alertsFile);
                    alertsTopic.poll(Duration.ofMillis(200)).forEach(r -> topicAlerts.add(r.value()));
                    if (actual.containsAll(expectedByNow) && charged.containsAll(unfulfilled)
                            && transitionsOf(topicAlerts).containsAll(expectedByNow)) {
                        break;
                    }
                }
            } finally {
                client.cancel().get();
            }
        }
        // the alerts topic (exactly-once, read committed) holds each transition once, as the file
        assertThat(transitionsOf(topicAlerts)).containsAll(expectedByNow);
        assertThat(topicAlerts).doesNotHaveDuplicates();
        assertThat(Files.readAllLines(alertsFile)).containsAll(topicAlerts);
        assertThat(charged).isEqualTo(unfulfilled);
        assertThat(actual).containsAll(expectedByNow);
        assertThat(expected).containsAll(actual);

        // the same alerts reached InfluxDB (flushed on checkpoints)
        List<List<JsonNode>> rows = InfluxQl.rows(influx, "run_it",
                "SELECT count(value) FROM paywatch_alert WHERE channel='wallet'");
        assertThat(rows).isNotEmpty();
        assertThat(rows.get(0).get(1).asLong()).isGreaterThanOrEqualTo(2);
        // and checkpoints were retained for a restart
        assertThat(io.paywatch.jobs.runtime.Checkpoints.latest(dir.resolve("checkpoints"))).isNotNull();
    }

    private static TreeSet<String> readChargedUnfulfilled(Path file) throws Exception {
        TreeSet<String> out = new TreeSet<>();
        if (!Files.exists(file)) {
            return out;
        }
        for (String l : Files.readAllLines(file)) {
            try {
                JsonNode a = JSON.readTree(l);
                if (a.path("rule").asText().equals("charged_unfulfilled")
                        && a.path("status").asText().equals("firing")) {
                    out.add(a.path("scope").path("merchant_id").asText() + "|"
                            + a.path("scope").path("order_id").asText());
                }
            } catch (Exception partialLine) {
                // a line being written
            }
        }
        return out;
    }

    private static long transitionTime(String transition) {
        String[] f = transition.split(" ");
        return f[4].equals("-") ? Long.parseLong(f[3]) : Long.parseLong(f[4]);
    }

    private static TreeSet<String> readTransitions(Path file) throws Exception {
        return Files.exists(file) ? transitionsOf(Files.readAllLines(file)) : new TreeSet<>();
    }

    private static TreeSet<String> transitionsOf(List<String> lines) {
        TreeSet<String> out = new TreeSet<>();
        for (String l : lines) {
            if (l.isBlank()) {
                continue;
            }
            JsonNode a;
            try {
                a = JSON.readTree(l);
            } catch (Exception partialLine) {
                continue; // a line being written
            }
            if (!a.path("rule").asText().equals("failure_rate")) {
                continue;
            }
            String scope = a.path("scope").fieldNames().next();
            out.add(scope + "=" + a.path("scope").path(scope).asText() + " " + a.path("status").asText()
                    + " " + a.path("severity").asText() + " "
                    + Instant.parse(a.path("starts_at").asText()).toEpochMilli() + " "
                    + (a.has("ends_at") ? String.valueOf(Instant.parse(a.path("ends_at").asText()).toEpochMilli()) : "-"));
        }
        return out;
    }
}
