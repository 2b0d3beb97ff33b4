package io.paywatch.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.paywatch.jobs.ingest.RawRecord;
import io.paywatch.jobs.ingest.SourcePartitions;
import io.paywatch.model.RuleSettings;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;

/** What the pipeline builds for a rule set: a switched-off rule has no operator at all. */
class PipelineGraphTest {
    static List<String> uids(RuleSettings rules) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        DataStream<RawRecord> raw = env.fromData(TypeInformation.of(RawRecord.class),
                RawRecord.ofText("{}", "test:1"));
        PaymentMonitorJob.Outputs o = PaymentMonitorJob.build(raw, SourcePartitions.single(),
                PipelineSettings.defaults(rules));
        o.alerts.sinkTo(new DiscardingSink<>());
        o.rates.sinkTo(new DiscardingSink<>());
        o.deadLetters.sinkTo(new DiscardingSink<>());
        o.inputHealth.sinkTo(new DiscardingSink<>());
        return env.getStreamGraph().getStreamNodes().stream()
                .map(StreamNode::getTransformationUID).filter(u -> u != null)
                .sorted().collect(Collectors.toList());
    }

    /** The names of the tasks (chains of operators) of the default job at {@code parallelism}. */
    static List<String> tasks(int parallelism) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(parallelism);
        DataStream<RawRecord> raw = env.fromData(TypeInformation.of(RawRecord.class),
                RawRecord.ofText("{}", "test:1"));
        PaymentMonitorJob.Outputs o = PaymentMonitorJob.build(raw, SourcePartitions.single(),
                PipelineSettings.defaults(RuleSettings.defaults()));
        o.alerts.sinkTo(new DiscardingSink<>());
        o.rates.sinkTo(new DiscardingSink<>());
        List<String> vertices = new java.util.ArrayList<>();
        env.getStreamGraph().getJobGraph().getVertices().forEach(v -> vertices.add(v.getName()));
        return vertices;
    }

    /** The alert metrics cost no exchange: they run in alert routing's task. */
    @Test
    void theAlertMetricsAreChainedToAlertRouting() {
        assertThat(tasks(1)).anyMatch(n -> n.contains("alert routing -> alert metrics"));
    }

    /** Every charge, fulfilment and failure stays in dedup's task: only what a screen forwards is exchanged. */
    @Test
    void theScreensRunInDedupsTask() {
        List<String> tasks = tasks(2);
        assertThat(tasks).filteredOn(n -> n.contains("dedup by event_id")).singleElement()
                .satisfies(n -> assertThat(n).contains("charged_unfulfilled screen", "failed_but_charged screen"));
        assertThat(tasks).filteredOn(n -> n.contains("screen")).hasSize(1);
    }

    @Test
    void everyRuleHasItsOperatorsByDefault() {
        assertThat(uids(RuleSettings.defaults())).contains("cep-timeout-burst", "cep-risk-block",
                "cep-charged-unfulfilled-screen-by-merchant", "cep-charged-unfulfilled-screened",
                "cep-failed-but-charged-screen-by-merchant",
                "cep-failed-but-charged-screened", "pattern-incidents",
                "failure-rate-merchant", "failure-rate-channel", "late-at-patterns");
    }

    @Test
    void aSwitchedOffPatternRuleIsNotBuilt() {
        List<String> uids = uids(RuleSettings.parseYaml(
                "timeout_burst: {enabled: false}\ncharged_unfulfilled: {enabled: false}\n", "rules.yaml"));
        assertThat(uids).contains("cep-risk-block", "cep-failed-but-charged-screened", "pattern-incidents");
        assertThat(uids).noneMatch(u -> u.contains("timeout-burst") || u.contains("charged-unfulfilled"));
    }

    @Test
    void withEveryPatternRuleOffOnlyTheRatesRemain() {
        List<String> uids = uids(RuleSettings.parseYaml(String.join("\n",
                "timeout_burst: {enabled: false}", "risk_block: {enabled: false}",
                "charged_unfulfilled: {enabled: false}", "failed_but_charged: {enabled: false}", ""),
                "rules.yaml"));
        assertThat(uids).contains("failure-rate-merchant", "failure-rate-channel", "dedup-by-merchant");
        assertThat(uids).noneMatch(u -> u.startsWith("cep-") || u.startsWith("resolver")
                || u.equals("pattern-incidents") || u.equals("late-at-patterns"));
    }
}
