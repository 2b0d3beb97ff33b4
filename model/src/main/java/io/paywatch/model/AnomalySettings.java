package io.paywatch.model;

import java.io.Serializable;
import java.util.Objects;

/**
 * Parameters of the {@code failure_rate_anomaly} rule for one scope key (contract section 3b):
 * a key's failure rate significantly above its own baseline.
 */
public final class AnomalySettings implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The trailing time before the current window that the baseline is learned from. */
    public final long baselineMs;
    /** Payments the baseline needs before the key has one. */
    public final int minBaselineVolume;
    /** Payments the current window needs to be judged. */
    public final int minVolume;
    /** Two-sided confidence of the Wilson score interval, e.g. 0.99. */
    public final double confidence;
    /** Points (as a fraction) above the baseline that the interval's lower bound must reach. */
    public final double minIncrease;
    public final Measure measure;

    public AnomalySettings(long baselineMs, int minBaselineVolume, int minVolume, double confidence,
            double minIncrease, Measure measure) {
        this.baselineMs = baselineMs;
        this.minBaselineVolume = minBaselineVolume;
        this.minVolume = minVolume;
        this.confidence = confidence;
        this.minIncrease = minIncrease;
        this.measure = measure;
    }

    public static AnomalySettings defaults() {
        return new AnomalySettings(3_600_000, 200, 50, 0.99, 0.05, Measure.FAILURE_RATE);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof AnomalySettings)) {
            return false;
        }
        AnomalySettings s = (AnomalySettings) o;
        return baselineMs == s.baselineMs && minBaselineVolume == s.minBaselineVolume
                && minVolume == s.minVolume && confidence == s.confidence
                && minIncrease == s.minIncrease && measure == s.measure;
    }

    @Override
    public int hashCode() {
        return Objects.hash(baselineMs, minBaselineVolume, minVolume, confidence, minIncrease, measure);
    }

    @Override
    public String toString() {
        return "failure_rate_anomaly{baseline=" + Durations.format(baselineMs) + ", min_baseline_volume="
                + minBaselineVolume + ", min_volume=" + minVolume + ", confidence=" + confidence
                + ", min_increase=" + minIncrease + ", measure=" + measure.wireName() + "}";
    }
}
