package io.paywatch.jobs.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.paywatch.model.Alert;
import io.paywatch.model.RuleSettings;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class AlertOutputMetricsTest {
    private static Alert alert(String id, String rule, String status) {
        Alert a = new Alert();
        a.alertId = id;
        a.rule = rule;
        a.status = status;
        return a;
    }

    @Test
    void passesAlertsAndWatermarksThroughAndRecordsTheWatermark() throws Exception {
        AlertOutputMetrics.LATEST.set(Long.MIN_VALUE);
        try (OneInputStreamOperatorTestHarness<Alert, Alert> h =
                new OneInputStreamOperatorTestHarness<>(new AlertOutputMetrics())) {
            h.open();
            h.processElement(new StreamRecord<>(alert("a", RuleSettings.FAILURE_RATE, Alert.FIRING), 5));
            assertThat(AlertOutputMetrics.LATEST.get()).isEqualTo(Long.MIN_VALUE);
            h.processWatermark(new Watermark(1_795_428_000_000L));
            h.processElement(new StreamRecord<>(alert("b", RuleSettings.FAILURE_RATE, Alert.RESOLVED), 1_795_428_000_001L));
            assertThat(AlertOutputMetrics.LATEST.get()).isEqualTo(1_795_428_000_000L);
            assertThat(h.extractOutputValues()).extracting(a -> a.alertId).containsExactly("a", "b");
            assertThat(h.getOutput()).anyMatch(o -> o instanceof Watermark
                    && ((Watermark) o).getTimestamp() == 1_795_428_000_000L);
        }
    }

    @Test
    void countsFiredAndResolvedPerRuleIncludingRulesItDidNotKnow() throws Exception {
        AlertOutputMetrics op = new AlertOutputMetrics();
        try (OneInputStreamOperatorTestHarness<Alert, Alert> h = new OneInputStreamOperatorTestHarness<>(op)) {
            h.open();
            h.processElement(new StreamRecord<>(alert("a", RuleSettings.FAILURE_RATE, Alert.FIRING), 1));
            h.processElement(new StreamRecord<>(alert("b", RuleSettings.FAILURE_RATE, Alert.FIRING), 2));
            h.processElement(new StreamRecord<>(alert("a", RuleSettings.FAILURE_RATE, Alert.RESOLVED), 3));
            h.processElement(new StreamRecord<>(alert("c", RuleSettings.TIMEOUT_BURST, Alert.FIRING), 4));
            h.processElement(new StreamRecord<>(alert("d", "a_rule_of_tomorrow", Alert.FIRING), 5));
            assertThat(op.count(RuleSettings.FAILURE_RATE, Alert.FIRING)).isEqualTo(2);
            assertThat(op.count(RuleSettings.FAILURE_RATE, Alert.RESOLVED)).isEqualTo(1);
            assertThat(op.count(RuleSettings.TIMEOUT_BURST, Alert.FIRING)).isEqualTo(1);
            assertThat(op.count(RuleSettings.TIMEOUT_BURST, Alert.RESOLVED)).isZero();
            assertThat(op.count(RuleSettings.CHARGED_UNFULFILLED, Alert.FIRING)).isZero();
            assertThat(op.count("a_rule_of_tomorrow", Alert.FIRING)).isEqualTo(1);
        }
    }

    @Test
    void theLagIsTheWallClockMinusTheWatermarkAndNothingBeforeTheFirstOrAfterTheEnd() {
        assertThat(AlertOutputMetrics.lagMs(1_000, 61_000)).isEqualTo(60_000);
        assertThat(AlertOutputMetrics.lagMs(Long.MIN_VALUE, 61_000)).isZero();
        assertThat(AlertOutputMetrics.lagMs(Long.MAX_VALUE, 61_000)).isZero();
        assertThat(AlertOutputMetrics.lagMs(70_000, 61_000)).isZero();
    }

    @Test
    void labelValuesAreWhatPrometheusKeeps() {
        assertThat(JobMetrics.label("payments-eu.v2")).isEqualTo("payments_eu_v2");
        assertThat(JobMetrics.label("webhook_1")).isEqualTo("webhook_1");
        assertThat(JobMetrics.label("支付")).isEqualTo("__");
        assertThat(JobMetrics.label("")).isEqualTo("_");
    }
}
