package io.paywatch.jobs.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.paywatch.jobs.PipelineSettings;
import io.paywatch.jobs.cli.PayWatchCli;
import io.paywatch.jobs.testing.KafkaTopics;
import io.paywatch.jobs.testing.PartitionedLines;
import io.paywatch.jobs.testing.PartitionedLines.Line;
import io.paywatch.jobs.testing.RandomPayments;
import io.paywatch.jobs.testing.TestServices;
import io.paywatch.model.RuleSettings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Redeliveries that arrive late on their own partition, up to a minute after their on-time
 * originals on another: dedup reads the two through separate exchanges, so a late copy can come
 * first. Every such copy is still the duplicate (the contract's second delivery), and two runs of
 * the whole job give the same outputs line for line: on a MiniCluster with one source subtask, and
 * in a replay of a Kafka topic by two.
 */
class LateRedeliveryITCase {
    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    private static final Pattern DUPLICATES = Pattern.compile("[ ,]duplicates=(\\d+)i");

    private static long duplicates(List<String> outputs) {
        long sum = 0;
        for (String line : outputs) {
            Matcher m = DUPLICATES.matcher(line);
            if (line.startsWith("input ") && m.find()) {
                sum += Long.parseLong(m.group(1));
            }
        }
        return sum;
    }

    @Test
    void everyLateRedeliveryIsTheDuplicateOnEveryRun() throws Exception {
        RandomPayments stream = new RandomPayments(31);
        List<RawRecord> records = PartitionedLines.records(stream.lines, RandomPayments.PARTITIONS);
        PipelineSettings settings = PipelineSettings.defaults(RuleSettings.defaults());
        SourcePartitions partitions = SourcePartitions.kafka("random", RandomPayments.PARTITIONS);

        List<String> first = PartitionedLines.outputs(records, partitions, settings);
        List<String> second = PartitionedLines.outputs(records, partitions, settings);

        assertThat(stream.redeliveriesOfOnTimeEvents).isGreaterThan(300);
        assertThat(duplicates(first)).isEqualTo(stream.redeliveriesOfOnTimeEvents);
        assertThat(first).anyMatch(l -> l.startsWith("dead {\"reason\":\"late\""));
        assertThat(second).containsExactlyElementsOf(first);
    }

    /**
     * The same stream from a Kafka topic of three partitions, replayed by two source subtasks (one
     * reads two partitions): an original and its late copy are read by different subtasks, and
     * reach dedup through different channels as well as different exchanges.
     */
    @Test
    void fromKafkaReadByTwoSourceSubtasksEveryLateRedeliveryIsTheDuplicate(@TempDir Path dir) throws Exception {
        RandomPayments stream = new RandomPayments(37);
        List<Line> lines = new ArrayList<>(stream.lines);
        lines.sort(Comparator.comparingLong(Line::arrival));
        String kafka = TestServices.kafka();
        String topic = "payments-late-redeliveries-it";
        KafkaTopics.create(kafka, topic, RandomPayments.PARTITIONS);
        KafkaTopics.produceLines(kafka, topic, lines);
        String from = String.valueOf(lines.get(0).arrival());
        String to = String.valueOf(lines.get(lines.size() - 1).arrival() + 1);

        List<List<String>> runs = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            Path alerts = dir.resolve("alerts-" + run + ".jsonl");
            Path metrics = dir.resolve("metrics-" + run + ".lp");
            Path deadLetters = dir.resolve("dead-" + run + ".jsonl");
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = PayWatchCli.run(new String[] {"replay", "--kafka-topic", topic, "--bootstrap-servers", kafka,
                    "--from", from, "--to", to, "--parallelism", "2", "--alerts-out", alerts.toString(),
                    "--metrics-out", metrics.toString(), "--dead-letter-out", deadLetters.toString(), "--quiet"},
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
            List<String> outputs = new ArrayList<>();
            for (Path p : List.of(alerts, metrics, deadLetters)) {
                Files.readAllLines(p).forEach(l -> outputs.add(p.getFileName().toString().charAt(0) + " " + l));
            }
            runs.add(outputs);
        }

        List<String> inputPoints = runs.get(0).stream().filter(l -> l.startsWith("m paywatch_input"))
                .map(l -> "input " + l.substring(2)).toList();
        assertThat(stream.redeliveriesOfOnTimeEvents).isGreaterThan(300);
        assertThat(duplicates(inputPoints)).isEqualTo(stream.redeliveriesOfOnTimeEvents);
        assertThat(runs.get(0)).anyMatch(l -> l.startsWith("d {\"reason\":\"late\""));
        assertThat(runs.get(1)).containsExactlyElementsOf(runs.get(0));
    }
}
