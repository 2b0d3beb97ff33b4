package io.paywatch.jobs.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.paywatch.jobs.PipelineSettings;
import io.paywatch.jobs.testing.PartitionedLines;
import io.paywatch.jobs.testing.RandomPayments;
import io.paywatch.model.RuleSettings;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Redeliveries that arrive late on their own partition, up to a minute after their on-time
 * originals on another: dedup reads the two through separate exchanges, so a late copy can come
 * first. Every such copy is still the duplicate (the contract's second delivery), and two runs of
 * the whole job give the same outputs line for line.
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
}
