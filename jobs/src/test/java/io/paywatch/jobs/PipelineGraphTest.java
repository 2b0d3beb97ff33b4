package io.paywatch.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.paywatch.jobs.ingest.RawRecord;
import io.paywatch.jobs.ingest.SourcePartitions;
import io.paywatch.jobs.runtime.NetworkBuffers;
import io.paywatch.model.RuleSettings;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.api.graph.StreamEdge;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;

/** What the pipeline builds for a rule set: a switched-off rule has no operator at all. */
class PipelineGraphTest {
    /** The job of {@code rules} on {@code env}, every output to a discarding sink. */
    private static void buildWithSinks(StreamExecutionEnvironment env, RuleSettings rules) {
        DataStream<RawRecord> raw = env.fromData(TypeInformation.of(RawRecord.class),
                RawRecord.ofText("{}", "test:1"));
        PaymentMonitorJob.Outputs o = PaymentMonitorJob.build(raw, SourcePartitions.single(),
                PipelineSettings.defaults(rules));
        o.alerts.sinkTo(new DiscardingSink<>());
        o.rates.sinkTo(new DiscardingSink<>());
        o.deadLetters.sinkTo(new DiscardingSink<>());
        o.inputHealth.sinkTo(new DiscardingSink<>());
    }

    static List<String> uids(RuleSettings rules) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        buildWithSinks(env, rules);
        return env.getStreamGraph().getStreamNodes().stream()
                .map(StreamNode::getTransformationUID).filter(u -> u != null)
                .sorted().collect(Collectors.toList());
    }

    /** The names of the tasks (chains of operators) of the default job at {@code parallelism}. */
    static List<String> tasks(int parallelism) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(parallelism);
        buildWithSinks(env, RuleSettings.defaults());
        List<String> vertices = new java.util.ArrayList<>();
        env.getStreamGraph().getJobGraph().getVertices().forEach(v -> vertices.add(v.getName()));
        return vertices;
    }

    /**
     * Only the events' exchange into dedup waits for full buffers; every exchange after it carries
     * few records and sends them within {@link NetworkBuffers#FEW_RECORDS_MS} (an alert and the
     * watermark that releases it cross about six of them).
     */
    @Test
    void onlyTheEventsExchangeWaitsForFullBuffers() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        NetworkBuffers.apply(env);
        buildWithSinks(env, RuleSettings.defaults());
        StreamGraph graph = env.getStreamGraph();
        Map<String, Long> timeouts = new TreeMap<>();
        for (StreamNode node : graph.getStreamNodes()) {
            for (StreamEdge edge : node.getOutEdges()) {
                timeouts.put(node.getOperatorName() + " -> " + graph.getStreamNode(edge.getTargetId()).getOperatorName(),
                        edge.getBufferTimeout());
            }
        }
        assertThat(timeouts).containsEntry("event time gate -> dedup by event_id", NetworkBuffers.EVENTS_MS);
        Map<String, Long> afterDedup = new TreeMap<>(timeouts);
        afterDedup.keySet().removeIf(edge -> edge.startsWith("event time gate ->"));
        assertThat(afterDedup).hasSizeGreaterThan(20)
                .allSatisfy((edge, ms) -> assertThat(ms).as(edge).isEqualTo(NetworkBuffers.FEW_RECORDS_MS));
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
                "cep-charged-unfulfilled-screen-by-merchant", "cep-charged-unfulfilled-screened-last-1000ms",
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
