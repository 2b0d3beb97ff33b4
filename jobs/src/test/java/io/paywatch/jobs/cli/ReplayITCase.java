package io.paywatch.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paywatch.jobs.demo.Incident;
import io.paywatch.jobs.demo.Scenarios;
import io.paywatch.jobs.demo.TrafficGenerator;
import io.paywatch.jobs.ingest.EventParser;
import io.paywatch.jobs.testing.InfluxQl;
import io.paywatch.jobs.testing.ReferenceAlerts;
import io.paywatch.jobs.testing.TestServices;
import io.paywatch.model.PaymentEvent;
import io.paywatch.model.ReturnCodeCatalog;
import io.paywatch.model.RuleSettings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The core pipeline end to end: a realistic hour of traffic (about 120k lines with outages,
 * merchant failures, duplicates, late and malformed lines) replayed by the real command into
 * files and a real InfluxDB 1.x, at parallelism 1 and 2.
 */
class ReplayITCase {
    private static final long START = 1_795_428_000_000L; // 2026-11-23T10:00:00Z
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    static Path input;
    static List<String> lines;
    static long malformed;

    @BeforeAll
    static void generateTheHour() throws Exception {
        input = dir.resolve("hour.jsonl.gz");
        int code = PayWatchCli.run(new String[] {"generate", "--out", input.toString(),
                "--start", "2026-11-23T10:00:00Z", "--seed", "42"}, quietOut(), System.err);
        assertThat(code).isZero();
        io.paywatch.jobs.testing.RealisticHour hour = new io.paywatch.jobs.testing.RealisticHour();
        lines = hour.lines;
        malformed = hour.malformed;
        // the command's file and the in-memory hour are the same traffic
        assertThat(new String(new java.util.zip.GZIPInputStream(Files.newInputStream(input)).readAllBytes(),
                java.nio.charset.StandardCharsets.UTF_8).lines().count()).isEqualTo(lines.size());
        assertThat(lines.size()).isBetween(110_000, 130_000);
    }

    private static PrintStream quietOut() {
        return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    }

    private static Path replay(int parallelism, String... extra) {
        Path out = dir.resolve("p" + parallelism + "-" + extra.length);
        List<String> args = new ArrayList<>(List.of("replay", "--input", input.toString(),
                "--alerts-out", out.resolve("alerts.jsonl").toString(),
                "--metrics-out", out.resolve("metrics.lp").toString(),
                "--dead-letter-out", out.resolve("dead.jsonl").toString(),
                "--parallelism", String.valueOf(parallelism), "--quiet"));
        args.addAll(List.of(extra));
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        int code = PayWatchCli.run(args.toArray(new String[0]),
                new PrintStream(console, true, StandardCharsets.UTF_8), System.err);
        assertThat(code).as(console.toString(StandardCharsets.UTF_8)).isZero();
        return out;
    }

