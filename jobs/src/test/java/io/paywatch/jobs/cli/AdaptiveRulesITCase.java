package io.paywatch.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The adaptive rules end to end (contract section 3b): the real {@code generate} and
 * {@code replay} commands on the adaptive scenario (an hour of history, then a merchant at 1.5 %
 * rising to 15 %, one at a steady 22 %, a channel silent for 10 minutes, one down 40 %) and on
 * the realistic hour, with the rules switched on, at parallelism 1 and 2.
 */
class AdaptiveRulesITCase {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    static Path rules;

    @BeforeAll
    static void rulesFile() throws Exception {
        rules = dir.resolve("rules.yaml");
        Files.writeString(rules, "failure_rate_anomaly: {enabled: true}\ntraffic_drop: {enabled: true}\n");
    }

    private static Path generate(String scenario) {
        Path file = dir.resolve(scenario + ".jsonl");
        run("generate", "--scenario", scenario, "--out", file.toString(), "--seed", "42");
        return file;
    }

    private static Path replay(Path input, int parallelism) {
        return replay(input, parallelism, rules);
    }

    private static Path replay(Path input, int parallelism, Path rules) {
        Path out = dir.resolve(input.getFileName() + "-" + rules.getFileName() + "-p" + parallelism);
        run("replay", "--input", input.toString(), "--rules", rules.toString(),
                "--alerts-out", out.resolve("alerts.jsonl").toString(),
                "--metrics-out", out.resolve("metrics.lp").toString(),
                "--dead-letter-out", out.resolve("dead.jsonl").toString(),
                "--parallelism", String.valueOf(parallelism), "--quiet");
        return out;
    }

    private static void run(String... args) {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        int code = PayWatchCli.run(args, new PrintStream(console, true, StandardCharsets.UTF_8), System.err);
        assertThat(code).as(console.toString(StandardCharsets.UTF_8)).isZero();
    }

    private static void sameAtAnyParallelism(Path p1, Path p2) throws Exception {
        for (String f : List.of("alerts.jsonl", "metrics.lp", "dead.jsonl")) {
            assertThat(Files.readAllBytes(p2.resolve(f))).as(f).isEqualTo(Files.readAllBytes(p1.resolve(f)));
        }
    }

