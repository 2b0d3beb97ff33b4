package io.paywatch.bench;

import io.paywatch.jobs.cli.PayWatchCli;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What a user of the command line sees: {@code ./paywatch replay} of a file, timed from the
 * command's start to its exit (reading the file, the whole job, writing the alerts, metrics and
 * dead-letter files), on the benchmark's events.
 */
final class EndToEnd {
    private EndToEnd() {}

    /** Writes the events as a JSONL file, replays it at parallelism 2, and returns events/s. */
    static double replay(BenchEvents set, PrintStream out) throws Exception {
        Path dir = Files.createTempDirectory("paywatch-bench-replay");
        try {
            Path input = dir.resolve("events.jsonl");
            try (OutputStream file = new java.io.BufferedOutputStream(Files.newOutputStream(input), 1 << 20)) {
                for (byte[] line : set.lines) {
                    file.write(line);
                    file.write('\n');
                }
            }
            out.printf(Locale.ROOT, "bench: replay: %s, %.1f MB%n", input, Files.size(input) / 1e6);
            String[] args = {"replay", "--input", input.toString(),
                "--alerts-out", dir.resolve("alerts.jsonl").toString(),
                "--metrics-out", dir.resolve("metrics.lp").toString(),
                "--dead-letter-out", dir.resolve("dead.jsonl").toString(),
                "--parallelism", String.valueOf(BenchSource.PARALLELISM), "--quiet"};
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            long started = System.nanoTime();
            int exit = PayWatchCli.run(args, new PrintStream(OutputStream.nullOutputStream()),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            double seconds = (System.nanoTime() - started) / 1e9;
            if (exit != 0) {
                throw new IllegalStateException("replay failed: " + err.toString(StandardCharsets.UTF_8));
            }
            long alerts = lineCount(dir.resolve("alerts.jsonl"));
            long points = lineCount(dir.resolve("metrics.lp"));
            out.printf(Locale.ROOT, "bench: replay: %.1f s from start to exit, %,d alert transitions and %,d metric"
                    + " points written%n", seconds, alerts, points);
            return set.lines.length / seconds;
        } finally {
            deleteTree(dir);
        }
    }

    private static long lineCount(Path file) throws IOException {
        try (var lines = Files.lines(file)) {
            return lines.count();
        }
    }

    static void deleteTree(Path dir) throws IOException {
        try (var all = Files.walk(dir)) {
            all.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
        }
    }
}
