package io.paywatch.jobs.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.paywatch.jobs.PipelineSettings;
import io.paywatch.jobs.testing.PartitionedLines;
import io.paywatch.jobs.testing.RandomPayments;
import io.paywatch.jobs.testing.RealisticHour;
import io.paywatch.model.RuleSettings;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A rates-only job (every pattern rule switched off) gives the same outputs whether its events
 * keep every field past the parser or only the rate rules' ({@link EventProjection#RATES}):
 * alerts, rate and input-health points and dead letters, line for line. On the realistic hour
 * and on a randomised stream over three partitions ({@link RandomPayments}: redeliveries, late
 * and malformed records, records missing a field the projection drops, card numbers in kept and
 * dropped fields, every kind of event).
 */
class ProjectionEquivalenceITCase {
    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    static final String RATES_ONLY = String.join("\n",
            "timeout_burst: {enabled: false}", "risk_block: {enabled: false}",
            "charged_unfulfilled: {enabled: false}", "failed_but_charged: {enabled: false}", "");

    static final String RATES_ONLY_ADAPTIVE = RATES_ONLY
            + "failure_rate_anomaly: {enabled: true}\ntraffic_drop: {enabled: true}\n";

    /** @param expected each is part of one of the outputs (the case is exercised) */
    static void sameWithAndWithoutTheProjection(List<RawRecord> records, SourcePartitions partitions,
            String rules, String... expected) throws Exception {
        PipelineSettings projected = PipelineSettings.defaults(RuleSettings.parseYaml(rules, "rules.yaml"));
        PipelineSettings whole = projected.withoutProjection();
        assertThat(projected.eventProjection()).isEqualTo(EventProjection.RATES);
        assertThat(whole.eventProjection()).isEqualTo(EventProjection.ALL);
        List<String> with = PartitionedLines.outputs(records, partitions, projected);
        List<String> without = PartitionedLines.outputs(records, partitions, whole);
        assertThat(with).hasSameSizeAs(without);
        assertThat(with).containsExactlyElementsOf(without);
        for (String part : expected) {
            assertThat(with).anyMatch(l -> l.contains(part));
        }
    }

    static List<RawRecord> hour() {
        List<RawRecord> records = new ArrayList<>();
        int line = 0;
        for (String l : new RealisticHour().lines) {
            records.add(RawRecord.ofText(l, "hour.jsonl:" + (++line)));
        }
        return records;
    }

    @Test
    void theRealisticHour() throws Exception {
        List<RawRecord> records = hour();
        sameWithAndWithoutTheProjection(records, SourcePartitions.single(), RATES_ONLY,
                "\"rule\":\"failure_rate\"", "rate paywatch_rate", "input ", "dead {\"reason\"");
        sameWithAndWithoutTheProjection(records, SourcePartitions.single(), RATES_ONLY_ADAPTIVE,
                "\"rule\":\"failure_rate\"", "rate paywatch_rate");
    }

    @Test
    void aRandomisedStreamOverThreePartitions() throws Exception {
        List<RawRecord> records = PartitionedLines.records(new RandomPayments(23).lines, RandomPayments.PARTITIONS);
        sameWithAndWithoutTheProjection(records, SourcePartitions.kafka("random", 3), RATES_ONLY,
                "\"rule\":\"failure_rate\"", "rate paywatch_rate", "dead {\"reason\":\"late\"",
                "dead {\"reason\":\"missing_field\"", "dead {\"reason\":\"invalid_json\"");
    }
}
