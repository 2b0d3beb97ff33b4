package io.paywatch.jobs.ingest;

import java.util.Arrays;

/**
 * Event-time bookkeeping per source partition, shared by the watermark generator and the late
 * event filter so that both draw the same line: an event is late when it is more than the
 * out-of-orderness bound behind the newest event of its own partition. The watermark is the
 * minimum over partitions that are not idle. Pure logic; the clock is passed in.
 */
public final class PartitionWatermarks {
    private final long boundMs;
    private final long idleTimeoutMs;
    private long[] maxTimestamp = new long[0];
    private long[] lastActive = new long[0];

    /**
     * @param boundMs the out-of-orderness bound (contract default 5 s)
     * @param idleTimeoutMs a partition without events for this long (processing time) no longer
     *     holds the watermark back; 0 disables idleness
     */
    public PartitionWatermarks(long boundMs, long idleTimeoutMs) {
        this.boundMs = boundMs;
        this.idleTimeoutMs = idleTimeoutMs;
    }

    /** Records an event; returns true when it is late for its partition. */
    public boolean observe(int partition, long timestamp, long nowMs) {
        ensure(partition);
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

    /** Newest event time over all partitions, or {@link Long#MIN_VALUE}. */
    public long maxTimestamp() {
        long m = Long.MIN_VALUE;
        for (long t : maxTimestamp) {
            m = Math.max(m, t);
        }
        return m;
    }

    /**
     * The watermark: min over active partitions of (max − bound − 1); {@link Long#MIN_VALUE}
     * before any event; {@code null} when every partition that has seen events is idle.
     */
    public Long watermark(long nowMs) {
        long wm = Long.MAX_VALUE;
        boolean any = false;
        for (int p = 0; p < maxTimestamp.length; p++) {
            if (maxTimestamp[p] == Long.MIN_VALUE) {
                continue;
            }
            if (idleTimeoutMs > 0 && nowMs - lastActive[p] >= idleTimeoutMs) {
                continue;
            }
            any = true;
            wm = Math.min(wm, maxTimestamp[p] - boundMs - 1);
        }
        if (!any) {
            return maxTimestamp.length == 0 || allEmpty() ? Long.MIN_VALUE : null;
        }
        return wm;
    }

    private boolean allEmpty() {
        for (long t : maxTimestamp) {
            if (t != Long.MIN_VALUE) {
                return false;
            }
        }
        return true;
    }

    private void ensure(int partition) {
        if (partition >= maxTimestamp.length) {
            int old = maxTimestamp.length;
            maxTimestamp = Arrays.copyOf(maxTimestamp, partition + 1);
            lastActive = Arrays.copyOf(lastActive, partition + 1);
            Arrays.fill(maxTimestamp, old, partition + 1, Long.MIN_VALUE);
        }
    }
}
