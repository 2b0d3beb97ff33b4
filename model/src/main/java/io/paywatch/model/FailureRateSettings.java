package io.paywatch.model;

import java.io.Serializable;
import java.util.Objects;

/** Parameters of the {@code failure_rate} rule for one scope key (after overrides). */
public final class FailureRateSettings implements Serializable {
    private static final long serialVersionUID = 1L;

    public final long windowMs;
    public final long everyMs;
    public final int minVolume;
    public final double warning;
    public final double critical;
    public final double resolveBelow;
    /**
     * A critical alert steps back to warning only below this rate (PayWatch addition: hysteresis
     * on the severity too, so a rate hovering at the critical level does not re-page on every
     * evaluation). Defaults to {@code critical - (warning - resolve_below)}.
     */
    public final double deescalateBelow;

    public FailureRateSettings(
            long windowMs,
            long everyMs,
            int minVolume,
            double warning,
            double critical,
            double resolveBelow,
            double deescalateBelow) {
        this.windowMs = windowMs;
        this.everyMs = everyMs;
        this.minVolume = minVolume;
        this.warning = warning;
        this.critical = critical;
        this.resolveBelow = resolveBelow;
        this.deescalateBelow = deescalateBelow;
    }

    public static FailureRateSettings defaults() {
        return new FailureRateSettings(300_000, 10_000, 20, 0.30, 0.50, 0.20, 0.40);
    }

    /** Number of {@code every}-sized buckets in one window. */
    public int bucketCount() {
        return (int) (windowMs / everyMs);
    }

    public String windowLabel() {
        return Durations.format(windowMs);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof FailureRateSettings)) {
            return false;
        }
        FailureRateSettings s = (FailureRateSettings) o;
        return windowMs == s.windowMs
                && everyMs == s.everyMs
                && minVolume == s.minVolume
                && warning == s.warning
                && critical == s.critical
                && resolveBelow == s.resolveBelow
                && deescalateBelow == s.deescalateBelow;
    }

    @Override
    public int hashCode() {
        return Objects.hash(windowMs, everyMs, minVolume, warning, critical, resolveBelow);
    }

    @Override
    public String toString() {
        return "failure_rate{window="
                + Durations.format(windowMs)
                + ", every="
                + Durations.format(everyMs)
                + ", min_volume="
                + minVolume
                + ", warning="
                + warning
                + ", critical="
                + critical
                + ", resolve_below="
                + resolveBelow
                + ", deescalate_below="
                + deescalateBelow
                + "}";
    }
}
