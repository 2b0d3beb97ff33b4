package io.paywatch.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.paywatch.jobs.testing.KafkaTopics;
import io.paywatch.jobs.testing.RealisticHour;
import io.paywatch.jobs.testing.TestServices;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.core.execution.JobClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data team's promise: a replay gives what the live run gave. The realistic hour goes to a
 * three-partition topic; a live {@code run} (parallelism 2) consumes it, and {@code replay} reads
 * the same events from a file (parallelism 1) and as a Kafka time range (parallelism 3). The
 * alert files are identical: same ids, start times, values.
 */
class LiveReplayEqualityITCase {
    private static final long START = RealisticHour.START;

    @TempDir
    Path dir;

    @Test
    void replayFromAFileAndFromAKafkaRangeEqualsTheLiveRun() throws Exception {
        String kafka = TestServices.kafka();
        String topic = "payments-equality-it";
        KafkaTopics.create(kafka, topic, 3);
        List<String> lines = new ArrayList<>(new RealisticHour().lines);
        // the last event of every partition at the same time, so that event time ends at the
        // same point whichever way the events are read (a live run stops at its slowest partition)
        List<String> sentinels = new ArrayList<>();
        for (int p = 0; p < 3; p++) {
            sentinels.add("{\"event_id\":\"end-" + p + "\",\"event_time\":" + (START + 3_610_000)
                    + ",\"kind\":\"fulfilment\",\"payment_id\":\"p-end-" + p + "\",\"order_id\":\"o-end-" + p
                    + "\",\"merchant_id\":\"m-end\",\"channel\":\"card\"}");
        }
        List<Long> ingestion = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            ingestion.add(START + i); // record timestamps: when the platform wrote them
        }
        KafkaTopics.produce(kafka, topic, lines, ingestion);
        for (int p = 0; p < 3; p++) {
            KafkaTopics.produceTo(kafka, topic, p, START + lines.size() + p, sentinels.get(p));
        }
        List<String> all = new ArrayList<>(lines);
        all.addAll(sentinels);
        Path file = dir.resolve("hour.jsonl");
        Files.write(file, all);

        // with the adaptive rules on: what they learn is the same live and in a replay
        Path rules = dir.resolve("rules.yaml");
        Files.writeString(rules, "failure_rate_anomaly: {enabled: true}\ntraffic_drop: {enabled: true}\n");

        // replay from the file and from the Kafka range
        Path fromFile = dir.resolve("file-alerts.jsonl");
        Path fromRange = dir.resolve("range-alerts.jsonl");
        Path fileMetrics = dir.resolve("file-metrics.lp");
        run("replay", "--input", file.toString(), "--rules", rules.toString(), "--alerts-out", fromFile.toString(),
                "--metrics-out", fileMetrics.toString(), "--parallelism", "1", "--quiet");
        run("replay", "--kafka-topic", topic, "--rules", rules.toString(), "--from", String.valueOf(START),
                "--to", String.valueOf(START + lines.size() + 10), "--bootstrap-servers", kafka,
                "--alerts-out", fromRange.toString(), "--parallelism", "3", "--quiet");
        List<String> expected = Files.readAllLines(fromFile);
        assertThat(expected).hasSizeGreaterThan(50);
        assertThat(Files.readAllLines(fromRange)).isEqualTo(expected);

        // the live run, until its alerts are complete
        Path live = dir.resolve("live-alerts.jsonl");
        JobCommand command = new JobCommand("run", new String[] {"run", "--bootstrap-servers", kafka,
                "--topic", topic, "--group-id", "equality-it", "--starting-offsets", "earliest",
                "--rules", rules.toString(),
                "--alerts-out", live.toString(), "--metrics-out", dir.resolve("live-metrics.lp").toString(),
                "--checkpoint-dir", dir.resolve("cp").toString(),
                "--checkpoint-interval", "1s", "--idle-advance", "0", "--state", "heap",
                "--parallelism", "2", "--quiet"},
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        JobClient client = command.prepare().env.executeAsync("equality-it");
        List<String> liveAlerts = List.of();
        // metrics up to where a live run's event time gets (the last events minus the bound)
        long reached = START + 3_610_000 - 5_001;
        List<String> expectedMetrics = metricsUpTo(fileMetrics, reached);
        assertThat(expectedMetrics).anyMatch(l -> l.contains("baseline_volume=") && l.contains("baseline_failure_rate="));
        try {
            long deadline = System.currentTimeMillis() + 180_000;
            while (System.currentTimeMillis() < deadline) {
                liveAlerts = sortedCompleteLines(live);
                if (liveAlerts.size() >= expected.size()
                        && metricsUpTo(dir.resolve("live-metrics.lp"), reached).size() >= expectedMetrics.size()) {
                    break;
                }
                Thread.sleep(250); // polling an observable outcome, not synchronising on time
            }
        } finally {
            client.cancel().get();
        }
        assertThat(sortedCompleteLines(live)).isEqualTo(expected);
        // and the same rates, codes and alert points (input counts are tallied at each partition's
        // newest event time, which depends on how the events are split into partitions)
        assertThat(metricsUpTo(dir.resolve("live-metrics.lp"), reached)).isEqualTo(expectedMetrics);
    }

    private static List<String> metricsUpTo(Path file, long reached) throws Exception {
        if (!Files.exists(file)) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String l : Files.readAllLines(file)) {
            int sp = l.lastIndexOf(' ');
            if (sp > 0 && !l.startsWith("paywatch_input") && l.substring(sp + 1).chars().allMatch(Character::isDigit)
                    && Long.parseLong(l.substring(sp + 1)) <= reached) {
                out.add(l);
            }
        }
        out.sort(Comparator.naturalOrder());
        return out;
    }

    private static void run(String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = PayWatchCli.run(args, new PrintStream(new ByteArrayOutputStream(), true,
                StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
    }

    /** The live file in the replay's canonical order (lines still being written left out). */
    private static List<String> sortedCompleteLines(Path file) throws Exception {
        if (!Files.exists(file)) {
            return List.of();
        }
        List<String> lines = new ArrayList<>();
        for (String l : Files.readAllLines(file)) {
            if (l.endsWith("}")) {
                lines.add(l);
            }
        }
        lines.sort(Comparator.comparing(OutputFiles::alertKey));
        return lines;
    }
}
