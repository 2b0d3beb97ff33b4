package io.paywatch.jobs.alerting;

import static org.assertj.core.api.Assertions.assertThat;

import io.paywatch.model.AnomalySettings;
import io.paywatch.model.TrafficDropSettings;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The adaptive rules' decisions, as tables (contract section 3b defaults). */
class AdaptiveRuleDecisionsTest {
    private static final AnomalySettings ANOMALY = AnomalySettings.defaults();
    private static final TrafficDropSettings DROP = TrafficDropSettings.defaults();

    @ParameterizedTest(name = "firing={0} fired_on={1} {3} of {2} baseline={4} -> {5}")
    @CsvSource({
        // firing, baseline it fired on, payments, failures, baseline now (NaN: none), decision
        "false, 0, 412, 51, 0.011, FIRE/warning", // the contract's example: 12.4 % vs 1.1 %
        "false, 0, 412, 51, NaN, NONE/null", // no baseline yet
        "false, 0, 49, 49, 0.0, NONE/null", // under min_volume, even at 100 %
        "false, 0, 50, 50, 0.0, FIRE/warning", // 100 % failures, a baseline of exactly 0
        "false, 0, 50, 0, 0.0, NONE/null", // 0 failures
        "false, 0, 400, 88, 0.22, NONE/null", // a steady 22 % is its normal
        "false, 0, 100, 22, 0.05, FIRE/warning", // 22 % of 100: lower bound 13.3 % >= 10 %
        "false, 0, 100, 20, 0.07, NONE/null", // lower bound 11.7 % < 12 %
        "false, 0, 0, 0, 0.01, NONE/null", // 0 payments
        "true, 0.011, 412, 51, 0.011, NONE/warning", // still bad: stays open
        "true, 0.011, 412, 14, 0.03, RESOLVE/null", // 3.4 % < 1.1 % + 2.5 points
        "true, 0.011, 412, 16, NaN, NONE/warning", // 3.9 %: not yet; no baseline now is no reason
        "true, 0.011, 49, 30, 0.011, RESOLVE/null", // too few payments to judge
    })
    void anomaly(boolean firing, double firedOn, int total, int failures, double baseline, String expected) {
        FailureRateRule.Decision d = AnomalyRule.evaluate(firing, firedOn, total, failures, baseline, ANOMALY);
        assertThat(d.transition + "/" + d.severity).isEqualTo(expected);
    }

    @ParameterizedTest(name = "severity={0} fired_on={1} window={2} baseline={3} -> {4}")
    @CsvSource({
        // firing severity (empty: none), baseline it fired on, window's payments, baseline now, decision
        ", 0, 0, 500, FIRE/critical", // silent: critical
        ", 0, 100, 500, FIRE/warning", // 20 %: warning
        ", 0, 101, 500, NONE/null",
        ", 0, 300, 500, NONE/null", // down 40 %: not a drop
        ", 0, 0, 99, NONE/null", // too small a key to judge
        ", 0, 0, NaN, NONE/null", // still warming up
        "critical, 500, 0, NaN, NONE/critical",
        "critical, 500, 10, 400, SEVERITY_CHANGE/warning", // traffic trickles back
        "warning, 500, 0, 400, SEVERITY_CHANGE/critical",
        "warning, 500, 249, 400, NONE/warning", // below half of the baseline it fired on
        "warning, 500, 250, 400, RESOLVE/null",
        "critical, 500, 600, NaN, RESOLVE/null",
    })
    void trafficDrop(String severity, double firedOn, int total, double baseline, String expected) {
        FailureRateRule.Decision d = TrafficDropRule.evaluate(severity, firedOn, total, baseline, DROP);
        assertThat(d.transition + "/" + d.severity).isEqualTo(expected);
    }
}
