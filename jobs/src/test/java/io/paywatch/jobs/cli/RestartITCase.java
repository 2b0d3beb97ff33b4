package io.paywatch.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paywatch.jobs.delivery.Signatures;
import io.paywatch.jobs.delivery.WebhookDelivery;
import io.paywatch.jobs.testing.KafkaTopics;
import io.paywatch.jobs.testing.TestServices;
import io.paywatch.jobs.testing.WebhookReceiver;
import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restart without loss or duplicates: {@code ./paywatch run --checkpoint-dir} as its own JVM,
 * killed with SIGKILL twice, at points a seeded random number picks, while the realistic hour
 * streams through the real broker, started again each time (it resumes from the latest retained
 * checkpoint). The final alerts file, the alerts topic (read committed) and the failure-rate
 * metrics equal an uninterrupted replay's, and the webhook receiver got every page, each
 * idempotency key always with the same body.
 */
class RestartITCase {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Kept when the test fails: the runs' logs are the evidence. */
    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    void killedTwiceTheLiveRunEndsWithTheAlertsOfAnUninterruptedRun() throws Exception {
        String kafka = TestServices.kafka();
        String topic = "payments-restart-it";
        KafkaTopics.create(kafka, topic, 2);
        KafkaTopics.create(kafka, "alerts-restart-it", 1);
        LiveRunReference ref = new LiveRunReference(dir, 2);
        List<String> lines = ref.lines;
        List<String> sentinels = ref.sentinels;
        List<String> expected = ref.expectedAlerts;
        long reached = LiveRunReference.REACHED;
        List<String> expectedMetrics = ref.expectedMetrics;

        Path alerts = dir.resolve("alerts.jsonl");
        Path metrics = dir.resolve("metrics.lp");
        Path checkpoints = dir.resolve("checkpoints");
        try (WebhookReceiver receiver = new WebhookReceiver(0, 500, 0)) {
            List<String> args = List.of("run", "--bootstrap-servers", kafka, "--topic", topic,
                    "--group-id", "restart-it", "--starting-offsets", "earliest",
                    "--alerts-out", alerts.toString(), "--metrics-out", metrics.toString(),
                    "--checkpoint-dir", checkpoints.toString(), "--checkpoint-interval", "1s",
                    "--idle-advance", "0", "--state", "rocksdb", "--parallelism", "2", "--quiet",
                    "--alerts-topic", "alerts-restart-it", "--webhook-url", receiver.url(),
                    "--webhook-secret-env", "PAYWATCH_IT_WEBHOOK_SECRET");
            int third = lines.size() / 3;
            // the kill points vary from run to run (the seed, printed, replays the thresholds,
            // not the timing of checkpoints). The first third of the hour can alert ~48 of the
            // 124 by event time, two thirds ~85: the second kill waits for alerts of the second
            // third, with slack below what it can reach.
            long seed = Long.getLong("paywatch.it.seed", System.nanoTime());
            Random random = new Random(seed);
            int firstKill = 5 + random.nextInt(25);
            int secondKill = 50 + random.nextInt(21);
            System.out.printf("RestartITCase: -Dpaywatch.it.seed=%d: killed after %d and %d alerts%n",
                    seed, firstKill, secondKill);

            // 1: the first third; killed once it has checkpointed and alerted
            KafkaTopics.produce(kafka, topic, lines.subList(0, third), null);
            Process run = start(args, 1);
            await(run, () -> io.paywatch.jobs.runtime.Checkpoints.latest(checkpoints) != null && lineCount(alerts) > firstKill);
            run.destroyForcibly().waitFor();

            // 2: started again, resumes; the second third; killed after a newer checkpoint
            Path resumedFrom = io.paywatch.jobs.runtime.Checkpoints.latest(checkpoints);
            run = start(args, 2);
            KafkaTopics.produce(kafka, topic, lines.subList(third, 2 * third), null);
            await(run, () -> {
                Path latest = io.paywatch.jobs.runtime.Checkpoints.latest(checkpoints);
                return latest != null && !latest.equals(resumedFrom) && lineCount(alerts) > secondKill;
            });
            run.destroyForcibly().waitFor();

            // 3: started again, the rest, to the end
            run = start(args, 3);
            KafkaTopics.produce(kafka, topic, lines.subList(2 * third, lines.size()), null);
            for (int p = 0; p < 2; p++) {
                KafkaTopics.produceTo(kafka, topic, p, System.currentTimeMillis(), sentinels.get(p));
            }
            await(run, () -> ref.complete(alerts, metrics));
            // read while the run is alive: the last alerts are in the Kafka transaction of the
            // checkpoint in progress (the file has them already), committed when it completes.
            // Stopped before that, the transaction stays open until it times out (15 min) and
            // read_committed consumers see nothing after it (a restarted job aborts it).
            List<String> committed = LiveRunReference.readCommitted(kafka, "alerts-restart-it", expected.size());
            run.destroy();
            run.waitFor();

            // each restart resumed from a retained checkpoint (rather than starting over)
            for (int attempt = 2; attempt <= 3; attempt++) {
                assertThat(Files.readString(dir.resolve("run-" + attempt + ".log")))
                        .contains("resuming from checkpoint");
            }
            assertThat(resumedFrom).isNotNull();

            // no alert lost, none twice, nothing different: the file (truncated back to its
            // checkpoint on each restore) and the topic (transactional) equal the reference
            assertThat(LiveRunReference.sortedCompleteLines(alerts)).isEqualTo(expected);
            assertThat(Files.readAllLines(alerts)).doesNotHaveDuplicates();
            // The topic's records are stamped when published: stamped with the scenario's event
            // time (2026-11-23, older than the broker's 7-day retention), the first committed
            // records were deleted by the broker in about half of the runs.
            assertThat(committed).isEqualTo(expected);
            assertThat(LiveRunReference.metricsUpTo(metrics, reached)).isEqualTo(expectedMetrics);

            // every page reached the receiver, signed; a key delivered again after a restart
            // carries the same body (the receiver deduplicates on it)
            Map<String, Set<String>> bodiesByKey = new HashMap<>();
            String secret = System.getenv("PAYWATCH_IT_WEBHOOK_SECRET");
            for (WebhookReceiver.Received r : receiver.requests) {
                assertThat(r.header(Signatures.HEADER)).isEqualTo(Signatures.sign(secret, r.body));
                bodiesByKey.computeIfAbsent(r.header(WebhookDelivery.IDEMPOTENCY_HEADER), k -> new HashSet<>())
                        .add(r.body);
            }
            assertThat(bodiesByKey.values()).allSatisfy(bodies -> assertThat(bodies).hasSize(1));
            Set<String> pagedKeys = new HashSet<>();
            for (String l : expected) {
                JsonNode a = JSON.readTree(l);
                if (!a.has("inhibited_by") && !a.has("silenced") && !a.has("flapping")) {
                    pagedKeys.add(a.path("alert_id").asText() + ":" + a.path("status").asText() + ":"
                            + java.time.Instant.parse(a.path("transition_at").asText()).toEpochMilli());
                }
            }
            assertThat(bodiesByKey.keySet()).containsAll(pagedKeys);
        }
    }

