package io.paywatch.jobs.backtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.paywatch.jobs.cli.PayWatchCli;
import io.paywatch.jobs.testing.RealisticHour;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The replay report: self-contained, and its charts render in a real (headless) browser. */
class ReportITCase {
    @TempDir
    Path dir;

    @Test
    void theReportIsSelfContainedAndRendersInChromium() throws Exception {
        Path input = dir.resolve("hour.jsonl");
        Files.write(input, new RealisticHour().lines);
        Path report = dir.resolve("report.html");
        Path alerts = dir.resolve("alerts.jsonl");
        // with the adaptive rules on, the channel chart shows each channel's usual rate too
        Path rules = dir.resolve("rules.yaml");
        Files.writeString(rules, "failure_rate_anomaly: {enabled: true}\n");
        int code = PayWatchCli.run(new String[] {"replay", "--input", input.toString(), "--rules", rules.toString(), "--report",
                report.toString(), "--alerts-out", alerts.toString(), "--quiet"},
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), System.err);
        assertThat(code).isZero();
        String html = Files.readString(report);
        // nothing to fetch: the charting library and the data are in the file
        assertThat(html).doesNotContain("src=\"http").doesNotContain("<link").contains("Chart.js");
        assertThat(html).contains("insufficient balance"); // catalogue meanings of the top codes
        int alertCount = Files.readAllLines(alerts).size();

        Path profile = Files.createDirectories(dir.resolve("chromium-profile"));
        Process p = new ProcessBuilder("chromium", "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile,
                "--virtual-time-budget=5000", "--dump-dom", report.toUri().toString())
                .redirectError(dir.resolve("chromium.log").toFile())
                .start();
        String dom = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
        // the report's script marks what it rendered: both charts, every alert row
        assertThat(dom).contains("data-charts-rendered=\"2\"");
        assertThat(dom).contains("data-alert-rows=\"" + alertCount + "\"");
        assertThat(dom).contains("data-usual-series=\"5\""); // the five channels' usual rates
        assertThat(dom.split("<tr>", -1).length - 1).isGreaterThanOrEqualTo(alertCount);
        List<String> lines = dom.lines().toList();
        assertThat(lines).isNotEmpty();
    }
}
