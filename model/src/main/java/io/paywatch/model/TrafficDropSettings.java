package io.paywatch.model;

import java.io.Serializable;
import java.util.Objects;

/**
 * Parameters of the {@code traffic_drop} rule for one scope key (contract section 3b): a key
 * whose window holds far fewer payments than usual, none included.
 */
public final class TrafficDropSettings implements Serializable {
    private static final long serialVersionUID = 1L;

    public final long windowMs;
    public final long everyMs;
    /** The trailing time the usual volume is learned from. */
    public final long baselineMs;
    /** The least history (not counting time while the rule fired) before a key has a baseline. */
    public final long warmupMs;
    /** Usual payments per window below which a key is too small to judge. */
    public final double minBaseline;
    /** Fires at or below this share of the usual volume. */
    public final double dropTo;
    /** Resolves at or above this share. */
    public final double resolveAbove;

    public TrafficDropSettings(long windowMs, long everyMs, long baselineMs, long warmupMs,
            double minBaseline, double dropTo, double resolveAbove) {
        this.windowMs = windowMs;
        this.everyMs = everyMs;
        this.baselineMs = baselineMs;
        this.warmupMs = warmupMs;
        this.minBaseline = minBaseline;
        this.dropTo = dropTo;
        this.resolveAbove = resolveAbove;
    }

    public static TrafficDropSettings defaults() {
        return new TrafficDropSettings(300_000, 10_000, 3_600_000, 900_000, 100, 0.2, 0.5);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof TrafficDropSettings)) {
            return false;
        }
        TrafficDropSettings s = (TrafficDropSettings) o;
        return windowMs == s.windowMs && everyMs == s.everyMs && baselineMs == s.baselineMs
                && warmupMs == s.warmupMs && minBaseline == s.minBaseline && dropTo == s.dropTo
                && resolveAbove == s.resolveAbove;
    }

    @Override
    public int hashCode() {
        return Objects.hash(windowMs, everyMs, baselineMs, warmupMs, minBaseline, dropTo, resolveAbove);
    }

    @Override
    public String toString() {
        return "traffic_drop{window=" + Durations.format(windowMs) + ", every=" + Durations.format(everyMs)
                + ", baseline=" + Durations.format(baselineMs) + ", warmup=" + Durations.format(warmupMs)
                + ", min_baseline=" + minBaseline + ", drop_to=" + dropTo + ", resolve_above="
                + resolveAbove + "}";
    }
}
