package io.paywatch.jobs.ingest;

import java.util.function.LongSupplier;
import org.apache.flink.runtime.metrics.TimerGauge;

/**
 * The processing time in which a reader counts its partitions' silence: it stands still while
 * the reader's task is backpressured, as Flink's own source idleness does. A backpressured
 * reader is silent because it may not read, not because its partitions have nothing: its
 * records are waiting, and counting that time could let a partition turn idle and its records
 * reach the rules behind the others' watermark. Registered with the task's soft and hard
 * backpressure timers, which may overlap (hence the count).
 */
public final class ReaderClock implements TimerGauge.StartStopListener {
    private final LongSupplier wallClockMs;
    private int blocked;
    private long blockedSinceMs;
    private long blockedTotalMs;

    public ReaderClock(LongSupplier wallClockMs) {
        this.wallClockMs = wallClockMs;
    }

    /** The time so far, less every backpressured stretch (including one in progress). */
    public long millis() {
        return at(wallClockMs.getAsLong());
    }

    /** {@link #millis()} for a wall-clock time the caller has just read (one clock read per event). */
    public synchronized long at(long now) {
        return now - blockedTotalMs - (blocked > 0 ? Math.max(0, now - blockedSinceMs) : 0);
    }

    /** Backpressure starts (called by the task's timer, on the task's thread). */
    @Override
    public synchronized void markStart() {
        if (blocked++ == 0) {
            blockedSinceMs = wallClockMs.getAsLong();
        }
    }

    /** Backpressure ends (on the task's thread, or on the one that makes the output available). */
    @Override
    public synchronized void markEnd() {
        if (blocked == 0) {
            return; // never sent by Flink (registering replays a running start), but harmless
        }
        if (--blocked == 0) {
            blockedTotalMs += Math.max(0, wallClockMs.getAsLong() - blockedSinceMs);
        }
    }
}
