package io.paywatch.jobs.alerting;

import io.paywatch.jobs.alerting.FailureRateRule.Decision;
import io.paywatch.jobs.alerting.FailureRateRule.Transition;
import io.paywatch.jobs.rates.WilsonScore;
import io.paywatch.model.AnomalySettings;

/**
 * The {@code failure_rate_anomaly} rule as a pure decision (contract section 3b): a window
 * significantly worse than the key's own baseline. Fires when the lower bound of the window's
 * Wilson interval reaches baseline + {@code min_increase}; an open incident is judged against
 * the baseline it fired on and resolves below baseline + {@code min_increase} / 2 or under the
 * minimum volume. Severity {@code warning}: the static {@code failure_rate} rule pages critical.
 */
public final class AnomalyRule {
    private AnomalyRule() {}

    /**
     * @param firing whether an incident is open
     * @param firedBaseline the open incident's baseline (ignored when none is open)
     * @param total the window's payments
     * @param failures the window's failures by the rule's measure
     * @param baseline the key's baseline now, NaN when it has none
     */
    public static Decision evaluate(boolean firing, double firedBaseline, int total, int failures,
            double baseline, AnomalySettings s) {
        if (!firing) {
            if (Double.isNaN(baseline) || total < s.minVolume) {
                return FailureRateRule.NONE;
            }
            double threshold = baseline + s.minIncrease;
            if (WilsonScore.lowerBound(failures, total, s.confidence) >= threshold) {
                return new Decision(Transition.FIRE, Severity.WARNING, threshold);
            }
            return FailureRateRule.NONE;
        }
        double rate = total == 0 ? 0.0 : (double) failures / total;
        if (total < s.minVolume) {
            return new Decision(Transition.RESOLVE, null, s.minVolume);
        }
        double resolveBelow = firedBaseline + s.minIncrease / 2;
        if (rate < resolveBelow) {
            return new Decision(Transition.RESOLVE, null, resolveBelow);
        }
        return new Decision(Transition.NONE, Severity.WARNING, 0);
    }
}
