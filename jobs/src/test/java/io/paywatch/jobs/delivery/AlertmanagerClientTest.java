package io.paywatch.jobs.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paywatch.jobs.testing.WebhookReceiver;
import io.paywatch.model.Alert;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** PayWatch as an Alertmanager client, against a real HTTP server standing in for Alertmanager. */
class AlertmanagerClientTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static String base(WebhookReceiver r) {
        return r.url().substring(0, r.url().indexOf("/hook"));
    }

    @Test
    void postsFiringAlertsResendsThemAndSendsTheResolution() throws Exception {
        try (WebhookReceiver am = new WebhookReceiver(0, 200, 0)) {
            AlertmanagerSink.Writer w = new AlertmanagerSink.Writer(base(am), 60_000);
            Alert firing = WebhookFormatTest.alert(Alert.FIRING);
            long before = System.currentTimeMillis();
            w.write(firing, null);
            w.resend(System.currentTimeMillis());
            Alert resolved = WebhookFormatTest.alert(Alert.RESOLVED);
            w.write(resolved, null);
            w.resend(System.currentTimeMillis()); // nothing firing any more: nothing sent

            assertThat(am.requests).hasSize(3);
            for (WebhookReceiver.Received r : am.requests) {
                assertThat(r.header("Content-Type")).isEqualTo("application/json");
            }
            // PostableAlert (Alertmanager API v2): labels, annotations, startsAt, endsAt, generatorURL
            JsonNode first = JSON.readTree(am.requests.get(0).body).get(0);
            assertThat(first.fieldNames()).toIterable().containsExactlyInAnyOrder("labels", "annotations",
                    "startsAt", "endsAt", "generatorURL");
            assertThat(first.path("labels").path("alertname").asText()).isEqualTo("failure_rate");
            assertThat(first.path("labels").path("channel").asText()).isEqualTo("wallet");
            assertThat(first.path("annotations").path("summary").asText()).isNotBlank();
            assertThat(first.path("startsAt").asText()).isEqualTo("2026-11-23T10:12:00Z");
            // firing: endsAt a few resend periods ahead, so it expires if PayWatch stops
            assertThat(Instant.parse(first.path("endsAt").asText()).toEpochMilli())
                    .isGreaterThan(before + 120_000);
            assertThat(am.requests.get(1).body).isEqualTo(am.requests.get(0).body.replaceAll(
                    "\"endsAt\":\"[^\"]+\"", am.requests.get(1).body.replaceAll(".*(\"endsAt\":\"[^\"]+\").*", "$1")));
            JsonNode end = JSON.readTree(am.requests.get(2).body).get(0);
            assertThat(end.path("endsAt").asText()).isEqualTo("2026-11-23T10:22:00Z");
            assertThat(w.firing).isEmpty();
        }
    }

    @Test
    void anUnsentResolutionIsKeptInTheCheckpointAndSentLater() throws Exception {
        int port = io.paywatch.jobs.testing.TestServices.freePort();
        AlertmanagerSink.Writer down = new AlertmanagerSink.Writer("http://127.0.0.1:" + port, 60_000);
        down.write(WebhookFormatTest.alert(Alert.FIRING), null);
        down.write(WebhookFormatTest.alert(Alert.RESOLVED), null);
        List<List<String>> state = down.snapshotState(1);
        assertThat(state).hasSize(1);
        assertThat(state.get(0)).hasSize(1).allMatch(s -> s.contains("\"status\":\"resolved\""));
        try (WebhookReceiver am = new WebhookReceiver(0, 200, 0)) {
            AlertmanagerSink.Writer restored = new AlertmanagerSink.Writer(base(am), 60_000);
            state.get(0).forEach(restored::restore);
            restored.resend(System.currentTimeMillis());
            assertThat(am.requests).hasSize(1);
            assertThat(JSON.readTree(am.requests.get(0).body).get(0).path("endsAt").asText())
                    .isEqualTo("2026-11-23T10:22:00Z");
            assertThat(restored.snapshotState(2)).isEmpty();
        }
    }
}
