package io.paywatch.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.paywatch.jobs.testing.FlinkCluster;
import io.paywatch.jobs.testing.KafkaTopics;
import io.paywatch.jobs.testing.TestServices;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same jar on a real standalone Flink cluster (a JobManager and two TaskManagers, separate
 * JVMs), submitted with {@code flink run}: one TaskManager is killed with SIGKILL mid-stream, the
 * job restores from its latest checkpoint on the other, and ends with the alerts and metrics of
 * an uninterrupted run.
 */
class ClusterFailoverITCase {
    @TempDir
    Path dir;

    @Test
    void aTaskManagerKilledMidStreamCostsNoAlert() throws Exception {
        String kafka = TestServices.kafka();
        String topic = "payments-cluster-it";
        KafkaTopics.create(kafka, topic, 2);
        KafkaTopics.create(kafka, "alerts-cluster-it", 1);
        LiveRunReference ref = new LiveRunReference(dir, 2);
        Path alerts = dir.resolve("alerts.jsonl");
        Path metrics = dir.resolve("metrics.lp");
        int half = ref.lines.size() / 2;
        KafkaTopics.produce(kafka, topic, ref.lines.subList(0, half), null);

        try (FlinkCluster cluster = new FlinkCluster(dir, 2)) {
            Process client = cluster.submit(Paths.get("target", "paywatch.jar").toAbsolutePath(),
                    "io.paywatch.jobs.cli.PayWatchCli", List.of("run", "--bootstrap-servers", kafka,
                            "--topic", topic, "--group-id", "cluster-it", "--starting-offsets", "earliest",
                            "--alerts-out", alerts.toString(), "--metrics-out", metrics.toString(),
                            "--checkpoint-dir", dir.resolve("checkpoints").toString(),
                            "--checkpoint-interval", "1s", "--idle-advance", "0", "--state", "rocksdb",
                            "--parallelism", "2", "--quiet", "--alerts-topic", "alerts-cluster-it"),
                    dir.resolve("client.out"));
            try {
                // running, checkpointed, alerting: then a TaskManager dies
                await(cluster, () -> completedCheckpoints(cluster) >= 2
                        && LiveRunReference.sortedCompleteLines(alerts).size() > 5);
                cluster.taskManagerRunning(jobId(cluster)).destroyForcibly().waitFor();
                KafkaTopics.produce(kafka, topic, ref.lines.subList(half, ref.lines.size()), null);
                for (int p = 0; p < 2; p++) {
                    KafkaTopics.produceTo(kafka, topic, p, System.currentTimeMillis(), ref.sentinels.get(p));
                }
                await(cluster, () -> ref.complete(alerts, metrics));

                // it restarted from a checkpoint (not from scratch) …
                JsonNode checkpoints = cluster.get("/jobs/" + jobId(cluster) + "/checkpoints");
                assertThat(checkpoints.path("counts").path("restored").asLong()).as(checkpoints.toString())
                        .isGreaterThanOrEqualTo(1);
                // … and ended as an uninterrupted run does
                LiveRunReference.assertSameLines("alerts file",
                        LiveRunReference.sortedCompleteLines(alerts), ref.expectedAlerts);
                assertThat(Files.readAllLines(alerts)).doesNotHaveDuplicates();
                LiveRunReference.assertSameLines("alerts topic",
                        LiveRunReference.readCommitted(kafka, "alerts-cluster-it", ref.expectedAlerts.size()),
                        ref.expectedAlerts);
                LiveRunReference.assertSameLines("metrics file",
                        LiveRunReference.metricsUpTo(metrics, LiveRunReference.REACHED), ref.expectedMetrics);
            } finally {
                client.destroyForcibly().waitFor();
            }
        }
    }

    private static String jobId(FlinkCluster cluster) throws Exception {
        JsonNode jobs = cluster.get("/jobs/overview").path("jobs");
        return jobs.size() == 0 ? "none" : jobs.get(0).path("jid").asText();
    }

    private static long completedCheckpoints(FlinkCluster cluster) {
        try {
            String id = jobId(cluster);
            return id.equals("none") ? 0 : cluster.get("/jobs/" + id + "/checkpoints").path("counts").path("completed").asLong();
        } catch (Exception notYet) {
            return 0;
        }
    }

    private void await(FlinkCluster cluster, BooleanSupplier done) throws Exception {
        long deadline = System.currentTimeMillis() + 240_000;
        while (!done.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                StringBuilder logs = new StringBuilder();
                for (String name : List.of("client.out", "jobmanager.log")) {
                    Path p = dir.resolve(name);
                    if (Files.exists(p)) {
                        List<String> l = Files.readAllLines(p);
                        List<String> errors = l.stream().filter(x -> x.contains("ERROR") || x.contains("Caused by")).toList();
                        logs.append(name).append(":\n")
                                .append(String.join("\n", errors.subList(Math.max(0, errors.size() - 12), errors.size())))
                                .append("\n…\n")
                                .append(String.join("\n", l.subList(Math.max(0, l.size() - 8), l.size()))).append('\n');
                    }
                }
                throw new AssertionError("no progress on the cluster in 4 min\n" + logs);
            }
            Thread.sleep(200); // polling an observable outcome, not synchronising on time
        }
    }
}
