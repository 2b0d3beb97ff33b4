package io.paywatch.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paywatch.jobs.testing.Events;
import io.paywatch.jobs.testing.KafkaTopics;
import io.paywatch.jobs.testing.TestServices;
import io.paywatch.jobs.testing.WebhookReceiver;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.flink.core.execution.JobClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./paywatch run --alertmanager-url} feeding a real Prometheus Alertmanager (Debian's
 * prometheus-alertmanager, started by scripts/alertmanager.sh with the route the README
 * recommends) from a real broker: the alert becomes active ({@code /api/v2/alerts} and
 * {@code amtool alert query}); Alertmanager notifies its own webhook receiver; PayWatch's
 * periodic re-send keeps it active past the {@code endsAt} of any one post; the resolution
 * resolves it and Alertmanager says so; a silence made with {@code amtool silence add} on
 * PayWatch's labels keeps another merchant's alert from notifying anyone.
 */
class AlertmanagerITCase {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void paywatchAlertsLiveInAlertmanagerAndAlertmanagerSilencesThem() throws Exception {
        String kafka = TestServices.kafka();
        String am = TestServices.alertmanager();
        KafkaTopics.create(kafka, "payments-am-it", 2);
        long start = (System.currentTimeMillis() - 3_600_000) / 60_000 * 60_000;
        try (WebhookReceiver receiver = new WebhookReceiver(TestServices.alertmanagerReceiverPort(), 0, 500, 0)) {
            // the silence first: whatever PayWatch says about m-am-silenced, nobody is paged
            String silence = amtool(am, "silence", "add", "merchant_id=m-am-silenced", "--comment=IT maintenance",
                    "--duration=1h", "--author=paywatch-it").trim();
            assertThat(silence).matches("[0-9a-f-]{36}");

            JobCommand command = new JobCommand("run", new String[] {"run",
                    "--bootstrap-servers", kafka, "--topic", "payments-am-it", "--group-id", "am-it",
                    "--starting-offsets", "earliest", "--idle-advance", "0", "--alertmanager-url", am,
                    "--alertmanager-resend", "2s", "--alerts-out", dir.resolve("alerts.jsonl").toString(),
                    "--checkpoint-dir", dir.resolve("cp").toString(), "--checkpoint-interval", "1s",
                    "--state", "heap", "--parallelism", "1", "--quiet"},
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            JobClient run = command.prepare().env.executeAsync("paywatch-alertmanager-it");
            try {
                List<String> failing = List.of("m-am", "m-am-silenced");
                KafkaTopics.produce(kafka, "payments-am-it", Events.cardTraffic(start, 0, 90, failing, 90), null);

                // active in Alertmanager, as the API and amtool show it
                JsonNode active = await(run, () -> alert(am, "m-am") != null, () -> alert(am, "m-am"));
                assertThat(active.path("labels").path("alertname").asText()).isEqualTo("failure_rate");
                assertThat(active.path("labels").path("severity").asText()).isIn("warning", "critical");
                assertThat(active.path("status").path("state").asText()).isEqualTo("active");
                assertThat(active.path("annotations").path("summary").asText()).contains("m-am");
                assertThat(amtool(am, "alert", "query", "merchant_id=m-am")).contains("failure_rate");

                // Alertmanager notified its receiver, grouped by PayWatch's labels
                JsonNode notified = await(run, () -> notification(receiver, "m-am", "firing") != null,
                        () -> notification(receiver, "m-am", "firing"));
                assertThat(notified.path("groupLabels").path("merchant_id").asText()).isEqualTo("m-am");
                assertThat(notified.path("groupLabels").path("alertname").asText()).isEqualTo("failure_rate");

                // silenced: in Alertmanager, suppressed by that silence
                JsonNode silenced = await(run, () -> alert(am, "m-am-silenced") != null, () -> alert(am, "m-am-silenced"));
                assertThat(silenced.path("status").path("state").asText()).isEqualTo("suppressed");
                assertThat(silenced.path("status").path("silencedBy").toString()).contains(silence);

                // each post says endsAt = now + 3 × 2 s; re-sent, the alert outlives the first one
                Instant firstEnd = Instant.parse(active.path("endsAt").asText());
                await(run, () -> Instant.now().isAfter(firstEnd.plusSeconds(2)), () -> null);
                JsonNode later = alert(am, "m-am");
                assertThat(later).isNotNull();
                assertThat(later.path("status").path("state").asText()).isEqualTo("active");
                assertThat(Instant.parse(later.path("endsAt").asText())).isAfter(firstEnd);

                // recovery: the failure rate falls, PayWatch resolves, Alertmanager notifies the resolution
                KafkaTopics.produce(kafka, "payments-am-it", Events.cardTraffic(start, 90, 480, failing, 0), null);
                JsonNode resolved = await(run, () -> notification(receiver, "m-am", "resolved") != null,
                        () -> notification(receiver, "m-am", "resolved"));
                assertThat(resolved.path("alerts").get(0).path("status").asText()).isEqualTo("resolved");
                await(run, () -> alert(am, "m-am") == null, () -> null);

                // the silenced merchant fired and resolved too, and nobody was paged for it
                assertThat(receiver.requests).noneMatch(r -> r.body.contains("m-am-silenced"));
            } finally {
                run.cancel().get();
            }
        }
    }

