package io.paywatch.jobs.rates;

import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * The failure rates of one scope key at one evaluation: the window ending at {@link #time}.
 * Becomes {@code paywatch_rate} and {@code paywatch_code} points and the demo's live table.
 */
@TypeInfo(RateRecordSerializers.SnapshotType.class)
public class RateSnapshot {
    public static final String MERCHANT = "merchant";
    public static final String CHANNEL = "channel";

    /** {@link #MERCHANT} or {@link #CHANNEL}. */
    public String scope;
    public String key;
    /** Evaluation time: end of the window (event time, ms). */
    public long time;
    public long windowMs;
    /**
     * The window's counts: totals and categories; codes and channels too for channel scope (the
     * {@code paywatch_code} points), not for merchants, whose alerts carry their own.
     */
    public FailureCounts counts;
    /** Severity of the failure-rate alert firing for this key at this time, or null. */
    public String firingSeverity;
    /** The key's usual failure rate ({@code failure_rate_anomaly} on and established), else null. */
    public Double baselineFailureRate;
    /** The key's usual payments per window ({@code traffic_drop} on and warmed up), else null. */
    public Double baselineVolume;

    public RateSnapshot() {}
}
