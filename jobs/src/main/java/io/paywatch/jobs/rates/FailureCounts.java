package io.paywatch.jobs.rates;

import io.paywatch.model.Category;
import io.paywatch.model.PaymentEvent;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * Payment counts of one time bucket, or of a whole window once buckets are merged: totals,
 * failures by category and by return code. A Flink POJO made only of primitives, arrays and
 * strings, so its state serialiser is Flink's own (no Kryo).
 */
public class FailureCounts {
    /** Distinct codes kept per bucket; more go to {@link #OTHER_CODES}, bounding state. */
    public static final int MAX_CODES = 64;

    public static final String OTHER_CODES = "other";

    // empty arrays hold nothing to change: every count starts with these shared ones, and most
    // windows and buckets (totals only, or no failure) never need their own
    static final String[] NO_STRINGS = {};
    static final int[] NO_INTS = {};
    static final byte[] NO_BYTES = {};
    static final long[] NO_LONGS = {};

    /** Start of the bucket (event time, ms); for a merged window, the window's end. */
    public long start;
    public int total;
    public int failed;
    /** Indexed by {@link Category#ordinal()}. */
    public int[] byCategory = new int[Category.ALL.length];
    public String[] codes = NO_STRINGS;
    public int[] codeCounts = NO_INTS;
    /** Category of each code, by ordinal; parallel to {@link #codes}. */
    public byte[] codeCategories = NO_BYTES;
    /**
     * The latest failed payments of the bucket by (event time, event id), newest last: evidence
     * for alerts. Chosen by time, not arrival, so that every run picks the same ones.
     */
    public String[] sampleIds = NO_STRINGS;
    public long[] sampleTimes = NO_LONGS;

    /**
     * Failures per channel (what a merchant's failures ride on: inhibition needs it); a channel
     * with only successful payments is listed with 0 (the channels a merchant uses: failover
     * advice needs them).
     */
    public String[] channels = NO_STRINGS;
    public int[] channelFailed = NO_INTS;

    /** Failed event ids kept per bucket as evidence. */
    public static final int SAMPLES = 5;

    public FailureCounts() {}

    public FailureCounts(long start) {
        this.start = start;
    }

    /** Counts one payment event; other kinds are not part of failure rates. */
    public void add(PaymentEvent e) {
        if (!e.isPayment()) {
            return;
        }
        total++;
        if (e.failed) {
            failed++;
            byCategory[e.category.ordinal()]++;
            addCode(e.code, e.category, 1);
            addSample(e.eventId, e.eventTime);
            addChannel(e.channel, 1);
        } else {
            addChannel(e.channel, 0);
        }
    }

    private void addChannel(String channel, int n) {
        for (int i = 0; i < channels.length; i++) {
            if (channels[i].equals(channel)) {
                channelFailed[i] += n;
                return;
            }
        }
        if (channels.length >= MAX_CODES) {
            return; // channels are few; a flood of names is not worth state
        }
        int len = channels.length;
        channels = Arrays.copyOf(channels, len + 1);
        channelFailed = Arrays.copyOf(channelFailed, len + 1);
        channels[len] = channel;
        channelFailed[len] = n;
    }

    /** Failures by channel, sorted by channel: the channels with at least one. */
    public Map<String, Integer> byChannel() {
        Map<String, Integer> m = new TreeMap<>();
        for (int i = 0; i < channels.length; i++) {
            if (channelFailed[i] > 0) {
                m.put(channels[i], channelFailed[i]);
            }
        }
        return m;
    }

    /** Every channel with a payment counted here, sorted. */
    public java.util.List<String> channelsUsed() {
        String[] sorted = channels.clone();
        Arrays.sort(sorted);
        return java.util.List.of(sorted);
    }

    private void addSample(String id, long time) {
        int n = sampleIds.length;
        if (n == SAMPLES && compare(time, id, sampleTimes[0], sampleIds[0]) <= 0) {
            return; // older than everything kept
        }
        String[] ids = new String[Math.min(SAMPLES, n + 1)];
        long[] times = new long[ids.length];
        // drop the oldest when full, insert in (time, id) order
        int src = n == SAMPLES ? 1 : 0;
        int dst = 0;
        boolean placed = false;
        while (dst < ids.length) {
            if (!placed && (src >= n || compare(time, id, sampleTimes[src], sampleIds[src]) < 0)) {
                ids[dst] = id;
                times[dst++] = time;
                placed = true;
            } else {
                ids[dst] = sampleIds[src];
                times[dst++] = sampleTimes[src++];
            }
        }
        sampleIds = ids;
        sampleTimes = times;
    }

