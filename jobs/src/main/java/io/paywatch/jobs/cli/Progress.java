package io.paywatch.jobs.cli;

import io.paywatch.jobs.ingest.IngestProgress;
import io.paywatch.model.Timestamps;
import java.io.PrintStream;
import java.util.Locale;

/** Prints a progress line every few seconds while a job runs embedded in this JVM. */
final class Progress {
    private static final long EVERY_MS = 3_000;

    private final Thread thread;
    private volatile boolean running = true;

    private Progress(String command, PrintStream out) {
        thread = new Thread(() -> loop(command, out), "paywatch-progress");
        thread.setDaemon(true);
    }

    static Progress start(String command, PrintStream out) {
        Progress p = new Progress(command, out);
        p.thread.start();
        return p;
    }

    private void loop(String command, PrintStream out) {
        long started = System.currentTimeMillis();
        long lastRecords = 0;
        long lastTime = started;
        while (running) {
            try {
                Thread.sleep(EVERY_MS);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.currentTimeMillis();
            long records = IngestProgress.RECORDS.sum();
            long max = IngestProgress.MAX_EVENT_TIME.get();
            double rate = (records - lastRecords) * 1000.0 / Math.max(1, now - lastTime);
            out.printf(Locale.ROOT, "  … %s: %,d records (%,d rejected, %,d duplicates, %,d late),"
                            + " event time %s, %,.0f records/s, %d alerts%n",
                    command, records, IngestProgress.REJECTED.sum(), IngestProgress.DUPLICATES.sum(),
                    IngestProgress.LATE.sum(), max == Long.MIN_VALUE ? "-" : Timestamps.rfc3339(max),
                    rate, Outputs.ALERT_COUNT.sum());
            lastRecords = records;
            lastTime = now;
        }
    }

    void stop() {
        running = false;
        thread.interrupt();
    }
}