    @Test
    void replayReportsEveryIncidentInTimeMatchesTheContractAndIsTheSameAtAnyParallelism()
            throws Exception {
        String influx = TestServices.influx();
        Path p1 = replay(1, "--influx-url", influx, "--influx-db", "replay_it");
        Path p2 = replay(2);

        // identical outputs at any parallelism
        for (String f : List.of("alerts.jsonl", "metrics.lp", "dead.jsonl")) {
            assertThat(Files.readAllBytes(p2.resolve(f))).as(f).isEqualTo(Files.readAllBytes(p1.resolve(f)));
        }

        List<JsonNode> all = readJson(p1.resolve("alerts.jsonl"));
        List<JsonNode> alerts = all.stream().filter(a -> a.path("rule").asText().equals("failure_rate"))
                .collect(Collectors.toList());
        assertThat(alerts).isNotEmpty();

        // exactly the transitions a brute-force reading of the contract gives
        List<PaymentEvent> accepted = ReferenceAlerts.acceptedEvents(lines, 5_000);
        long newest = accepted.stream().mapToLong(e -> e.eventTime).max().getAsLong();
        TreeSet<String> expected = ReferenceAlerts.failureRateTransitions(accepted,
                RuleSettings.defaults(), newest - 5_000 - 1);
        TreeSet<String> actual = alerts.stream().filter(a -> a.path("rule").asText().equals("failure_rate"))
                .map(ReplayITCase::transition).collect(Collectors.toCollection(TreeSet::new));
        assertThat(actual).isEqualTo(expected);

        // the pattern rules report each scripted incident once, in time, resolve those that end,
        // and stay silent for the near misses (9 timeouts in a minute, a burst delivered twice,
        // 2 blocks, blocks 11 minutes apart, a charge 11 minutes after the failure)
        List<String> patterns = all.stream()
                .filter(a -> List.of("timeout_burst", "risk_block", "failed_but_charged")
                        .contains(a.path("rule").asText()))
                .map(a -> a.path("rule").asText() + " " + a.path("status").asText() + " "
                        + a.path("scope") + " " + a.path("transition_at").asText())
                .collect(Collectors.toList());
        assertThat(patterns).containsExactly(
                "timeout_burst firing {\"channel\":\"card\",\"merchant_id\":\"m-033\"} 2026-11-23T10:08:18Z",
                "timeout_burst resolved {\"channel\":\"card\",\"merchant_id\":\"m-033\"} 2026-11-23T10:13:38Z",
                "risk_block firing {\"card_fingerprint\":\"fp-card-test-1\"} 2026-11-23T10:17:30Z",
                "failed_but_charged firing {\"merchant_id\":\"m-070\",\"payment_id\":\"p-fc-a\"} 2026-11-23T10:32:00Z",
                "failed_but_charged firing {\"merchant_id\":\"m-071\",\"payment_id\":\"p-fc-b\"} 2026-11-23T10:37:00Z",
                "risk_block resolved {\"card_fingerprint\":\"fp-card-test-1\"} 2026-11-23T10:47:30Z",
                "failed_but_charged resolved {\"merchant_id\":\"m-070\",\"payment_id\":\"p-fc-a\"} 2026-11-23T10:50:00Z");
        JsonNode cardTesting = all.stream().filter(a -> a.path("rule").asText().equals("risk_block"))
                .findFirst().orElseThrow();
        assertThat(cardTesting.path("evidence").path("merchants").toString())
                .isEqualTo("[\"m-050\",\"m-051\",\"m-052\"]");
        // charged_unfulfilled: exactly the charges with no fulfilment or refund within 15 minutes
        // whose deadline the data reaches (the scripted one and background orders whose
        // fulfilment arrived too late and was dead-lettered), and the late fulfilment resolves
        TreeSet<String> unfulfilled = ReferenceAlerts.unfulfilledCharges(accepted, 900_000, newest - 5_001);
        TreeSet<String> charged = all.stream()
                .filter(a -> a.path("rule").asText().equals("charged_unfulfilled")
                        && a.path("status").asText().equals("firing"))
                .map(a -> a.path("scope").path("merchant_id").asText() + "|"
                        + a.path("scope").path("order_id").asText())
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(charged).isEqualTo(unfulfilled).contains("m-060|o-cu-1", "m-061|o-cu-2")
                .doesNotContain("m-062|o-cu-3", "m-063|o-cu-4");
        assertThat(all).anyMatch(a -> a.path("rule").asText().equals("charged_unfulfilled")
                && a.path("status").asText().equals("resolved")
                && a.path("scope").path("order_id").asText().equals("o-cu-2")
                && a.path("ends_at").asText().equals("2026-11-23T10:45:00Z"));

        // inhibition: merchants riding on the wallet outage do not page; the channel alert lists them
        List<JsonNode> inhibited = alerts.stream().filter(a -> a.has("inhibited_by")).collect(Collectors.toList());
        assertThat(inhibited).isNotEmpty();
        for (JsonNode a : inhibited) {
            JsonNode channelEnd = alerts.stream()
                    .filter(c -> c.path("alert_id").asText().equals(a.path("inhibited_by").asText())
                            && c.path("status").asText().equals("resolved"))
                    .findFirst().orElseThrow();
            String channel = channelEnd.path("scope").path("channel").asText();
            assertThat(channel).isIn("wallet", "qr"); // the channels with an incident
            assertThat(channelEnd.path("evidence").path("inhibited").toString())
                    .contains("\"" + a.path("scope").path("merchant_id").asText() + "\"");
        }
        assertThat(inhibited).anyMatch(a -> a.path("evidence").path("by_channel").has("wallet"));

        // every injected incident is reported in time and resolved after it ends
        assertIncident(alerts, "channel", "wallet", 2);
        assertIncident(alerts, "merchant_id", "m-007", 3);
        assertIncident(alerts, "channel", "qr", 5);
        // near misses stay silent: 16% failures, and a merchant with too little volume
        assertThat(alerts).noneMatch(a -> a.path("scope").path("merchant_id").asText().equals("m-011"));
        assertThat(alerts).noneMatch(a -> a.path("scope").path("merchant_id").asText().equals("m-190"));
        // channels without an incident never alert
        assertThat(alerts).noneMatch(a -> List.of("card", "bank_transfer", "bnpl")
                .contains(a.path("scope").path("channel").asText()));

        // one firing per incident: ids pair up firing…resolved, severity changes re-fire
        for (JsonNode a : alerts) {
            assertThat(a.path("alert_id").asText()).startsWith("failure_rate-");
            assertThat(a.path("evidence").path("event_ids").size()).isBetween(1, 20);
            assertThat(a.path("recommended_action").asText()).isNotBlank();
        }

        // dead letters: exactly the malformed lines and the late events, each with a reason
        List<JsonNode> dead = readJson(p1.resolve("dead.jsonl"));
        long late = dead.stream().filter(d -> d.path("reason").asText().equals("late")).count();
        assertThat(dead.size() - late).isEqualTo(malformed);
        assertThat(dead).allMatch(d -> !d.path("reason").asText().isEmpty() && d.has("input"));
        assertThat(late).isPositive();

        // no card number in any output
        for (String f : List.of("alerts.jsonl", "metrics.lp", "dead.jsonl")) {
            String text = Files.readString(p1.resolve(f));
            for (String card : TrafficGenerator.PLANTED_CARD_NUMBERS) {
                assertThat(text).as(f).doesNotContain(card).doesNotContain(card.replace(" ", ""));
            }
        }
        assertThat(Files.readString(p1.resolve("dead.jsonl"))).contains("************1111");
        // nor in the log of the run (the tests' log file)
        java.nio.file.Path log = java.nio.file.Paths.get("target", "test.log");
        if (Files.exists(log)) {
            String text = Files.readString(log);
            for (String card : TrafficGenerator.PLANTED_CARD_NUMBERS) {
                assertThat(text).as("test.log").doesNotContain(card).doesNotContain(card.replace(" ", ""));
            }
        }

        // InfluxDB holds the same rates and alerts, queried back with InfluxQL
        long ratePoints = Files.readAllLines(p1.resolve("metrics.lp")).stream()
                .filter(l -> l.startsWith("paywatch_rate,")).count();
        assertThat(InfluxQl.rows(influx, "replay_it", "SELECT count(total) FROM paywatch_rate")
                .get(0).get(1).asLong()).isEqualTo(ratePoints);
        assertThat(InfluxQl.rows(influx, "replay_it", "SELECT count(value) FROM paywatch_alert")
                .get(0).get(1).asLong()).isEqualTo(all.size());
        List<List<JsonNode>> wallet = InfluxQl.rows(influx, "replay_it",
                "SELECT max(failure_rate) FROM paywatch_rate WHERE scope='channel' AND channel='wallet'"
                        + " AND time >= '2026-11-23T10:12:00Z' AND time < '2026-11-23T10:20:00Z'");
        assertThat(wallet.get(0).get(1).asDouble()).isGreaterThan(0.5);
        List<List<JsonNode>> input = InfluxQl.rows(influx, "replay_it",
                "SELECT sum(accepted), sum(rejected), sum(duplicates), sum(late) FROM paywatch_input");
        assertThat(input.get(0).get(1).asLong()).isEqualTo(accepted.size());
        assertThat(input.get(0).get(2).asLong()).isEqualTo(malformed);
        assertThat(input.get(0).get(4).asLong()).isEqualTo(late);
        assertThat(input.get(0).get(1).asLong() + input.get(0).get(2).asLong()
                + input.get(0).get(3).asLong() + input.get(0).get(4).asLong()).isEqualTo(lines.size());
        List<List<JsonNode>> codes = InfluxQl.rows(influx, "replay_it",
                "SELECT max(count) FROM paywatch_code WHERE channel='wallet' AND code='203'");
        assertThat(codes.get(0).get(1).asLong()).isGreaterThan(100);
    }