    /**
     * {@code --alertmanager-inhibition alertmanager}: a wallet outage; PayWatch sends the merchant
     * alerts it inhibited too, with {@code cause_channel=wallet}, and the real Alertmanager's inhibit
     * rule (the README's) suppresses them while the channel alert notifies: one page, from
     * Alertmanager, through the outage and its end.
     */
    @Test
    void alertmanagersOwnInhibitRuleDoesWhatPaywatchsInhibitionDoes() throws Exception {
        String kafka = TestServices.kafka();
        String am = TestServices.alertmanager();
        String topic = "payments-am-inhibit-it";
        KafkaTopics.create(kafka, topic, 2);
        long start = (System.currentTimeMillis() - 3_600_000) / 60_000 * 60_000;
        Path alerts = dir.resolve("inhibit-alerts.jsonl");
        try (WebhookReceiver receiver = new WebhookReceiver(TestServices.alertmanagerReceiverPort(), 0, 500, 0)) {
            JobCommand command = new JobCommand("run", new String[] {"run",
                    "--bootstrap-servers", kafka, "--topic", topic, "--group-id", "am-inhibit-it",
                    "--starting-offsets", "earliest", "--idle-advance", "0", "--alertmanager-url", am,
                    "--alertmanager-resend", "2s", "--alertmanager-inhibition", "alertmanager",
                    "--alerts-out", alerts.toString(),
                    "--checkpoint-dir", dir.resolve("cp-inhibit").toString(), "--checkpoint-interval", "1s",
                    "--state", "heap", "--parallelism", "1", "--quiet"},
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            JobClient run = command.prepare().env.executeAsync("paywatch-alertmanager-inhibit-it");
            try {
                KafkaTopics.produce(kafka, topic, walletOutage(start, 0, 120, true), null);

                // the channel alert is active and notifies
                JsonNode wallet = await(run, () -> channelAlert(am, "wallet") != null, () -> channelAlert(am, "wallet"));
                assertThat(wallet.path("status").path("state").asText()).isEqualTo("active");
                assertThat(wallet.path("labels").path("cause_channel").asText()).isEqualTo("wallet");
                await(run, () -> receiver.requests.stream().anyMatch(r -> r.body.contains("\"channel\":\"wallet\"")
                        && r.body.contains("\"status\":\"firing\"")), () -> null);
                // the merchants' alerts are there, suppressed by Alertmanager's inhibit rule
                for (String m : List.of("m-wallet-1", "m-wallet-2")) {
                    JsonNode merchant = await(run, () -> alert(am, m) != null, () -> alert(am, m));
                    assertThat(merchant.path("labels").path("cause_channel").asText()).isEqualTo("wallet");
                    assertThat(merchant.path("status").path("state").asText()).as(m).isEqualTo("suppressed");
                    assertThat(merchant.path("status").path("inhibitedBy").toString())
                            .contains(wallet.path("fingerprint").asText());
                    assertThat(merchant.path("status").path("silencedBy")).isEmpty();
                }
                // PayWatch made the same decision, recorded in its own outputs (written at checkpoints)
                await(run, () -> linesOf(alerts).stream().anyMatch(l -> l.contains("\"merchant_id\":\"m-wallet-1\"")),
                        () -> null);
                assertThat(linesOf(alerts)).filteredOn(l -> l.contains("\"merchant_id\":\"m-wallet-1\""))
                        .isNotEmpty().allMatch(l -> l.contains("\"inhibited_by\""));

                // the outage ends: everything resolves; the merchants never paged anyone
                KafkaTopics.produce(kafka, topic, walletOutage(start, 120, 500, false), null);
                await(run, () -> channelAlert(am, "wallet") == null && alert(am, "m-wallet-1") == null
                        && alert(am, "m-wallet-2") == null, () -> null);
                await(run, () -> receiver.requests.stream().anyMatch(r -> r.body.contains("\"channel\":\"wallet\"")
                        && r.body.contains("\"status\":\"resolved\"")), () -> null);
                assertThat(receiver.requests).as(() -> "Alertmanager's notifications: " + receiver.requests.stream()
                        .map(r -> r.body).toList()).noneMatch(r -> notifiesMerchant(r, "m-wallet-"));
            } finally {
                run.cancel().get();
            }
        }
    }

    /**
     * Two merchants paid through wallet only, one in two payments failing while {@code failing}
     * (a channel outage: the channel and both merchants cross 50 %), and ten healthy card merchants.
     */
    private static List<String> walletOutage(long start, int fromSecond, int toSecond, boolean failing) {
        List<String> lines = new ArrayList<>();
        for (int s = fromSecond; s < toSecond; s++) {
            for (int k = 0; k < 2; k++) {
                for (String m : List.of("m-wallet-1", "m-wallet-2")) {
                    long t = start + s * 1000L + k * 500;
                    lines.add(Events.cardPaymentLine(t, m + "-" + s + "-" + k, m, failing && k == 0)
                            .replace("\"channel\":\"card\"", "\"channel\":\"wallet\""));
                }
            }
            for (int h = 0; h < 10; h++) {
                lines.add(Events.cardPaymentLine(start + s * 1000L + 100 + h, "wh" + h + "-" + s, "m-card-" + h, false));
            }
        }
        return lines;
    }

    private static List<String> linesOf(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file) : List.of();
        } catch (java.io.IOException e) {
            return List.of();
        }
    }

