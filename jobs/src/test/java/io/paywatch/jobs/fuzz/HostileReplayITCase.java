package io.paywatch.jobs.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.paywatch.jobs.cli.PayWatchCli;
import io.paywatch.jobs.ingest.BoundedLineReader;
import io.paywatch.jobs.testing.HostileInput;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replay file of hostile lines (1 MB lines, NUL bytes, invalid UTF-8, deep nesting, garbage)
 * through the whole job: it finishes, and every line is accounted for as accepted, rejected,
 * duplicate or late, every rejection a dead letter with a reason.
 */
class HostileReplayITCase {
    @TempDir
    Path dir;

    @Test
    void theJobAccountsForEveryHostileLine() throws Exception {
        Path input = dir.resolve("hostile.jsonl");
        HostileInput hostile = new HostileInput(7);
        long lines = 0;
        try (OutputStream out = Files.newOutputStream(input)) {
            for (int i = 0; i < 100_000; i++) {
                byte[] line = HostileInput.oneLine(hostile.next(i % 5_000 == 0 ? 1 << 20 : 2_000));
                if (BoundedLineReader.isBlank(line)) {
                    continue; // blank lines are skipped by design, not records
                }
                out.write(line);
                out.write('\n');
                lines++;
            }
        }
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = PayWatchCli.run(new String[] {"replay", "--input", input.toString(),
                "--metrics-out", dir.resolve("m.lp").toString(),
                "--dead-letter-out", dir.resolve("dead.jsonl").toString(),
                "--alerts-out", dir.resolve("alerts.jsonl").toString(), "--quiet"},
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();

        long[] sums = new long[4];
        for (String m : Files.readAllLines(dir.resolve("m.lp"))) {
            if (m.startsWith("paywatch_input ")) {
                String fields = m.split(" ")[1];
                for (String f : fields.split(",")) {
                    String[] kv = f.split("=");
                    long v = Long.parseLong(kv[1].replace("i", ""));
                    switch (kv[0]) {
                        case "accepted": sums[0] += v; break;
                        case "rejected": sums[1] += v; break;
                        case "duplicates": sums[2] += v; break;
                        default: sums[3] += v;
                    }
                }
            }
        }
        assertThat(sums[0] + sums[1] + sums[2] + sums[3]).isEqualTo(lines);
        assertThat(sums[0]).isPositive();
        List<String> dead = Files.readAllLines(dir.resolve("dead.jsonl"), StandardCharsets.UTF_8);
        assertThat((long) dead.size()).isEqualTo(sums[1] + sums[3]);
        assertThat(dead).allMatch(d -> d.startsWith("{\"reason\":\"") && d.length() < 10_000);
    }

    /**
     * The realistic hour with hostile records among its lines — records the parser rejects, and
     * valid payments whose merchant and channel are hostile identifiers (mentions, links, markup,
     * line-protocol syntax), stamped no later than the line before them so they move no clock:
     * the hour's alerts are byte-identical to the clean run's, its rates and codes unchanged, and
     * every metrics line, hostile tags included, is still line protocol.
     */
    @Test
    void nothingHostileChangesAnAlertOfTheCleanStream() throws Exception {
        List<String> clean = new io.paywatch.jobs.testing.RealisticHour().lines;
        io.paywatch.jobs.ingest.EventParser parser =
                new io.paywatch.jobs.ingest.EventParser(io.paywatch.model.ReturnCodeCatalog.defaultCatalog());
        HostileInput hostile = new HostileInput(11);
        List<String> plainIdentifiers = HostileInput.IDENTIFIERS.stream()
                .filter(s -> io.paywatch.model.PlainText.firstForbidden(s) < 0).toList();
        List<String> mixed = new java.util.ArrayList<>();
        long lastTime = io.paywatch.jobs.testing.RealisticHour.START;
        int planted = 0;
        for (int i = 0; i < clean.size(); i++) {
            String line = clean.get(i);
            mixed.add(line);
            io.paywatch.jobs.ingest.ParsedRecord r = parser.parse(line, "clean", 0);
            if (r.isValid()) {
                lastTime = r.event.eventTime; // never past the newest event: no clock moves
            }
            if (i % 7 != 3) {
                continue;
            }
            if (planted % 2 == 0) {
                // as the file will hold it (invalid UTF-8 is decoded to U+FFFD on the way)
                String bad;
                do {
                    bad = new String(HostileInput.oneLine(hostile.next(2_000)), StandardCharsets.UTF_8);
                } while (bad.isBlank() || parser.parse(bad, "h", 0).isValid());
                mixed.add(bad);
            } else {
                String id = plainIdentifiers.get((planted / 2) % plainIdentifiers.size());
                String json = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode()
                        .put("event_id", "hostile-" + planted).put("event_time", lastTime)
                        .put("kind", "payment").put("payment_id", "hp-" + planted).put("order_id", "ho-" + planted)
                        .put("merchant_id", id).put("channel", id.length() > 64 ? id.substring(0, 64) : id)
                        .put("status", "succeeded").put("amount_minor", 100).put("currency", "CNY").toString();
                mixed.add(json);
            }
            planted++;
        }
        Path cleanFile = dir.resolve("clean.jsonl");
        Path mixedFile = dir.resolve("mixed.jsonl");
        Files.write(cleanFile, clean);
        Files.write(mixedFile, mixed);
        Path cleanOut = Files.createDirectories(dir.resolve("clean-out"));
        Path mixedOut = Files.createDirectories(dir.resolve("mixed-out"));
        for (Path[] run : new Path[][] {{cleanFile, cleanOut}, {mixedFile, mixedOut}}) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = PayWatchCli.run(new String[] {"replay", "--input", run[0].toString(),
                    "--alerts-out", run[1].resolve("alerts.jsonl").toString(),
                    "--metrics-out", run[1].resolve("m.lp").toString(),
                    "--dead-letter-out", run[1].resolve("dead.jsonl").toString(), "--parallelism", "2", "--quiet"},
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        }
        List<String> cleanAlerts = Files.readAllLines(cleanOut.resolve("alerts.jsonl"));
        assertThat(cleanAlerts).hasSizeGreaterThan(50);
        // the hostile identifiers' channels are real channels with healthy traffic: failover
        // advice may name them (escaped, as everything), and nothing else of an alert changes
        java.util.Set<String> hostileChannels = new java.util.HashSet<>();
        for (String id : plainIdentifiers) {
            hostileChannels.add(id.length() > 64 ? id.substring(0, 64) : id);
        }
        List<String> mixedAlerts = Files.readAllLines(mixedOut.resolve("alerts.jsonl"));
        assertThat(mixedAlerts.stream().filter(l -> l.contains("Best alternative")).count())
                .isEqualTo(cleanAlerts.stream().filter(l -> l.contains("Best alternative")).count());
        assertThat(mixedAlerts.stream().map(l -> withoutAdviceOn(l, hostileChannels)).toList())
                .isEqualTo(cleanAlerts.stream().map(l -> withoutAdviceOn(l, hostileChannels)).toList());

        java.util.Set<String> hostileTags = new java.util.HashSet<>();
        for (String id : plainIdentifiers) {
            hostileTags.add(io.paywatch.jobs.metrics.MetricLines.tag(id));
            hostileTags.add(io.paywatch.jobs.metrics.MetricLines.tag(id.length() > 64 ? id.substring(0, 64) : id));
        }
        List<String> kept = new java.util.ArrayList<>();
        int hostilePoints = 0;
        for (String l : Files.readAllLines(mixedOut.resolve("m.lp"))) {
            io.paywatch.jobs.metrics.LinePoint p = io.paywatch.jobs.metrics.LinePoint.parse(l);
            assertThat(p).as(l).isNotNull();
            if (p.tags.values().stream().anyMatch(hostileTags::contains)) {
                hostilePoints++;
            } else if (!p.measurement.equals("paywatch_input")) {
                kept.add(l);
            }
        }
        assertThat(hostilePoints).isPositive();
        assertThat(kept).containsExactlyElementsOf(Files.readAllLines(cleanOut.resolve("m.lp")).stream()
                .filter(l -> !l.startsWith("paywatch_input")).toList());
        long deadMixed = Files.readAllLines(mixedOut.resolve("dead.jsonl")).size();
        long deadClean = Files.readAllLines(cleanOut.resolve("dead.jsonl")).size();
        assertThat(deadMixed - deadClean).isGreaterThanOrEqualTo(planted / 2);
    }

    /**
     * An alert line with the hostile channels left out of its failover advice and the action's
     * "Best alternative" sentence cut (which one is best may be a hostile channel).
     */
    private static String withoutAdviceOn(String line, java.util.Set<String> hostileChannels) {
        try {
            var json = new com.fasterxml.jackson.databind.ObjectMapper();
            var a = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(line);
            var alternatives = a.path("evidence").path("alternatives");
            if (alternatives.isArray()) {
                var kept = json.createArrayNode();
                alternatives.forEach(x -> {
                    if (!hostileChannels.contains(x.path("channel").asText())) {
                        kept.add(x);
                    }
                });
                ((com.fasterxml.jackson.databind.node.ObjectNode) a.get("evidence")).set("alternatives", kept);
            }
            String action = a.path("recommended_action").asText(null);
            if (action != null && action.contains(" Best alternative: switch to ")) {
                a.put("recommended_action", action.substring(0, action.indexOf(" Best alternative: switch to ")));
            }
            return json.writeValueAsString(a);
        } catch (java.io.IOException e) {
            throw new AssertionError("not JSON: " + line, e);
        }
    }
}