    private static int compare(long t1, String id1, long t2, String id2) {
        return t1 != t2 ? Long.compare(t1, t2) : id1.compareTo(id2);
    }

    public void merge(FailureCounts other) {
        total += other.total;
        failed += other.failed;
        for (int i = 0; i < byCategory.length; i++) {
            byCategory[i] += other.byCategory[i];
        }
        for (int i = 0; i < other.codes.length; i++) {
            addCode(other.codes[i], Category.ALL[other.codeCategories[i]], other.codeCounts[i]);
        }
        for (int i = 0; i < other.channels.length; i++) {
            addChannel(other.channels[i], other.channelFailed[i]);
        }
    }

    /**
     * Adds another count of the same bucket (a partial from another subtask, or from before a
     * checkpoint): everything {@link #merge} adds, and the evidence samples, which stay the
     * latest {@link #SAMPLES} of both by (time, id) — exactly those one count of all would keep.
     */
    public void mergeBucket(FailureCounts other) {
        merge(other);
        for (int i = 0; i < other.sampleIds.length; i++) {
            addSample(other.sampleIds[i], other.sampleTimes[i]);
        }
    }

    /**
     * Adds ({@code sign} 1) or removes ({@code sign} -1) another bucket's totals and categories
     * only: the running window sums of {@link FailureRateFunction}, which need no codes.
     */
    public void addTotals(FailureCounts other, int sign) {
        total += sign * other.total;
        failed += sign * other.failed;
        for (int i = 0; i < byCategory.length; i++) {
            byCategory[i] += sign * other.byCategory[i];
        }
    }

    /** A copy of the totals and categories (no codes, channels or samples). */
    public FailureCounts totalsOnly(long start) {
        FailureCounts c = new FailureCounts(start);
        c.addTotals(this, 1);
        return c;
    }

    private void addCode(String code, Category category, int n) {
        for (int i = 0; i < codes.length; i++) {
            if (codes[i].equals(code)) {
                codeCounts[i] += n;
                return;
            }
        }
        if (codes.length >= MAX_CODES - 1 && !code.equals(OTHER_CODES)) {
            // the last slot is kept for everything beyond the limit
            addCode(OTHER_CODES, Category.UNKNOWN, n);
            return;
        }
        int len = codes.length;
        codes = Arrays.copyOf(codes, len + 1);
        codeCounts = Arrays.copyOf(codeCounts, len + 1);
        codeCategories = Arrays.copyOf(codeCategories, len + 1);
        codes[len] = code;
        codeCounts[len] = n;
        codeCategories[len] = (byte) category.ordinal();
    }

    public int count(Category c) {
        return byCategory[c.ordinal()];
    }

    public boolean isEmpty() {
        return total == 0;
    }

    public double failureRate() {
        return total == 0 ? 0.0 : (double) failed / total;
    }

    public double systemFailureRate() {
        return total == 0 ? 0.0 : (double) systemFailed() / total;
    }

    /** Failures of the system-health categories (timeout, system, unknown). */
    public int systemFailed() {
        int system = 0;
        for (Category c : Category.ALL) {
            if (c.countsAsSystemHealth()) {
                system += byCategory[c.ordinal()];
            }
        }
        return system;
    }

    /** The code with the most failures (ties: the smaller code), or null without failures. */
    public String dominantCode() {
        String best = null;
        int bestCount = 0;
        for (int i = 0; i < codes.length; i++) {
            if (codeCounts[i] > bestCount
                    || (codeCounts[i] == bestCount && best != null && codes[i].compareTo(best) < 0)) {
                best = codes[i];
                bestCount = codeCounts[i];
            }
        }
        return best;
    }

    /** Failures by code, sorted by code. */
    public Map<String, Integer> byCode() {
        Map<String, Integer> m = new TreeMap<>();
        for (int i = 0; i < codes.length; i++) {
            m.put(codes[i], codeCounts[i]);
        }
        return m;
    }

    public Category categoryOfCode(int index) {
        return Category.ALL[codeCategories[index]];
    }

    @Override
    public String toString() {
        return "FailureCounts{start=" + start + ", total=" + total + ", failed=" + failed
                + ", byCategory=" + Arrays.toString(byCategory) + ", byCode=" + byCode() + "}";
    }
}
