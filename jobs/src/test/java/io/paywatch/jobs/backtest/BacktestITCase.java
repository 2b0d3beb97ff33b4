package io.paywatch.jobs.backtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paywatch.jobs.cli.PayWatchCli;
import io.paywatch.jobs.testing.RealisticHour;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backtesting a rule change on the realistic hour: both rule sets in one pass give exactly what
 * two separate replays give, and the comparison says where they differ.
 */
class BacktestITCase {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private String run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = PayWatchCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
        assertThat(code).isZero();
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void comparesACandidateRuleSetWithTheCurrentOneInOnePass() throws Exception {
        Path input = dir.resolve("hour.jsonl");
        Files.write(input, new RealisticHour().lines);
        Path candidate = dir.resolve("candidate.yaml");
        Files.writeString(candidate, "failure_rate: {warning: 0.25, min_volume: 30}\ntimeout_burst: {count: 8}\n");
        Path current = dir.resolve("current.yaml");
        Files.writeString(current, "{}\n");

        String console = run("replay", "--input", input.toString(), "--rules", candidate.toString(),
                "--compare-rules", current.toString(), "--compare-out", dir.resolve("diff.json").toString(),
                "--alerts-out", dir.resolve("candidate-alerts.jsonl").toString(), "--quiet");
        assertThat(console).contains("incidents per rule").contains("only with the candidate");
        run("replay", "--input", input.toString(), "--rules", current.toString(),
                "--alerts-out", dir.resolve("current-alerts.jsonl").toString(), "--quiet");
        run("replay", "--input", input.toString(), "--rules", candidate.toString(),
                "--alerts-out", dir.resolve("candidate-alone.jsonl").toString(), "--quiet");

        // the candidate's alerts in the comparing pass are those of a replay with it alone
        assertThat(Files.readAllLines(dir.resolve("candidate-alerts.jsonl")))
                .isEqualTo(Files.readAllLines(dir.resolve("candidate-alone.jsonl")));
        // the comparison is the one of the two separate replays
        RuleComparison expected = RuleComparison.compare(
                Files.readAllLines(dir.resolve("candidate-alone.jsonl")),
                Files.readAllLines(dir.resolve("current-alerts.jsonl")));
        JsonNode diff = JSON.readTree(dir.resolve("diff.json").toFile());
        assertThat(diff.path("only_candidate").size()).isEqualTo(expected.onlyCandidate.size()).isPositive();
        assertThat(diff.path("only_current").size()).isEqualTo(expected.onlyCurrent.size()).isPositive();
        assertThat(diff.path("changed").size()).isEqualTo(expected.changed.size());
        assertThat(diff.path("counts").path("candidate").path("timeout_burst").asInt())
                .isGreaterThan(diff.path("counts").path("current").path("timeout_burst").asInt());
        List<String> rules = new ArrayList<>();
        diff.path("counts").path("current").fieldNames().forEachRemaining(rules::add);
        assertThat(rules).contains("failure_rate", "timeout_burst", "risk_block", "charged_unfulfilled",
                "failed_but_charged");
    }
}
