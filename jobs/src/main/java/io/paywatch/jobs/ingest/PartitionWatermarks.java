package io.paywatch.jobs.ingest;

import java.util.Arrays;

/**
 * Event-time bookkeeping per source partition, the one place that decides both the watermark
 * and lateness so that they agree: an event is late when it is more than the out-of-orderness
 * bound behind the newest event of its own partition, and the watermark is the minimum over
 * the partitions that are not idle. A partition this reader expects but has not heard from yet
 * holds the watermark back (until it counts as idle), so that its first events are not late
 * just because another partition was read first. Pure logic; the clock is passed in.
 */
public final class PartitionWatermarks {
    private final long boundMs;
    private final long idleTimeoutMs;
    private long[] maxTimestamp = new long[0];
    private long[] lastActive = new long[0];
    private boolean[] known = new boolean[0];

    /**
     * @param boundMs the out-of-orderness bound (contract default 5 s)
     * @param idleTimeoutMs a partition without events for this long (processing time) no longer
     *     holds the watermark back; 0 disables idleness
     */
    public PartitionWatermarks(long boundMs, long idleTimeoutMs) {
        this.boundMs = boundMs;
        this.idleTimeoutMs = idleTimeoutMs;
    }

    /** Declares a partition assigned to this reader before it has delivered anything. */
    public void expect(int partition, long nowMs) {
        ensure(partition);
        if (!known[partition]) {
            known[partition] = true;
            lastActive[partition] = nowMs;
        }
    }

    /** Restores a partition's newest event time (from a checkpoint). */
    public void restore(int partition, long maxTs, long nowMs) {
        expect(partition, nowMs);
        maxTimestamp[partition] = Math.max(maxTimestamp[partition], maxTs);
    }

    /** Records an event; returns true when it is late for its partition. */
    public boolean observe(int partition, long timestamp, long nowMs) {
        ensure(partition);
        known[partition] = true;
        lastActive[partition] = nowMs;
        long max = maxTimestamp[partition];
        if (max != Long.MIN_VALUE && timestamp < max - boundMs) {
            return true;
        }
        if (timestamp > max) {
            maxTimestamp[partition] = timestamp;
        }
        return false;
    }

    /** Newest event time seen in the partition, or {@link Long#MIN_VALUE}. */
    public long maxTimestamp(int partition) {
        return partition < maxTimestamp.length ? maxTimestamp[partition] : Long.MIN_VALUE;
    }

    /** The newest event time over all partitions, or {@link Long#MIN_VALUE}. */
    public long newestEvent() {
        long m = Long.MIN_VALUE;
        for (long t : maxTimestamp) {
            m = Math.max(m, t);
        }
        return m;
    }

    public int partitions() {
        return maxTimestamp.length;
    }

    public boolean isKnown(int partition) {
        return partition < known.length && known[partition];
    }

    /**
     * The watermark: min over active partitions of (max − bound − 1); {@link Long#MIN_VALUE}
     * while an active partition has delivered nothing; {@code null} when every partition is
     * idle.
     */
    public Long watermark(long nowMs) {
        long wm = Long.MAX_VALUE;
        boolean any = false;
        for (int p = 0; p < maxTimestamp.length; p++) {
            if (!known[p]) {
                continue;
            }
            if (idleTimeoutMs > 0 && nowMs - lastActive[p] >= idleTimeoutMs) {
                continue;
            }
            any = true;
            long m = maxTimestamp[p];
            wm = Math.min(wm, m == Long.MIN_VALUE ? Long.MIN_VALUE : m - boundMs - 1);
        }
        return any ? wm : null;
    }

    /**
     * The watermark the data supports, idleness aside: min over partitions that delivered events
     * of (max − bound − 1); {@link Long#MIN_VALUE} without events.
     */
    public long dataWatermark() {
        long wm = Long.MAX_VALUE;
        for (int p = 0; p < maxTimestamp.length; p++) {
            if (known[p] && maxTimestamp[p] != Long.MIN_VALUE) {
                wm = Math.min(wm, maxTimestamp[p] - boundMs - 1);
            }
        }
        return wm == Long.MAX_VALUE ? Long.MIN_VALUE : wm;
    }

    private void ensure(int partition) {
        if (partition >= maxTimestamp.length) {
            int old = maxTimestamp.length;
            maxTimestamp = Arrays.copyOf(maxTimestamp, partition + 1);
            lastActive = Arrays.copyOf(lastActive, partition + 1);
            known = Arrays.copyOf(known, partition + 1);
            Arrays.fill(maxTimestamp, old, partition + 1, Long.MIN_VALUE);
        }
    }
}
