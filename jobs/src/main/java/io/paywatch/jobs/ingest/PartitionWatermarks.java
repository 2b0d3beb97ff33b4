package io.paywatch.jobs.ingest;

import java.util.Arrays;

/**
 * Event-time bookkeeping per source partition, the one place that decides both the watermark
 * and lateness so that they agree: an event is late when it is more than the out-of-orderness
 * bound behind the newest event of its own partition, and the watermark is the minimum over
 * the partitions that are not idle. A partition this reader expects but has not heard from yet
 * holds the watermark back (until it counts as idle), so that its first events are not late
 * just because another partition was read first. Pure logic; the clock is passed in.
 *
 * <p>A partition's idle clock runs only while something is being read, by this reader or
 * (as the caller is told) by another one: a partition is idle when it has been silent for the
 * idle timeout while the others moved on, not when everything stopped at once. A broker outage
 * silences every partition together; if they all counted as idle, the reader that reconnects
 * first would carry event time past the records the others are about to read, and those would
 * reach the rules behind the watermark. With the clock stopped, each partition keeps holding
 * event time back through the outage and for a full idle timeout of the others' reading after it.
 */
public final class PartitionWatermarks {
    private final long boundMs;
    private final long idleTimeoutMs;
    private long[] maxTimestamp = new long[0];
    private long[] lastActive = new long[0];
    private boolean[] known = new boolean[0];
    /** Per partition: silence counted while something was read (at most the silence itself). */
    private long[] quietMs = new long[0];
    private long lastAccountedMs = Long.MIN_VALUE;

    /**
     * @param boundMs the out-of-orderness bound (contract default 5 s)
     * @param idleTimeoutMs a partition without events for this long (in the caller's clock: the
     *     gate's {@link ReaderClock}, processing time less backpressure) while something was read
     *     no longer holds the watermark back; 0 disables idleness
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
            quietMs[partition] = 0;
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
        quietMs[partition] = 0;
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

    /** The watermark as if other readers were always reading: idleness by silence alone. */
    public Long watermark(long nowMs) {
        return watermark(nowMs, true);
    }

    /**
     * The watermark: min over active partitions of (max − bound − 1); {@link Long#MIN_VALUE}
     * while an active partition has delivered nothing; {@code null} when every partition is
     * idle.
     *
     * @param othersReading whether another reader has been reading since the last call; idle
     *     clocks run while it or this reader is
     */
    public Long watermark(long nowMs, boolean othersReading) {
        account(nowMs, othersReading);
        long wm = Long.MAX_VALUE;
        boolean any = false;
        for (int p = 0; p < maxTimestamp.length; p++) {
            if (!known[p] || isIdle(p)) {
                continue;
            }
            any = true;
            long m = maxTimestamp[p];
            wm = Math.min(wm, m == Long.MIN_VALUE ? Long.MIN_VALUE : m - boundMs - 1);
        }
        return any ? wm : null;
    }

    /** How long since any partition of this reader delivered a record (0 without partitions). */
    public long silentMs(long nowMs) {
        long newest = Long.MIN_VALUE;
        for (int p = 0; p < lastActive.length; p++) {
            if (known[p]) {
                newest = Math.max(newest, lastActive[p]);
            }
        }
        return newest == Long.MIN_VALUE ? 0 : Math.max(0, nowMs - newest);
    }

    /** Whether a known partition is idle as of the last {@link #watermark} call. */
    public boolean isIdle(int partition) {
        return partition < quietMs.length && known[partition] && idleTimeoutMs > 0
                && quietMs[partition] >= idleTimeoutMs;
    }

    /** How long a partition has delivered nothing; 0 for an unknown one. */
    public long silentMs(int partition, long nowMs) {
        return partition < lastActive.length && known[partition] ? Math.max(0, nowMs - lastActive[partition]) : 0;
    }

    /** The part of a partition's silence counted towards idleness (while something was read). */
    public long quietMs(int partition) {
        return partition < quietMs.length ? quietMs[partition] : 0;
    }

    /** How many known partitions are idle as of the last {@link #watermark} call. */
    public int idlePartitions() {
        int n = 0;
        for (int p = 0; p < quietMs.length; p++) {
            if (isIdle(p)) {
                n++;
            }
        }
        return n;
    }

    /**
     * Adds the time since the last call during which something was read to each partition's
     * idle clock: all of it while another reader reads, else the part in this reader's own
     * reading window.
     */
    private void account(long nowMs, boolean othersReading) {
        long since = lastAccountedMs;
        lastAccountedMs = nowMs;
        if (since != Long.MIN_VALUE && nowMs <= since) {
            return;
        }
        long counted;
        if (othersReading || since == Long.MIN_VALUE) {
            counted = since == Long.MIN_VALUE ? Long.MAX_VALUE : nowMs - since;
        } else {
            long readingUntil = Long.MIN_VALUE;
            for (int p = 0; p < lastActive.length; p++) {
                if (known[p]) {
                    readingUntil = Math.max(readingUntil, lastActive[p] + readingWindowMs());
                }
            }
            counted = Math.max(0, Math.min(nowMs, readingUntil) - since);
        }
        for (int p = 0; p < quietMs.length; p++) {
            long silence = nowMs - lastActive[p];
            quietMs[p] = counted >= silence - quietMs[p] ? silence : quietMs[p] + counted;
        }
    }

    /**
     * How recently a record must have been read for this reader to count as reading: short
     * against the idle timeout, so that when everything stops the idle clocks stop soon after.
     */
    public long readingWindowMs() {
        return Math.min(idleTimeoutMs / 3, 10_000);
    }

    /** Whether any of this reader's partitions delivered a record within the reading window. */
    public boolean isReading(long nowMs) {
        for (int p = 0; p < lastActive.length; p++) {
            if (known[p] && nowMs - lastActive[p] < readingWindowMs()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether every partition has been silent for the idle timeout, whoever else was reading:
     * the input as a whole has stopped (or cannot be reached).
     */
    public boolean allSilent(long nowMs) {
        if (idleTimeoutMs <= 0) {
            return false;
        }
        for (int p = 0; p < lastActive.length; p++) {
            if (known[p] && nowMs - lastActive[p] < idleTimeoutMs) {
                return false;
            }
        }
        return true;
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
            quietMs = Arrays.copyOf(quietMs, partition + 1);
            Arrays.fill(maxTimestamp, old, partition + 1, Long.MIN_VALUE);
        }
    }
}
