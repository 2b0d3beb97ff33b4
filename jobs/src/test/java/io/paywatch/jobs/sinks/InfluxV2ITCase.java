package io.paywatch.jobs.sinks;

import static org.assertj.core.api.Assertions.assertThat;

import io.paywatch.jobs.cli.PayWatchCli;
import io.paywatch.jobs.demo.Incident;
import io.paywatch.jobs.demo.TrafficGenerator;
import io.paywatch.jobs.testing.TestServices;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The InfluxDB 2.x/3.x write path (influxdb-client-java's blocking write API, {@code
 * /api/v2/write}) against a real server that speaks it: VictoriaMetrics from Debian.
 */
class InfluxV2ITCase {
    private static final long START = 1_795_428_000_000L;

    @TempDir
    Path dir;

    @Test
    void replayWritesRatesAndAlertsThroughTheV2Api() throws Exception {
        String vm = TestServices.victoria();
        List<Incident> incidents = List.of(new Incident("channel", "qr", START + 60_000, START + 240_000, 0.9, "203"));
        TrafficGenerator gen = new TrafficGenerator(3, START, 10, 30, incidents, TrafficGenerator.Noise.none());
        List<String> lines = new ArrayList<>();
        while (gen.peekTime() < START + 600_000) {
            lines.add(gen.next());
        }
        Path input = dir.resolve("in.jsonl");
        Files.write(input, lines);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = PayWatchCli.run(new String[] {"replay", "--input", input.toString(),
                "--influx-url", vm, "--influx-org", "paywatch", "--influx-bucket", "payments",
                "--influx-token-env", "PATH", "--metrics-out", dir.resolve("m.lp").toString(), "--quiet"},
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();

        HttpClient http = HttpClient.newHttpClient();
        http.send(HttpRequest.newBuilder(URI.create(vm + "/internal/force_flush")).GET().build(),
                HttpResponse.BodyHandlers.discarding());
        String export = http.send(HttpRequest.newBuilder(URI.create(vm + "/api/v1/export?match[]="
                        + URLEncoder.encode("{__name__=~\"paywatch_.*\"}", StandardCharsets.UTF_8)))
                .GET().build(), HttpResponse.BodyHandlers.ofString()).body();
        long rateLines = Files.readAllLines(dir.resolve("m.lp")).stream()
                .filter(l -> l.startsWith("paywatch_rate,channel=qr,scope=channel")).count();
        assertThat(rateLines).isPositive();
        // VictoriaMetrics names series <measurement>_<field>; one sample per point
        String qrFailureRate = export.lines()
                .filter(l -> l.contains("\"__name__\":\"paywatch_rate_failure_rate\"")
                        && l.contains("\"channel\":\"qr\""))
                .findFirst().orElseThrow(() -> new AssertionError("no qr failure_rate series in " + export.length() + " bytes"));
        assertThat(qrFailureRate.split("\"timestamps\":\\[")[1].split("]")[0].split(",")).hasSize((int) rateLines);
        assertThat(export).contains("\"__name__\":\"paywatch_alert_value\"");
        assertThat(export).contains("\"__name__\":\"paywatch_input_accepted\"");
    }
}
