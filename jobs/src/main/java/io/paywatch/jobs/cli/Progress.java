package io.paywatch.jobs.cli;

import io.paywatch.jobs.ingest.IngestProgress;
import io.paywatch.jobs.metrics.AlertOutputMetrics;
import io.paywatch.model.Timestamps;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
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
            double rate = (records - lastRecords) * 1000.0 / Math.max(1, now - lastTime);
            out.println(line(command, records, IngestProgress.REJECTED.sum(), IngestProgress.DUPLICATES.sum(),
                    IngestProgress.LATE.sum(), IngestProgress.MAX_EVENT_TIME.get(),
                    AlertOutputMetrics.LATEST.get(), now, rate, Outputs.ALERT_COUNT.sum()));
            lastRecords = records;
            lastTime = now;
        }
    }

    /**
     * "… run: 136,823 records (…), newest event 09:40:50, processed to 08:55:10 (45m40s behind the
     * newest, 2h05m behind now), 0 records/s, 19 alerts": what was read, and how far the rules have
     * got (the watermark behind them) — alerts due before the newest event wait for the second.
     * The lag to the wall clock only for live commands: a replay's events are history.
     */
    static String line(String command, long records, long rejected, long duplicates, long late,
            long newest, long processed, long now, double rate, long alerts) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT,
                "  … %s: %,d records (%,d rejected, %,d duplicates, %,d late), newest event %s, processed to ",
                command, records, rejected, duplicates, late, newest == Long.MIN_VALUE ? "-" : Timestamps.rfc3339(newest)));
        if (processed == Long.MIN_VALUE) {
            b.append('-');
        } else if (processed == Long.MAX_VALUE) {
            b.append("the end of the input");
        } else {
            b.append(Timestamps.rfc3339(processed));
            List<String> behind = new ArrayList<>(2);
            if (newest != Long.MIN_VALUE) {
                behind.add(span(newest - processed) + " behind the newest");
            }
            if (!command.equals("replay")) {
                behind.add(span(AlertOutputMetrics.lagMs(processed, now)) + " behind now");
            }
            b.append(" (").append(String.join(", ", behind)).append(')');
        }
        b.append(String.format(Locale.ROOT, ", %,.0f records/s, %d alerts", rate, alerts));
        return b.toString();
    }

    /** 2h05m, 45m40s, 12s. */
    static String span(long ms) {
        long s = Math.max(0, ms) / 1000;
        if (s >= 3600) {
            return String.format(Locale.ROOT, "%dh%02dm", s / 3600, s % 3600 / 60);
        }
        if (s >= 60) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        return s + "s";
    }

    void stop() {
        running = false;
        thread.interrupt();
    }
}
