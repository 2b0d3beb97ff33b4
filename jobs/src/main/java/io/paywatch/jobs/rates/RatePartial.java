package io.paywatch.jobs.rates;

import io.paywatch.model.PaymentEvent;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * One key's payments of one bucket as counted by one upstream subtask ({@link RateBuckets}):
 * what reaches the failure-rate functions instead of every payment. A key's bucket may arrive
 * in several partials (from several subtasks, or split by a checkpoint); they add up.
 */
@TypeInfo(RateRecordSerializers.PartialType.class)
public class RatePartial {
    /** The merchant or channel. */
    public String key;
    /** The bucket's counts; {@code counts.start} is the bucket's start. */
    public FailureCounts counts;

    public RatePartial() {}

    public RatePartial(String key, FailureCounts counts) {
        this.key = key;
        this.counts = counts;
    }

    /** A partial of one payment (unit tests feed the rate functions payment by payment). */
    public static RatePartial of(String key, long bucketMs, PaymentEvent e) {
        FailureCounts c = new FailureCounts(Math.floorDiv(e.eventTime, bucketMs) * bucketMs);
        c.add(e);
        return new RatePartial(key, c);
    }

    /** The bucket's end: the first evaluation that includes it. */
    public long bucketEnd(long bucketMs) {
        return counts.start + bucketMs;
    }
}
