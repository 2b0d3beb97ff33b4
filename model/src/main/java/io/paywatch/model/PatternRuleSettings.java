package io.paywatch.model;

import java.io.Serializable;
import java.util.Objects;

/**
 * Parameters of a pattern rule ({@code timeout_burst}, {@code risk_block},
 * {@code charged_unfulfilled}, {@code failed_but_charged}): how many events, within how long,
 * and how much quiet resolves the incident. Fields a rule does not use are 0.
 */
public final class PatternRuleSettings implements Serializable {
    private static final long serialVersionUID = 1L;

    public final int count;
    public final long withinMs;
    public final long quietMs;

    public PatternRuleSettings(int count, long withinMs, long quietMs) {
        this.count = count;
        this.withinMs = withinMs;
        this.quietMs = quietMs;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof PatternRuleSettings)) {
            return false;
        }
        PatternRuleSettings s = (PatternRuleSettings) o;
        return count == s.count && withinMs == s.withinMs && quietMs == s.quietMs;
    }

    @Override
    public int hashCode() {
        return Objects.hash(count, withinMs, quietMs);
    }

    @Override
    public String toString() {
        return "{count=" + count + ", within=" + Durations.format(withinMs) + ", quiet="
                + Durations.format(quietMs) + "}";
    }
}
