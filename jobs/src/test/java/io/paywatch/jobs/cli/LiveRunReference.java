package io.paywatch.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.paywatch.jobs.testing.RealisticHour;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The realistic hour as a live run's input, and what an uninterrupted run gives for it (a
 * replay of the same events): for the tests that disturb a live run and require the same end.
 */
final class LiveRunReference {
    static final long START = RealisticHour.START;
    /** Where a live run's event time gets: the sentinels' time minus the lateness bound. */
    static final long REACHED = START + 3_610_000 - 5_001;

    final List<String> lines = new ArrayList<>(new RealisticHour().lines);
    /** The last event of every partition at the same time, so event time ends at the same point. */
    final List<String> sentinels = new ArrayList<>();
    final List<String> expectedAlerts;
    final List<String> expectedMetrics;

    LiveRunReference(Path dir, int partitions) throws Exception {
        for (int p = 0; p < partitions; p++) {
            sentinels.add("{\"event_id\":\"end-" + p + "\",\"event_time\":" + (START + 3_610_000)
                    + ",\"kind\":\"fulfilment\",\"payment_id\":\"p-end-" + p + "\",\"order_id\":\"o-end-" + p
                    + "\",\"merchant_id\":\"m-end\",\"channel\":\"card\"}");
        }
        List<String> all = new ArrayList<>(lines);
        all.addAll(sentinels);
        Path file = dir.resolve("hour.jsonl");
        Files.write(file, all);
        Path alerts = dir.resolve("ref-alerts.jsonl");
        Path metrics = dir.resolve("ref-metrics.lp");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(PayWatchCli.run(new String[] {"replay", "--input", file.toString(), "--alerts-out",
                alerts.toString(), "--metrics-out", metrics.toString(), "--parallelism", "1", "--quiet"},
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8))).as(err.toString()).isZero();
        expectedAlerts = Files.readAllLines(alerts);
        expectedMetrics = metricsUpTo(metrics, REACHED);
        assertThat(expectedAlerts).hasSizeGreaterThan(50);
    }

    /** Whether a live run's files hold everything the reference has (they may still grow). */
    boolean complete(Path alerts, Path metrics) {
        return sortedCompleteLines(alerts).size() >= expectedAlerts.size()
                && metricsUpTo(metrics, REACHED).size() >= expectedMetrics.size();
    }

    /**
     * Requires {@code actual} to equal {@code expected}; when they differ, says which lines are
     * missing and which are extra (AssertJ's message cuts lists of a thousand lines short of that).
     */
    static void assertSameLines(String what, List<String> actual, List<String> expected) {
        if (actual.equals(expected)) {
            return;
        }
        java.util.Map<String, Integer> count = new java.util.HashMap<>();
        expected.forEach(l -> count.merge(l, 1, Integer::sum));
        List<String> extra = new ArrayList<>();
        for (String l : actual) {
            if (count.merge(l, -1, Integer::sum) < 0) {
                extra.add(l);
            }
        }
        List<String> missing = new ArrayList<>();
        count.forEach((l, n) -> {
            for (int i = 0; i < n; i++) {
                missing.add(l);
            }
        });
        missing.sort(Comparator.naturalOrder());
        throw new AssertionError(what + ": " + actual.size() + " lines, the uninterrupted run " + expected.size()
                + (missing.isEmpty() && extra.isEmpty() ? " (same lines, other order)" : "")
                + "\nmissing (" + missing.size() + "):\n  " + String.join("\n  ", missing.subList(0, Math.min(15, missing.size())))
                + "\nextra (" + extra.size() + "):\n  " + String.join("\n  ", extra.subList(0, Math.min(15, extra.size()))));
    }

    /** Rates, codes and alert points up to {@code reached} (input counts depend on partitioning). */
    static List<String> metricsUpTo(Path file, long reached) {
        List<String> out = new ArrayList<>();
        try {
            if (!Files.exists(file)) {
                return out;
            }
            for (String l : Files.readAllLines(file)) {
                int sp = l.lastIndexOf(' ');
                if (sp > 0 && !l.startsWith("paywatch_input") && !l.startsWith("paywatch_delivery")
                        && l.substring(sp + 1).chars().allMatch(Character::isDigit)
                        && Long.parseLong(l.substring(sp + 1)) <= reached) {
                    out.add(l);
                }
            }
        } catch (Exception beingWritten) {
            return out;
        }
        out.sort(Comparator.naturalOrder());
        return out;
    }

    /** A live alerts file in the replay's canonical order (a line being written left out). */
    static List<String> sortedCompleteLines(Path file) {
        List<String> lines = new ArrayList<>();
        try {
            if (!Files.exists(file)) {
                return lines;
            }
            for (String l : Files.readAllLines(file)) {
                if (l.endsWith("}")) {
                    lines.add(l);
                }
            }
        } catch (Exception beingWritten) {
            return lines;
        }
        lines.sort(Comparator.comparing(OutputFiles::alertKey));
        return lines;
    }

    /** A topic's committed records (read_committed), in the canonical order. */
    static List<String> readCommitted(String kafka, String topic, int atLeast) {
        return readCommitted(io.paywatch.jobs.testing.KafkaTopics.client(kafka, new Properties()), topic, atLeast);
    }

    /** {@link #readCommitted(String, String, int)} with a client of these settings (servers included). */
    static List<String> readCommitted(Properties client, String topic, int atLeast) {
        Properties cp = new Properties();
        cp.putAll(client);
        cp.put(ConsumerConfig.GROUP_ID_CONFIG, topic + "-reader");
        cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        cp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        cp.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        cp.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        List<String> out = new ArrayList<>();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(cp)) {
            c.subscribe(List.of(topic));
            long deadline = System.currentTimeMillis() + 120_000; // a RocksDB checkpoint here can take 25 s
            int emptyPolls = 0;
            while (System.currentTimeMillis() < deadline && (out.size() < atLeast || emptyPolls < 5)) {
                var records = c.poll(Duration.ofMillis(300));
                emptyPolls = records.isEmpty() ? emptyPolls + 1 : 0;
                records.forEach(r -> out.add(r.value()));
            }
        }
        out.sort(Comparator.comparing(OutputFiles::alertKey));
        return out;
    }

    /**
     * For a disturbed run that differs from the uninterrupted one: the event-time gates' log
     * (partitions turning idle and back) and how many records came late, with the first few.
     */
    static String eventTimeReport(Path log, long from, Path deadLetters) {
        StringBuilder out = new StringBuilder("event-time gates:");
        logSince(log, from).lines().filter(l -> l.contains(" EventTimeGate "))
                .forEach(l -> out.append("\n  ").append(l));
        List<String> late = new ArrayList<>();
        try {
            if (Files.exists(deadLetters)) {
                for (String l : Files.readAllLines(deadLetters)) {
                    if (l.contains("\"reason\":\"late\"")) {
                        late.add(l);
                    }
                }
            }
        } catch (java.io.IOException beingWritten) {
            out.append("\n(dead letters unreadable: ").append(beingWritten.getMessage()).append(')');
        }
        out.append("\nlate dead letters: ").append(late.size());
        late.stream().limit(5).forEach(l -> out.append("\n  ").append(l.length() > 400 ? l.substring(0, 400) + "…" : l));
        return out.toString();
    }

    /** What the test log got from byte {@code from} on (this test's part of the shared log). */
    static String logSince(Path log, long from) {
        try {
            byte[] all = Files.readAllBytes(log);
            return new String(all, (int) from, all.length - (int) from, StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
