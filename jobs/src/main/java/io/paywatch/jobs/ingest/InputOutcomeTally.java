package io.paywatch.jobs.ingest;

import io.paywatch.jobs.metrics.JobMetrics;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * Input outcomes counted per interval of event time and kind, until the interval may leave (its
 * end passed by the watermark, a checkpoint barrier, the end of input): one record per interval
 * and kind instead of one per input record. Each outcome is also counted as it arrives by the Flink
 * counter of its kind ({@code paywatch_input_accepted}, {@code …_rejected}, {@code …_duplicates},
 * {@code …_late}, labelled with the input), where it happens, so that the sum over subtasks is the
 * input's total. Used by {@link InputOutcomeCounter} (chained to the gate) and
 * {@link DuplicateFilterOperator} (dedup's own outcomes).
 */
final class InputOutcomeTally {
    /** The metric names of the outcome kinds, as in the {@code paywatch_input} measurement. */
    static final String[] METRIC_NAMES = {"accepted", "rejected", "duplicates", "late"};

    private final long intervalMs;
    /** The Flink counter of each kind counted here; null for the other kinds. */
    private final Counter[] counters = new Counter[METRIC_NAMES.length];
    /** Interval end → counts by outcome kind. */
    private final TreeMap<Long, long[]> open = new TreeMap<>();
    /**
     * The end and counts of the interval counted last, still in {@link #open}: nearly every
     * record falls in it, and finding it here costs no boxed key and no tree walk per record.
     */
    private long lastEnd;
    private long[] lastCounts;

    /**
     * @param group where the counters of {@code kinds} are registered (under the input's label)
     * @param kinds the outcome kinds counted here
     */
    InputOutcomeTally(long intervalMs, MetricGroup group, String input, byte... kinds) {
        this.intervalMs = intervalMs;
        MetricGroup inputGroup = JobMetrics.input(group, input);
        for (byte k : kinds) {
            counters[k] = inputGroup.counter(METRIC_NAMES[k]);
        }
    }

    void count(InputOutcome o) {
        if (counters[o.kind] != null) {
            counters[o.kind].inc(o.count);
        }
        long end = Math.floorDiv(o.time, intervalMs) * intervalMs + intervalMs;
        if (lastCounts == null || end != lastEnd) {
            lastCounts = open.computeIfAbsent(end, k -> new long[4]);
            lastEnd = end;
        }
        lastCounts[o.kind] += o.count;
    }

    /** What the Flink counter of {@code kind} says; 0 for a kind not counted here. */
    long counted(byte kind) {
        return counters[kind] == null ? 0 : counters[kind].getCount();
    }

    /**
     * Hands {@code out} one outcome per kind counted in each interval that ends at or before
     * {@code upToEnd}, at the interval's last millisecond, in time order, and forgets them.
     */
    void drain(long upToEnd, Consumer<InputOutcome> out) {
        if (lastCounts != null && lastEnd <= upToEnd) {
            lastCounts = null; // its interval leaves below
        }
        Iterator<Map.Entry<Long, long[]>> it = open.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Long, long[]> interval = it.next();
            if (interval.getKey() > upToEnd) {
                return;
            }
            for (byte kind = 0; kind < 4; kind++) {
                long n = interval.getValue()[kind];
                if (n > 0) {
                    InputOutcome o = InputOutcome.of(kind, interval.getKey() - 1);
                    o.count = n;
                    out.accept(o);
                }
            }
            it.remove();
        }
    }

    /**
     * The latest interval end a watermark completes: the interval ending at {@code end} is complete
     * once the watermark reaches {@code end - 1}, where the input-health timer fires.
     */
    static long closedBy(long watermark) {
        return watermark == Long.MAX_VALUE ? Long.MAX_VALUE : watermark + 1;
    }
}
