package io.paywatch.jobs.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paywatch.jobs.cli.PayWatchCli;
import io.paywatch.jobs.demo.Incident;
import io.paywatch.jobs.demo.TrafficGenerator;
import io.paywatch.jobs.testing.WebhookReceiver;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Alerts of a replay delivered to real HTTP receivers on loopback: one that fails its first
 * requests, one that takes Alertmanager's payload, one that refuses everything (400).
 */
class WebhookITCase {
    private static final long START = 1_795_428_000_000L;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET_ENV = "PAYWATCH_IT_WEBHOOK_SECRET";

    @TempDir
    Path dir;

    @Test
    void everyAlertReachesTheReceiversSignedOnceInContentAndRefusalsAreDeadLettered() throws Exception {
        assertThat(System.getenv(SECRET_ENV)).as("set by the failsafe configuration").isNotBlank();
        List<Incident> incidents = List.of(
                new Incident("channel", "wallet", START + 5 * 60_000, START + 9 * 60_000, 0.9, "203"));
        TrafficGenerator gen = new TrafficGenerator(11, START, 8, 40, incidents, TrafficGenerator.Noise.none());
        List<String> lines = new ArrayList<>();
        while (gen.peekTime() < START + 20 * 60_000) {
            lines.add(gen.next());
        }
        Path input = dir.resolve("in.jsonl");
        Files.write(input, lines);
        // a planned maintenance of channel qr: its alerts, if any, are recorded but not paged;
        // and one of merchant m-002 during the wallet outage
        Path rules = dir.resolve("rules.yaml");
        Files.writeString(rules, "silences:\n"
                + "  - {merchant_id: m-002, from: 2026-11-23T10:00:00Z, to: 2026-11-23T10:20:00Z, reason: merchant migration}\n");

        try (WebhookReceiver flaky = new WebhookReceiver(3, 503, 0);
                WebhookReceiver alertmanager = new WebhookReceiver(0, 200, 0);
                WebhookReceiver refusing = new WebhookReceiver(-1, 400, 0);
                WebhookReceiver alertmanagerApi = new WebhookReceiver(0, 200, 0)) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = PayWatchCli.run(new String[] {"replay", "--input", input.toString(),
                    "--alerts-out", dir.resolve("alerts.jsonl").toString(),
                    "--metrics-out", dir.resolve("metrics.lp").toString(),
                    "--dead-letter-out", dir.resolve("dead.jsonl").toString(),
                    "--webhook-url", flaky.url(), "--webhook-url", alertmanager.url(),
                    "--webhook-url", refusing.url(),
                    "--webhook-format", "generic", "--webhook-format", "alertmanager",
                    "--webhook-format", "generic",
                    "--webhook-secret-env", SECRET_ENV, "--quiet", "--rules", rules.toString(),
                    "--alertmanager-url", alertmanagerApi.url().substring(0, alertmanagerApi.url().indexOf("/hook"))},
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();

            // pages: the alerts that are neither inhibited by a channel alert nor silenced
            List<String> all = Files.readAllLines(dir.resolve("alerts.jsonl"));
            List<String> silenced = all.stream().filter(a -> a.contains("\"silenced\":\"merchant migration\""))
                    .collect(java.util.stream.Collectors.toList());
            assertThat(silenced).isNotEmpty().allMatch(a -> a.contains("\"merchant_id\":\"m-002\""));
            List<String> alerts = all.stream()
                    .filter(a -> !a.contains("\"inhibited_by\"") && !a.contains("\"silenced\""))
                    .collect(java.util.stream.Collectors.toList());
            assertThat(alerts).isNotEmpty();
            Set<String> expectedKeys = new TreeSet<>();
            for (String a : alerts) {
                JsonNode n = JSON.readTree(a);
                expectedKeys.add(n.path("alert_id").asText() + ":" + n.path("status").asText() + ":"
                        + Instant.parse(n.path("transition_at").asText()).toEpochMilli());
            }

            // the flaky receiver: every transition arrives (after 3 refusals), always the same
            // content for the same key, every request signed
            Map<String, String> bodyByKey = new HashMap<>();
            String secret = System.getenv(SECRET_ENV);
            for (WebhookReceiver.Received r : flaky.requests) {
                String key = r.header(WebhookDelivery.IDEMPOTENCY_HEADER);
                String previous = bodyByKey.putIfAbsent(key, r.body);
                assertThat(previous == null || previous.equals(r.body)).as("same content for %s", key).isTrue();
                assertThat(r.header(Signatures.HEADER)).isEqualTo(Signatures.sign(secret, r.body));
            }
            assertThat(bodyByKey.keySet()).isEqualTo(expectedKeys);
            assertThat(new TreeSet<>(bodyByKey.values())).isEqualTo(new TreeSet<>(alerts));
            assertThat(flaky.requests).hasSize(alerts.size() + 3);

            // Alertmanager's payload, one notification per transition
            assertThat(alertmanager.requests).hasSize(alerts.size());
            for (WebhookReceiver.Received r : alertmanager.requests) {
                JsonNode p = JSON.readTree(r.body);
                assertThat(p.path("version").asText()).isEqualTo("4");
                assertThat(p.path("alerts").get(0).path("labels").path("alertname").asText()).isNotBlank();
            }

            // the refusing receiver: asked once per transition, each refusal a dead letter
            assertThat(refusing.requests).hasSize(alerts.size());
            List<String> dead = Files.readAllLines(dir.resolve("dead.jsonl"));
            assertThat(dead.stream().filter(d -> d.contains("\"reason\":\"delivery_failed\"")))
                    .hasSize(alerts.size())
                    .allMatch(d -> !d.contains("secret-token"));

            // Alertmanager as a client: every incident posted, every resolution with its endsAt
            Set<String> posted = new TreeSet<>();
            Set<String> endsPosted = new TreeSet<>();
            for (WebhookReceiver.Received r : alertmanagerApi.requests) {
                for (JsonNode a : JSON.readTree(r.body)) {
                    posted.add(a.path("labels").path("alert_id").asText());
                    endsPosted.add(a.path("labels").path("alert_id").asText() + " " + a.path("endsAt").asText());
                }
            }
            for (String a : alerts) {
                JsonNode n = JSON.readTree(a);
                assertThat(posted).contains(n.path("alert_id").asText());
                if (n.path("status").asText().equals("resolved")) {
                    assertThat(endsPosted).contains(n.path("alert_id").asText() + " "
                            + n.path("ends_at").asText().replace(".000Z", "Z"));
                }
            }

            // silenced alerts are in InfluxDB's points, marked, but reached no receiver
            assertThat(Files.readAllLines(dir.resolve("metrics.lp")).stream()
                    .filter(m -> m.startsWith("paywatch_alert,") && m.contains("silenced=true"))).hasSize(silenced.size());
            assertThat(flaky.requests).noneMatch(r -> r.body.contains("\"silenced\""));

            // and the delivery health measurement says so
            List<String> metrics = Files.readAllLines(dir.resolve("metrics.lp"));
            assertThat(metrics.stream().filter(m -> m.startsWith("paywatch_delivery,") && m.contains("outcome=delivered")))
                    .hasSize(2 * alerts.size());
            assertThat(metrics.stream().filter(m -> m.startsWith("paywatch_delivery,") && m.contains("outcome=failed")))
                    .hasSize(alerts.size());
        }
    }
}
