package io.paywatch.jobs.rates;

import io.paywatch.model.PaymentEvent;
import java.util.ArrayList;
import java.util.List;

/**
 * A sliding window as a ring of fixed-size buckets: a window of {@code bucketCount} buckets of
 * {@code bucketMs} each. An event touches exactly one bucket (O(1) state work); an evaluation
 * merges the buckets of its window, and buckets leave state as soon as they leave the window.
 *
 * <p>Buckets are stored by their index (start / size), not by slot modulo the ring size: events
 * may run ahead of the watermark (another partition lags, or simply the out-of-orderness bound),
 * and a bucket of the next window must not overwrite one the pending evaluation still needs. A
 * key therefore holds the buckets of one window plus those of events ahead of the watermark.
 *
 * <p>Storage is abstract so that the same logic runs on a plain map in unit tests and on Flink
 * keyed map state in {@link FailureRateFunction}.
 */
public final class BucketRing {
    /** Where the buckets live, by bucket index. */
    public interface Store {
        FailureCounts get(long index) throws Exception;

        void put(long index, FailureCounts counts) throws Exception;

        void remove(long index) throws Exception;

        Iterable<Long> indexes() throws Exception;
    }

    private final long bucketMs;
    private final int bucketCount;

    public BucketRing(long bucketMs, int bucketCount) {
        if (bucketMs <= 0 || bucketCount <= 0) {
            throw new IllegalArgumentException("bucket size and count must be positive");
        }
        this.bucketMs = bucketMs;
        this.bucketCount = bucketCount;
    }

    public long bucketMs() {
        return bucketMs;
    }

    public long windowMs() {
        return bucketMs * bucketCount;
    }

    public long bucketStart(long timestamp) {
        return Math.floorDiv(timestamp, bucketMs) * bucketMs;
    }

    /** The end of the event's bucket: the first evaluation that includes it. */
    public long bucketEnd(long timestamp) {
        return bucketStart(timestamp) + bucketMs;
    }

    private long indexOf(long timestamp) {
        return Math.floorDiv(timestamp, bucketMs);
    }

    /** Counts the event in its bucket. */
    public void add(Store store, PaymentEvent e) throws Exception {
        long index = indexOf(e.eventTime);
        FailureCounts b = store.get(index);
        if (b == null) {
            b = new FailureCounts(index * bucketMs);
        }
        b.add(e);
        store.put(index, b);
    }

    /** Adds a partial count of one bucket ({@code partial.start} is the bucket's start). */
    public void add(Store store, FailureCounts partial) throws Exception {
        long index = indexOf(partial.start);
        FailureCounts b = store.get(index);
        if (b == null) {
            b = new FailureCounts(index * bucketMs); // a copy: the partial is not ours to keep
        }
        b.mergeBucket(partial);
        store.put(index, b);
    }

    /**
     * Merges the buckets of the window that ends at {@code evaluationTime} (exclusive): buckets
     * starting in {@code [evaluationTime - window, evaluationTime)}. The evaluation time is a
     * bucket boundary.
     */
    public FailureCounts window(Store store, long evaluationTime) throws Exception {
        FailureCounts sum = new FailureCounts(evaluationTime);
        long end = indexOf(evaluationTime);
        for (long i = end - bucketCount; i < end; i++) {
            FailureCounts b = store.get(i);
            if (b != null) {
                sum.merge(b);
            }
        }
        return sum;
    }

    /**
     * The window's totals and categories only, kept from one evaluation to the next instead of
     * merging every bucket at each: {@code partial} holds the window that ended at the previous
     * evaluation minus its oldest bucket, so the window ending at {@code evaluationTime} is
     * {@code partial} plus the bucket that just closed. Buckets before the watermark are final
     * (nothing behind the watermark arrives), so the sums stay exact. Without a usable
     * {@code partial} (the first evaluation, or one after a gap), the buckets are summed.
     *
     * @return the window's totals; {@code next} receives this window minus its oldest bucket,
     *     the partial for the evaluation {@code bucketMs} later
     */
    public FailureCounts totals(Store store, long evaluationTime, FailureCounts partial, FailureCounts next)
            throws Exception {
        long end = indexOf(evaluationTime);
        FailureCounts sum = new FailureCounts(evaluationTime);
        if (partial != null) {
            sum.addTotals(partial, 1);
            FailureCounts newest = store.get(end - 1);
            if (newest != null) {
                sum.addTotals(newest, 1);
            }
        } else {
            for (long i = end - bucketCount; i < end; i++) {
                FailureCounts b = store.get(i);
                if (b != null) {
                    sum.addTotals(b, 1);
                }
            }
        }
        next.addTotals(sum, 1);
        FailureCounts oldest = store.get(end - bucketCount);
        if (oldest != null) {
            next.addTotals(oldest, -1);
        }
        return sum;
    }

    /**
     * Up to {@code max} failed event ids of the window ending at {@code evaluationTime}, the
     * latest ones (by event time, then id), in time order.
     */
    public List<String> recentFailures(Store store, long evaluationTime, int max) throws Exception {
        List<String> newestFirst = new ArrayList<>();
        long end = indexOf(evaluationTime);
        for (long i = end - 1; i >= end - bucketCount && newestFirst.size() < max; i--) {
            FailureCounts b = store.get(i);
            if (b == null) {
                continue;
            }
            for (int k = b.sampleIds.length - 1; k >= 0 && newestFirst.size() < max; k--) {
                newestFirst.add(b.sampleIds[k]);
            }
        }
        java.util.Collections.reverse(newestFirst);
        return newestFirst;
    }

    /**
     * The first evaluation time at or after {@code candidate} whose window holds a bucket:
     * {@code candidate} itself while its window still has data, else the end of the earliest
     * bucket ahead of it, else {@link Long#MIN_VALUE} when nothing is left.
     */
    public long nextEvaluationWithData(Store store, long candidate) throws Exception {
        long end = indexOf(candidate);
        long earliestAhead = Long.MAX_VALUE;
        for (long i : store.indexes()) {
            if (i < end - bucketCount) {
                continue;
            }
            if (i < end) {
                return candidate;
            }
            earliestAhead = Math.min(earliestAhead, i);
        }
        return earliestAhead == Long.MAX_VALUE ? Long.MIN_VALUE : (earliestAhead + 1) * bucketMs;
    }

    /**
     * The oldest bucket of the window ending at {@code evaluationTime}, the one that leaves it at
     * the next evaluation; null when it holds nothing.
     */
    public FailureCounts oldest(Store store, long evaluationTime) throws Exception {
        return store.get(indexOf(evaluationTime) - bucketCount);
    }

    /**
     * Drops the one bucket that leaves the windows from {@code evaluationTime} on: the oldest of
     * the window before it. Enough while a key is evaluated at every bucket end (older buckets
     * left at earlier evaluations) or its evaluations skip only empty windows; no iteration over
     * the key's buckets, which on RocksDB is an iterator per evaluation.
     */
    public void expireOldest(Store store, long evaluationTime) throws Exception {
        store.remove(indexOf(evaluationTime) - bucketCount - 1);
    }
}