    /** {@code ./paywatch run} as its own JVM (the job jar built by the package phase). */
    private Process start(List<String> args, int attempt) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx768m");
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-opens") || a.startsWith("--add-exports") || a.startsWith("-XX:+Ignore")) {
                cmd.add(a);
            }
        }
        cmd.add("-jar");
        cmd.add(Paths.get("target", "paywatch.jar").toAbsolutePath().toString());
        cmd.addAll(args);
        File log = dir.resolve("run-" + attempt + ".log").toFile();
        cmd.add(cmd.indexOf("-jar"), "-Dpaywatch.log.dir=" + dir.resolve("logs-" + attempt));
        cmd.add(cmd.indexOf("-jar"), "-Dlog4j2.configurationFile=log4j2-paywatch.properties");
        // the embedded cluster's working directory (RocksDB's instances) dies with the killed JVM:
        // in the test's directory, not left in the machine's /tmp
        cmd.add(cmd.indexOf("-jar"), "-Djava.io.tmpdir=" + Files.createDirectories(dir.resolve("tmp-" + attempt)));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log).start();
    }

    /** Polls an observable outcome of the child JVM; fails with its log if it dies or stalls. */
    private void await(Process run, BooleanSupplier done) throws Exception {
        long deadline = System.currentTimeMillis() + 180_000;
        while (!done.getAsBoolean()) {
            if (!run.isAlive() || System.currentTimeMillis() > deadline) {
                StringBuilder logs = new StringBuilder();
                try (var files = Files.list(dir)) {
                    for (Path p : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".log"))::iterator) {
                        List<String> l = Files.readAllLines(p);
                        logs.append(p.getFileName()).append(": ")
                                .append(String.join("\n", l.subList(Math.max(0, l.size() - 15), l.size()))).append('\n');
                    }
                }
                throw new AssertionError((run.isAlive() ? "no progress in 3 min" : "the run died") + "\n" + logs);
            }
            Thread.sleep(100); // polling an observable outcome, not synchronising on time
        }
    }

    private static int lineCount(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file).size() : 0;
        } catch (Exception e) {
            return 0;
        }
    }
}
