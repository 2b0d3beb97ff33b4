package io.paywatch.jobs.rates;

import java.util.Arrays;

/**
 * A key's recent history at minute resolution, what the adaptive rules learn their baselines
 * from: per minute its payments, failures and system-health failures, and whether the minute lay
 * in a window on which {@code failure_rate_anomaly} or {@code traffic_drop} fired (such minutes
 * are left out of that rule's baseline, so an incident does not become the new normal).
 *
 * <p>A ring of {@code capacity} slots by minute index; a minute older than the newest minus the
 * capacity is forgotten. Minutes never written (a key that went quiet) count as minutes with no
 * payments. With a 1 h baseline the ring has 61 slots: 61 × 13 bytes in state.
 */
public final class TrailingMinutes {
    public static final long MINUTE_MS = 60_000;
    /** Flag of a minute inside a window on which {@code failure_rate_anomaly} fired. */
    public static final int ANOMALY_FIRED = 1;
    /** Flag of a minute inside a window on which {@code traffic_drop} fired. */
    public static final int DROP_FIRED = 1 << 1;

    public int capacity;
    /** Index (epoch minutes) of the newest minute written, {@link Long#MIN_VALUE} when none. */
    public long newestMinute = Long.MIN_VALUE;
    /** The first minute of the key's history: minutes before it are not history, not zeros. */
    public long firstMinute = Long.MIN_VALUE;
    public int[] total;
    public int[] failed;
    public int[] systemFailed;
    public byte[] flags;

    public TrailingMinutes() {}

    public TrailingMinutes(int capacity) {
        this.capacity = capacity;
        total = new int[capacity];
        failed = new int[capacity];
        systemFailed = new int[capacity];
        flags = new byte[capacity];
    }

    /** A ring for baselines of up to {@code baselineMs}: the baseline's minutes plus the one being filled. */
    public static TrailingMinutes forBaseline(long baselineMs) {
        return new TrailingMinutes((int) (baselineMs / MINUTE_MS) + 1);
    }

    public static long minuteOf(long timestamp) {
        return Math.floorDiv(timestamp, MINUTE_MS);
    }

    /**
     * Adds one bucket's counts to the minute it starts in, with the flags of the rules that fired
     * on a window holding it. Buckets are added in time order, as they leave the current window.
     */
    public void add(long bucketStart, int payments, int failures, int systemFailures, int firedFlags) {
        long minute = minuteOf(bucketStart);
        if (firstMinute == Long.MIN_VALUE) {
            firstMinute = minute;
        }
        advanceTo(minute);
        if (minute <= newestMinute - capacity) {
            return; // older than the ring: nothing asks for it any more
        }
        int slot = slot(minute);
        total[slot] += payments;
        failed[slot] += failures;
        systemFailed[slot] += systemFailures;
        flags[slot] |= (byte) firedFlags;
    }

    private void advanceTo(long minute) {
        if (newestMinute != Long.MIN_VALUE && minute <= newestMinute) {
            return;
        }
        long from = newestMinute == Long.MIN_VALUE ? minute - capacity + 1
                : Math.max(newestMinute + 1, minute - capacity + 1);
        for (long m = from; m <= minute; m++) {
            int slot = slot(m);
            total[slot] = 0;
            failed[slot] = 0;
            systemFailed[slot] = 0;
            flags[slot] = 0;
        }
        newestMinute = minute;
    }

    private int slot(long minute) {
        return (int) Math.floorMod(minute, (long) capacity);
    }

    /** Sums over a range of minutes. */
    public static final class Sum {
        public long payments;
        public long failures;
        public long systemFailures;
        /** Minutes of history in the range that were counted (not flagged, not before the first). */
        public int minutes;
    }

    /**
     * The minutes in {@code [fromMinute, toMinute)} that belong to the key's history and carry
     * none of {@code skipFlags}: minutes past the newest written count as empty.
     */
    public Sum sum(long fromMinute, long toMinute, int skipFlags) {
        Sum s = new Sum();
        if (firstMinute == Long.MIN_VALUE) {
            return s;
        }
        for (long m = Math.max(fromMinute, firstMinute); m < toMinute; m++) {
            if (m > newestMinute) {
                s.minutes++;
                continue;
            }
            if (m <= newestMinute - capacity) {
                continue; // forgotten (a range longer than the ring asks for it)
            }
            int slot = slot(m);
            if ((flags[slot] & skipFlags) != 0) {
                continue;
            }
            s.minutes++;
            s.payments += total[slot];
            s.failures += failed[slot];
            s.systemFailures += systemFailed[slot];
        }
        return s;
    }

    /** Whether any minute from {@code fromMinute} on holds payments. */
    public boolean hasPaymentsSince(long fromMinute) {
        if (newestMinute == Long.MIN_VALUE) {
            return false;
        }
        for (long m = Math.max(fromMinute, newestMinute - capacity + 1); m <= newestMinute; m++) {
            if (total[slot(m)] > 0) {
                return true;
            }
        }
        return false;
    }

    /** The newest minute holding payments, {@link Long#MIN_VALUE} when none does. */
    public long lastMinuteWithPayments() {
        if (newestMinute == Long.MIN_VALUE) {
            return Long.MIN_VALUE;
        }
        for (long m = newestMinute; m > newestMinute - capacity; m--) {
            if (total[slot(m)] > 0) {
                return m;
            }
        }
        return Long.MIN_VALUE;
    }

    /** The same history in a ring of another size (the rules' longest baseline changed). */
    public TrailingMinutes resized(int newCapacity) {
        TrailingMinutes r = new TrailingMinutes(newCapacity);
        r.firstMinute = firstMinute;
        if (newestMinute == Long.MIN_VALUE) {
            return r;
        }
        r.newestMinute = newestMinute;
        long oldest = Math.max(newestMinute - capacity, newestMinute - newCapacity) + 1;
        for (long m = oldest; m <= newestMinute; m++) {
            int from = slot(m);
            int to = (int) Math.floorMod(m, (long) newCapacity);
            r.total[to] = total[from];
            r.failed[to] = failed[from];
            r.systemFailed[to] = systemFailed[from];
            r.flags[to] = flags[from];
        }
        return r;
    }

    public TrailingMinutes copy() {
        TrailingMinutes c = new TrailingMinutes();
        c.capacity = capacity;
        c.newestMinute = newestMinute;
        c.firstMinute = firstMinute;
        c.total = total.clone();
        c.failed = failed.clone();
        c.systemFailed = systemFailed.clone();
        c.flags = flags.clone();
        return c;
    }

    @Override
    public String toString() {
        return "TrailingMinutes{newest=" + newestMinute + ", first=" + firstMinute + ", total="
                + Arrays.toString(total) + "}";
    }
}
