package io.paywatch.jobs.ingest;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Live counters for the console's progress line when the job runs embedded (demo, replay, run
 * on the local MiniCluster share the JVM with the command). On a cluster, Flink's metrics and
 * the {@code paywatch_input} measurement report the same.
 */
public final class IngestProgress {
    public static final LongAdder RECORDS = new LongAdder();
    public static final LongAdder REJECTED = new LongAdder();
    public static final LongAdder LATE = new LongAdder();
    public static final LongAdder DUPLICATES = new LongAdder();
    public static final LongAdder ACCEPTED = new LongAdder();
    public static final AtomicLong MAX_EVENT_TIME = new AtomicLong(Long.MIN_VALUE);

    private IngestProgress() {}

    public static void reset() {
        RECORDS.reset();
        REJECTED.reset();
        LATE.reset();
        DUPLICATES.reset();
        ACCEPTED.reset();
        MAX_EVENT_TIME.set(Long.MIN_VALUE);
    }

    static void sawEventTime(long t) {
        long cur = MAX_EVENT_TIME.get();
        while (t > cur && !MAX_EVENT_TIME.compareAndSet(cur, t)) {
            cur = MAX_EVENT_TIME.get();
        }
    }
}
