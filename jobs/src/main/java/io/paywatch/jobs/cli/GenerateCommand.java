package io.paywatch.jobs.cli;

import io.paywatch.jobs.demo.Incident;
import io.paywatch.jobs.demo.Scenarios;
import io.paywatch.jobs.demo.TrafficGenerator;
import io.paywatch.jobs.ingest.EventTimeParser;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/** {@code ./paywatch generate}: writes realistic traffic to a replay file. */
final class GenerateCommand {
    private GenerateCommand() {}

    static int execute(CliArgs a, PrintStream out) throws IOException {
        Path file = Paths.get(a.required("out"));
        long duration = a.durationMs("duration",
                "adaptive".equals(a.get("scenario", "hour")) ? "90m" : "1h");
        double rate = parseRate(a.get("rate"), Scenarios.HOUR_PAYMENTS_PER_SECOND);
        long seed = Long.parseLong(a.get("seed", "42"));
        long start = EventTimeParser.parseRfc3339(a.get("start", "2026-11-23T10:00:00Z"));
        if (start == Long.MIN_VALUE) {
            throw new UsageException("generate: --start must be an RFC 3339 time, got '"
                    + a.get("start") + "'");
        }
        String scenario = a.get("scenario", "hour");
        List<Incident> incidents;
        switch (scenario) {
            case "hour":
                incidents = Scenarios.realisticHour(start);
                break;
            case "adaptive":
                incidents = Scenarios.adaptive(start);
                break;
            case "none":
                incidents = List.of();
                break;
            default:
                throw new UsageException("generate: --scenario must be hour, adaptive or none, got '"
                        + scenario + "'");
        }
        int merchants = a.intValue("merchants", Scenarios.HOUR_MERCHANTS);
        TrafficGenerator gen = new TrafficGenerator(seed, start, rate, merchants, incidents,
                new TrafficGenerator.Noise());
        if (scenario.equals("hour")) {
            for (io.paywatch.jobs.demo.ScriptedIncidents.Line l
                    : io.paywatch.jobs.demo.ScriptedIncidents.realisticHour(start)) {
                gen.schedule(l.time, l.json);
            }
        }
        long lines = 0;
        long end = start + duration;
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (OutputStream os = file.toString().endsWith(".gz")
                        ? new GZIPOutputStream(Files.newOutputStream(file), 1 << 16)
                        : Files.newOutputStream(file);
                BufferedWriter w = new BufferedWriter(new OutputStreamWriter(os, StandardCharsets.UTF_8),
                        1 << 16)) {
            while (gen.peekTime() < end) {
                w.write(gen.next());
                w.write('\n');
                lines++;
            }
        }
        out.printf("generate: wrote %d lines (%d malformed) to %s%n", lines, gen.malformedEmitted, file);
        if (scenario.equals("hour")) {
            out.println("  plus pattern incidents and near misses: a timeout burst (m-033/card, 10:08),"
                    + " card testing (fp-card-test-1, 10:15), unfulfilled charges (m-060, m-061),"
                    + " failed-but-charged payments (m-070, m-071), and their near misses");
        }
        for (Incident i : incidents) {
            out.println("  incident: " + i.scope + "=" + i.key + (i.changesVolume()
                    ? " traffic at " + Math.round(i.volume * 100) + "% of usual"
                    : " code " + i.code + " at " + Math.round(i.failureRate * 100) + "%") + " from "
                    + io.paywatch.model.Timestamps.rfc3339(i.fromMs) + " to "
                    + io.paywatch.model.Timestamps.rfc3339(i.toMs));
        }
        return 0;
    }

    static double parseRate(String v, double fallback) {
        if (v == null) {
            return fallback;
        }
        try {
            double d = Double.parseDouble(v);
            if (d <= 0 || d > 1_000_000) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw new UsageException("--rate must be a positive number of payments per second, got '" + v + "'");
        }
    }
}