    /** Whether an Alertmanager notification holds an alert of a merchant whose id starts with {@code prefix}. */
    private static boolean notifiesMerchant(WebhookReceiver.Received r, String prefix) {
        try {
            for (JsonNode a : JSON.readTree(r.body).path("alerts")) {
                if (a.path("labels").path("merchant_id").asText().startsWith(prefix)) {
                    return true;
                }
            }
            return false;
        } catch (Exception notJson) {
            return false;
        }
    }

    /** The unresolved failure_rate alert of {@code channel} (channel scope) in Alertmanager, or null. */
    private static JsonNode channelAlert(String am, String channel) {
        return failureRateAlert(am, "channel", channel);
    }

    /** The unresolved failure_rate alert whose scope is {@code label=value} (merchant or channel), or null. */
    private static JsonNode failureRateAlert(String am, String label, String value) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(am + "/api/v2/alerts?filter="
                    + label + "%3D%22" + value + "%22")).GET().build(), HttpResponse.BodyHandlers.ofString());
            for (JsonNode a : JSON.readTree(r.body())) {
                JsonNode labels = a.path("labels");
                if (value.equals(labels.path(label).asText())
                        && (label.equals("merchant_id") || !labels.has("merchant_id"))
                        && "failure_rate".equals(labels.path("alertname").asText())) {
                    return a;
                }
            }
            return null;
        } catch (Exception notYet) {
            return null;
        }
    }

    /** The README's alertmanager.yml is a configuration Alertmanager accepts. */
    @Test
    void theReadmesRouteIsAValidAlertmanagerConfiguration() throws Exception {
        String readme = java.nio.file.Files.readString(TestServices.scripts().resolveSibling("README.md"));
        int marker = readme.indexOf("<!-- alertmanager.yml");
        assertThat(marker).isPositive();
        int from = readme.indexOf("```yaml\n", marker) + 8;
        String yaml = readme.substring(from, readme.indexOf("```", from));
        assertThat(yaml).contains("group_by: [alertname, channel, merchant_id]");
        // the test Alertmanager runs the README's inhibit rule, word for word
        String script = java.nio.file.Files.readString(TestServices.scripts().resolve("alertmanager.sh"));
        String rule = yaml.substring(yaml.indexOf("inhibit_rules:"));
        assertThat(rule).contains("equal: [cause_channel]");
        assertThat(script).contains(rule.strip());
        Path config = dir.resolve("alertmanager.yml");
        java.nio.file.Files.writeString(config, yaml);
        Process p = new ProcessBuilder("amtool", "check-config", config.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("SUCCESS");
    }

    /** The unresolved failure_rate alert of {@code merchant} in Alertmanager, or null. */
    private static JsonNode alert(String am, String merchant) {
        return failureRateAlert(am, "merchant_id", merchant);
    }

    /** Alertmanager's notification of {@code merchant}'s group with that status, or null. */
    private static JsonNode notification(WebhookReceiver receiver, String merchant, String status) {
        for (WebhookReceiver.Received r : receiver.requests) {
            try {
                JsonNode n = JSON.readTree(r.body);
                if (merchant.equals(n.path("groupLabels").path("merchant_id").asText())
                        && status.equals(n.path("status").asText())) {
                    return n;
                }
            } catch (Exception notJson) {
                // not Alertmanager's
            }
        }
        return null;
    }

    private static String amtool(String am, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("amtool", "--alertmanager.url=" + am));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", cmd) + ": " + out).isZero();
        return out;
    }

    /** Polls an observable outcome while the run is alive (3 min at most), then returns {@code value}. */
    private static JsonNode await(JobClient run, BooleanSupplier done, java.util.function.Supplier<JsonNode> value)
            throws Exception {
        io.paywatch.jobs.testing.LiveRun.await(run, done);
        return value.get();
    }
}