    /** The incident fires within {@code minutes} of its start and resolves after it ends. */
    private static void assertIncident(List<JsonNode> alerts, String scope, String key, int minutes) {
        Incident incident = Scenarios.realisticHour(START).stream()
                .filter(i -> i.scope.equals(scope) && i.key.equals(key)).findFirst().orElseThrow();
        // the incident's alerts: those of its scope key that started after it began
        List<JsonNode> mine = alerts.stream()
                .filter(a -> a.path("rule").asText().equals("failure_rate"))
                .filter(a -> a.path("scope").path(scope).asText().equals(key))
                .filter(a -> java.time.Instant.parse(a.path("starts_at").asText()).toEpochMilli()
                        >= incident.fromMs)
                .collect(Collectors.toList());
        assertThat(mine).as("alerts of %s=%s", scope, key).isNotEmpty();
        JsonNode first = mine.get(0);
        assertThat(first.path("status").asText()).isEqualTo("firing");
        long startsAt = java.time.Instant.parse(first.path("starts_at").asText()).toEpochMilli();
        assertThat(startsAt).isBetween(incident.fromMs, incident.fromMs + minutes * 60_000L);
        JsonNode last = mine.get(mine.size() - 1);
        assertThat(last.path("status").asText()).isEqualTo("resolved");
        long endsAt = java.time.Instant.parse(last.path("ends_at").asText()).toEpochMilli();
        assertThat(endsAt).isGreaterThan(incident.toMs);
        assertThat(mine).extracting(a -> a.path("alert_id").asText()).containsOnly(first.path("alert_id").asText());
    }

