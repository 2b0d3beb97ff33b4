package io.paywatch.jobs.rates;

import io.paywatch.model.AnomalySettings;
import io.paywatch.model.Measure;
import io.paywatch.model.TrafficDropSettings;

/**
 * A key's baselines at one evaluation (contract section 3b), from its {@link TrailingMinutes}:
 * the whole minutes of the trailing {@code baseline} that end at or before the current window's
 * start (minute resolution: up to a minute of the oldest is left out), without the minutes on
 * which the rule itself fired.
 */
public final class Baselines {
    private Baselines() {}

    /** The first minute after the baseline of the window ending at {@code evaluationTime}. */
    static long endMinute(long evaluationTime, long windowMs) {
        return TrailingMinutes.minuteOf(evaluationTime - windowMs);
    }

    /**
     * The usual failure rate (by {@code measure}) over the trailing baseline, or NaN when it
     * holds fewer than {@code min_baseline_volume} payments.
     */
    public static double failureRate(TrailingMinutes h, long evaluationTime, long windowMs,
            AnomalySettings s) {
        long end = endMinute(evaluationTime, windowMs);
        TrailingMinutes.Sum sum = h.sum(end - s.baselineMs / TrailingMinutes.MINUTE_MS, end,
                TrailingMinutes.ANOMALY_FIRED);
        if (sum.payments < s.minBaselineVolume) {
            return Double.NaN;
        }
        long failures = s.measure == Measure.FAILURE_RATE ? sum.failures : sum.systemFailures;
        return (double) failures / sum.payments;
    }

    /**
     * The usual payments per window: the average per minute over the trailing baseline (or over
     * the history so far, once it is at least {@code warmup}) times the window's minutes; NaN
     * while the history is shorter than the warm-up.
     */
    public static double volume(TrailingMinutes h, long evaluationTime, long windowMs,
            TrafficDropSettings s) {
        long end = endMinute(evaluationTime, windowMs);
        TrailingMinutes.Sum sum = h.sum(end - s.baselineMs / TrailingMinutes.MINUTE_MS, end,
                TrailingMinutes.DROP_FIRED);
        if (sum.minutes == 0 || sum.minutes * TrailingMinutes.MINUTE_MS < s.warmupMs) {
            return Double.NaN;
        }
        return (double) sum.payments / sum.minutes * ((double) windowMs / TrailingMinutes.MINUTE_MS);
    }
}
