package io.paywatch.jobs.alerting;

import io.paywatch.model.FailureRateSettings;

/**
 * The {@code failure_rate} rule as a pure state machine (contract section 3): fires at
 * {@code warning} or {@code critical} with at least {@code min_volume} payments, changes
 * severity with hysteresis, resolves below {@code resolve_below} or under the minimum volume.
 * One incident sends one {@code firing}, one more per severity change, and one {@code resolved}.
 */
public final class FailureRateRule {
    /** What an evaluation decided. */
    public enum Transition {
        NONE,
        FIRE,
        SEVERITY_CHANGE,
        RESOLVE
    }

    /** Decision plus the severity the incident has afterwards (null when not firing). */
    public static final class Decision {
        public final Transition transition;
        public final String severity;
        public final double threshold;

        Decision(Transition transition, String severity, double threshold) {
            this.transition = transition;
            this.severity = severity;
            this.threshold = threshold;
        }

        @Override
        public String toString() {
            return transition + "/" + severity + "@" + threshold;
        }
    }

    /** Nothing happens: no incident, none changes (also what a switched-off rule decides). */
    public static final Decision NONE = new Decision(Transition.NONE, null, 0);

    private FailureRateRule() {}

    /**
     * @param firingSeverity the severity of the incident in progress, or null when none fires
     * @param total payments in the window
     * @param rate failure rate of the window
     */
    public static Decision evaluate(
            String firingSeverity, int total, double rate, FailureRateSettings s) {
        boolean enoughVolume = total >= s.minVolume;
        if (firingSeverity == null) {
            if (enoughVolume && rate >= s.warning) {
                return rate >= s.critical
                        ? new Decision(Transition.FIRE, Severity.CRITICAL, s.critical)
                        : new Decision(Transition.FIRE, Severity.WARNING, s.warning);
            }
            return NONE;
        }
        if (!enoughVolume || rate < s.resolveBelow) {
            return new Decision(Transition.RESOLVE, null,
                    enoughVolume ? s.resolveBelow : s.minVolume);
        }
        if (Severity.WARNING.equals(firingSeverity) && rate >= s.critical) {
            return new Decision(Transition.SEVERITY_CHANGE, Severity.CRITICAL, s.critical);
        }
        if (Severity.CRITICAL.equals(firingSeverity) && rate < s.deescalateBelow) {
            return new Decision(Transition.SEVERITY_CHANGE, Severity.WARNING, s.warning);
        }
        return new Decision(Transition.NONE, firingSeverity, 0);
    }
}