    private static String transition(JsonNode a) {
        String scope = a.path("scope").fieldNames().next();
        return scope + "=" + a.path("scope").path(scope).asText() + " " + a.path("status").asText()
                + " " + a.path("severity").asText() + " "
                + java.time.Instant.parse(a.path("starts_at").asText()).toEpochMilli() + " "
                + (a.has("ends_at") ? String.valueOf(java.time.Instant.parse(a.path("ends_at").asText())
                        .toEpochMilli()) : "-");
    }

    private static List<JsonNode> readJson(Path file) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String l : Files.readAllLines(file)) {
            out.add(JSON.readTree(l));
        }
        return out;
    }

    @Test
    void badCommandLinesEndWithOneLineErrors() {
        assertThat(error("replay", "--input", dir.resolve("missing.jsonl").toString()))
                .isEqualTo("paywatch: replay: input file " + dir.resolve("missing.jsonl") + " does not exist\n");
        assertThat(error("replay", "--input", input.toString(), "--bogus", "1"))
                .isEqualTo("paywatch: replay: unknown flag --bogus (see ./paywatch help)\n");
        assertThat(error("replay", "--input", input.toString(), "--influx-url",
                "http://127.0.0.1:" + TestServices.freePort(), "--influx-db", "x"))
                .startsWith("paywatch: replay: cannot reach InfluxDB at http://127.0.0.1:");
        assertThat(error("replay", "--input", input.toString(), "--parallelism", "zero"))
                .isEqualTo("paywatch: replay: --parallelism must be a whole number >= 1, got 'zero'\n");
        assertThat(error("run", "--bootstrap-servers", "127.0.0.1:" + TestServices.freePort()))
                .startsWith("paywatch: run: cannot reach Kafka at");
        // --kafka-config reaches the clients: TLS against the plaintext test broker fails
        java.nio.file.Path ssl = dir.resolve("ssl.properties");
        try {
            Files.writeString(ssl, "security.protocol=SSL\n");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertThat(error("run", "--bootstrap-servers", TestServices.kafka(), "--kafka-config", ssl.toString()))
                .startsWith("paywatch: run: cannot reach Kafka at");
    }

    private static String error(String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = PayWatchCli.run(args, quietOut(), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).isEqualTo(2);
        String text = err.toString(StandardCharsets.UTF_8);
        assertThat(text.lines().count()).as(text).isEqualTo(1);
        return text;
    }

    static EventParser parser() {
        return new EventParser(ReturnCodeCatalog.defaultCatalog());
    }
}
