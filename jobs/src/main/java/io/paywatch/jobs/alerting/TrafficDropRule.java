package io.paywatch.jobs.alerting;

import io.paywatch.jobs.alerting.FailureRateRule.Decision;
import io.paywatch.jobs.alerting.FailureRateRule.Transition;
import io.paywatch.model.TrafficDropSettings;

/**
 * The {@code traffic_drop} rule as a pure decision (contract section 3b): a key with an
 * established volume whose window holds at most {@code drop_to} of it; {@code critical} while the
 * window is empty, else {@code warning}. An open incident is judged against the baseline it fired
 * on and resolves once the window holds {@code resolve_above} of it.
 */
public final class TrafficDropRule {
    private TrafficDropRule() {}

    /**
     * @param firingSeverity the open incident's severity, null when none is open
     * @param firedBaseline the open incident's baseline volume
     * @param total the window's payments
     * @param baseline the key's usual payments per window now, NaN when it has no baseline yet
     */
    public static Decision evaluate(String firingSeverity, double firedBaseline, int total,
            double baseline, TrafficDropSettings s) {
        String severity = total == 0 ? Severity.CRITICAL : Severity.WARNING;
        if (firingSeverity == null) {
            if (Double.isNaN(baseline) || baseline < s.minBaseline || total > s.dropTo * baseline) {
                return FailureRateRule.NONE;
            }
            return new Decision(Transition.FIRE, severity, s.dropTo * baseline);
        }
        if (total >= s.resolveAbove * firedBaseline) {
            return new Decision(Transition.RESOLVE, null, s.resolveAbove * firedBaseline);
        }
        if (!severity.equals(firingSeverity)) {
            return new Decision(Transition.SEVERITY_CHANGE, severity, s.dropTo * firedBaseline);
        }
        return new Decision(Transition.NONE, firingSeverity, 0);
    }
}