    private static List<JsonNode> adaptiveAlerts(Path out) throws Exception {
        List<JsonNode> all = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve("alerts.jsonl"))) {
            JsonNode a = JSON.readTree(line);
            String rule = a.path("rule").asText();
            if (rule.equals("failure_rate_anomaly") || rule.equals("traffic_drop")) {
                all.add(a);
            }
        }
        return all;
    }

    private static String transition(JsonNode a) {
        return a.path("rule").asText() + " " + a.path("status").asText() + " " + a.path("severity").asText()
                + " " + a.path("scope");
    }

    @Test
    void theScenarioPagesTheRiseAndTheSilenceOnlyAndTheSameAtAnyParallelism() throws Exception {
        Path input = generate("adaptive");
        Path p1 = replay(input, 1);
        Path p2 = replay(input, 2);
        sameAtAnyParallelism(p1, p2);

        List<JsonNode> adaptive = adaptiveAlerts(p1);
        assertThat(adaptive).extracting(AdaptiveRulesITCase::transition).containsExactly(
                "failure_rate_anomaly firing warning {\"merchant_id\":\"m-002\"}",
                "traffic_drop firing warning {\"channel\":\"bnpl\"}",
                "traffic_drop firing critical {\"channel\":\"bnpl\"}",
                "traffic_drop firing warning {\"channel\":\"bnpl\"}",
                "traffic_drop resolved warning {\"channel\":\"bnpl\"}",
                "failure_rate_anomaly resolved warning {\"merchant_id\":\"m-002\"}");
        JsonNode rise = adaptive.get(0);
        // the rise starts at 11:05; the anomaly is seen within minutes, while failure_rate's 30 % never is
        assertThat(rise.path("starts_at").asText()).isBetween("2026-11-23T11:05:10Z", "2026-11-23T11:10:00Z");
        assertThat(rise.path("summary").asText()).startsWith("merchant m-002: ")
                .containsPattern("its usual rate is 1\\.[0-9] % \\(last hour\\)");
        assertThat(rise.path("measure").asText()).isEqualTo("failure_rate");
        assertThat(rise.path("evidence").path("baseline").asDouble()).isBetween(0.008, 0.022);
        assertThat(rise.path("threshold").asDouble())
                .isEqualTo(Math.round((rise.path("evidence").path("baseline").asDouble() + 0.05) * 10_000) / 10_000.0);
        JsonNode silent = adaptive.get(2);
        assertThat(silent.path("value").asDouble()).isZero();
        assertThat(silent.path("evidence").path("baseline_volume").asDouble()).isGreaterThan(100);
        assertThat(silent.path("summary").asText()).startsWith("channel bnpl: no payments over 5m at ");
        assertThat(silent.path("alert_id").asText()).isEqualTo(adaptive.get(1).path("alert_id").asText());

        // neither the steady 22 % merchant nor the rise pages failure_rate; bank_transfer's 40 % fall is no drop
        String alerts = Files.readString(p1.resolve("alerts.jsonl"));
        assertThat(alerts).doesNotContain("\"merchant_id\":\"m-003\"}", "\"channel\":\"bank_transfer\"}");
        assertThat(Files.readAllLines(p1.resolve("alerts.jsonl")).stream()
                .filter(l -> l.contains("\"rule\":\"failure_rate\"") && l.contains("\"merchant_id\":\"m-002\"")))
                .isEmpty();

        // paywatch_rate points carry the baselines once established
        List<String> metrics = Files.readAllLines(p1.resolve("metrics.lp"));
        assertThat(metrics.stream().filter(l -> l.startsWith("paywatch_rate,merchant_id=m-003,")
                && l.contains("baseline_failure_rate=")).collect(Collectors.toList()))
                .isNotEmpty()
                .allSatisfy(l -> assertThat(Double.parseDouble(l.replaceAll(".*baseline_failure_rate=([0-9.E-]+).*", "$1")))
                        .isBetween(0.18, 0.26));
        assertThat(metrics).anyMatch(l -> l.startsWith("paywatch_rate,channel=bnpl,")
                && l.contains(" baseline_failure_rate=") && l.contains("baseline_volume=") && l.contains("total=0i"));
    }

    @Test
    void trafficDropOnAWindowOfItsOwnJudgesThatWindowAndLeavesTheOtherRulesAsTheyWere() throws Exception {
        Path input = generate("adaptive");
        Path own = dir.resolve("own-window.yaml");
        // 15 minutes judged every minute: bnpl's 10 silent minutes leave ~40 % of its usual volume
        Files.writeString(own, "failure_rate_anomaly: {enabled: true}\n"
                + "traffic_drop: {enabled: true, window: 15m, every: 1m, drop_to: 0.45}\n");
        Path p1 = replay(input, 1, own);
        Path p2 = replay(input, 2, own);
        sameAtAnyParallelism(p1, p2);

        List<JsonNode> drops = adaptiveAlerts(p1).stream().filter(a -> a.path("rule").asText().equals("traffic_drop"))
                .collect(Collectors.toList());
        assertThat(drops).extracting(AdaptiveRulesITCase::transition).containsExactly(
                "traffic_drop firing warning {\"channel\":\"bnpl\"}",
                "traffic_drop resolved warning {\"channel\":\"bnpl\"}");
        JsonNode fired = drops.get(0);
        assertThat(fired.path("summary").asText()).startsWith("channel bnpl: ").contains(" over 15m");
        // about 40 % of 15 minutes of usual traffic: above 0 (never critical), at most drop_to
        double baseline = fired.path("evidence").path("baseline_volume").asDouble();
        assertThat(fired.path("value").asDouble()).isGreaterThan(0).isLessThanOrEqualTo(0.45 * baseline);
        assertThat(fired.path("threshold").asDouble()).isCloseTo(0.45 * baseline, org.assertj.core.api.Assertions.within(0.01));
        for (JsonNode a : drops) {
            String at = a.path("status").asText().equals("firing") ? "starts_at" : "ends_at";
            assertThat(java.time.Instant.parse(a.path(at).asText()).toEpochMilli() % 60_000)
                    .as("judged every minute").isZero();
        }

        // the anomaly, failure_rate and the patterns are those of the run on shared windows (their
        // failover advice may differ: it leaves out channels whose drop is firing at the time)
        Path shared = replay(input, 1);
        assertThat(decisionsBesidesDrops(p1)).hasSizeGreaterThan(10).isEqualTo(decisionsBesidesDrops(shared));
        // paywatch_rate stays failure_rate's window; the usual volume is in the drop's alerts
        List<String> metrics = Files.readAllLines(p1.resolve("metrics.lp"));
        assertThat(metrics).noneMatch(l -> l.contains(",window=15m")).noneMatch(l -> l.contains("baseline_volume="))
                .anyMatch(l -> l.startsWith("paywatch_rate,channel=bnpl,") && l.contains("baseline_failure_rate="));
    }

    /** Each alert but traffic_drop's: what was decided, when, on what (not the advice). */
    private static List<String> decisionsBesidesDrops(Path out) throws Exception {
        List<String> decisions = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve("alerts.jsonl"))) {
            JsonNode a = JSON.readTree(line);
            if (!a.path("rule").asText().equals("traffic_drop")) {
                decisions.add(a.path("alert_id").asText() + " " + a.path("status").asText() + " "
                        + a.path("severity").asText() + " " + a.path("transition_at").asText() + " "
                        + a.path("value").asText() + " " + a.path("threshold").asText() + " "
                        + a.path("summary").asText() + " " + a.path("inhibited_by").asText());
            }
        }
        return decisions;
    }

    @Test
    void theRealisticHourWithTheRulesOnIsTheSameAtAnyParallelism() throws Exception {
        Path input = generate("hour");
        Path p1 = replay(input, 1);
        Path p2 = replay(input, 2);
        sameAtAnyParallelism(p1, p2);
        // an hour learns little: drops need their warm-up and anomalies 200 payments of history
        assertThat(Files.readString(p1.resolve("metrics.lp"))).contains("baseline_volume=", "baseline_failure_rate=");
    }
}
