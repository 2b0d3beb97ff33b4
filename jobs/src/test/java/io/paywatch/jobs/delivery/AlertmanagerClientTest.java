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
            // a channel's resolution goes when the watermark passes its instant (Flink's next)
            w.writeWatermark(new org.apache.flink.api.common.eventtime.Watermark(resolved.transitionTime()));
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

    @Test
    void aMerchantIncidentKeepsTheCauseChannelItHadWhenItStartedThroughARestartUntilItsResolution()
            throws Exception {
        try (WebhookReceiver am = new WebhookReceiver(0, 200, 0)) {
            AlertmanagerSink.Writer w = new AlertmanagerSink.Writer(base(am), 60_000);
            Alert warning = merchantAlert(Alert.FIRING, "warning", java.util.Map.of("wallet", 9L, "card", 3L));
            w.write(warning, null);
            // a severity change with other evidence: the same alert for Alertmanager (same labels)
            Alert critical = merchantAlert(Alert.FIRING, "critical", java.util.Map.of("card", 30L, "wallet", 4L));
            critical.transitionAt = warning.startsAt + 60_000;
            w.write(critical, null);
            List<List<String>> state = w.snapshotState(1);

            AlertmanagerSink.Writer restored = new AlertmanagerSink.Writer(base(am), 60_000);
            state.get(0).forEach(restored::restore);
            restored.resend(System.currentTimeMillis());
            Alert resolved = merchantAlert(Alert.RESOLVED, "critical", java.util.Map.of("card", 1L));
            restored.write(resolved, null);

            assertThat(am.requests).hasSize(4);
            for (WebhookReceiver.Received r : am.requests) {
                JsonNode labels = JSON.readTree(r.body).get(0).path("labels");
                assertThat(labels.path("cause_channel").asText()).as(r.body).isEqualTo("wallet");
                assertThat(labels.path("merchant_id").asText()).isEqualTo("m-17");
            }
            assertThat(restored.snapshotState(2)).isEmpty();
            assertThat(restored.causeChannels).as("forgotten once resolved").isEmpty();

            // an incident spread over channels has no cause_channel label: no channel alert inhibits it
            AlertmanagerSink.Writer spread = new AlertmanagerSink.Writer(base(am), 60_000);
            spread.write(merchantAlert(Alert.FIRING, "warning", java.util.Map.of("wallet", 4L, "card", 3L, "bank", 3L)), null);
            assertThat(JSON.readTree(am.requests.get(4).body).get(0).path("labels").has("cause_channel")).isFalse();
        }
    }

    @Test
    void aStateEntryWrittenBeforeTheCauseChannelExistedRestoresWithoutOne() {
        Alert a = merchantAlert(Alert.FIRING, "warning", java.util.Map.of("wallet", 9L));
        String old = io.paywatch.model.AlertJson.toJson(a);
        AlertmanagerSink.Writer w = new AlertmanagerSink.Writer("http://127.0.0.1:1", 60_000);
        w.restore(old);
        assertThat(w.firing).containsKey(a.alertId);
        assertThat(w.causeChannels).isEmpty();
        String entry = AlertmanagerSink.withCauseChannel(a, "wal\"let");
        assertThat(AlertmanagerSink.causeChannelOf(entry)).isEqualTo("wal\"let");
        assertThat(AlertmanagerSink.fromJson(entry).alertId).isEqualTo(a.alertId);
    }

    /**
     * A channel's resolution and its merchants', at one instant, arrive channel first (cause before
     * effects); Alertmanager mutes a merchant only while an alert of its cause channel is active
     * (whether PayWatch inhibited the merchant or paged it before the channel fired), so the
     * channel's resolution waits for the watermark to pass the instant.
     */
    @Test
    void aChannelsResolutionWaitsForTheWatermarkToPassItsInstant() throws Exception {
        try (WebhookReceiver am = new WebhookReceiver(0, 200, 0)) {
            AlertmanagerSink.Writer w = new AlertmanagerSink.Writer(base(am), 60_000);
            Alert channel = WebhookFormatTest.alert(Alert.FIRING);
            Alert pagedBefore = walletMerchantAlert("m-paged", Alert.FIRING, null); // fired before its channel
            Alert inhibited = walletMerchantAlert("m-wallet", Alert.FIRING, channel.alertId);
            w.write(pagedBefore, null);
            w.write(channel, null);
            w.write(inhibited, null);
            assertThat(am.requests).hasSize(3);

            Alert channelResolved = WebhookFormatTest.alert(Alert.RESOLVED);
            long instant = channelResolved.transitionTime();
            w.write(channelResolved, null);
            assertThat(am.requests).as("held until the watermark passes its instant").hasSize(3);
            // a restart now posts the held resolution at its first resend
            List<List<String>> state = w.snapshotState(1);
            assertThat(state.get(0)).anyMatch(e -> e.contains("\"status\":\"resolved\"")
                    && e.contains("\"channel\":\"wallet\"") && !e.contains("merchant_id"));
            AlertmanagerSink.Writer restored = new AlertmanagerSink.Writer("http://127.0.0.1:1", 60_000);
            state.get(0).forEach(restored::restore);
            assertThat(restored.unsentResolutions).extracting(a -> a.alertId).containsExactly(channel.alertId);
            assertThat(restored.firing.get(inhibited.alertId).inhibitedBy).isEqualTo(channel.alertId);

            w.write(walletMerchantAlert("m-paged", Alert.RESOLVED, null), null);
            w.write(walletMerchantAlert("m-wallet", Alert.RESOLVED, channel.alertId), null);
            w.writeWatermark(new org.apache.flink.api.common.eventtime.Watermark(instant - 1));
            assertThat(am.requests).hasSize(5);
            w.writeWatermark(new org.apache.flink.api.common.eventtime.Watermark(instant));
            assertThat(am.requests).hasSize(6);
            assertThat(labels(am, 3).path("merchant_id").asText()).isEqualTo("m-paged");
            assertThat(labels(am, 4).path("merchant_id").asText()).isEqualTo("m-wallet");
            JsonNode channelEnd = JSON.readTree(am.requests.get(5).body).get(0);
            assertThat(channelEnd.path("labels").path("channel").asText()).isEqualTo("wallet");
            assertThat(channelEnd.path("labels").has("merchant_id")).isFalse();
            assertThat(channelEnd.path("endsAt").asText()).isEqualTo("2026-11-23T10:22:00Z");
            assertThat(w.heldResolutions).isEmpty();
            assertThat(w.snapshotState(2)).isEmpty();
            assertThat(w.causeChannels).isEmpty();
            w.writeWatermark(new org.apache.flink.api.common.eventtime.Watermark(instant + 1));
            assertThat(am.requests).hasSize(6);
        }
    }

    /**
     * A merchant paged before its channel fired is muted by Alertmanager from then on (it has the
     * channel as its cause) though PayWatch did not inhibit it: the channel's resolution waits for it.
     */
    @Test
    void aChannelsResolutionWaitsAlsoForAMerchantPagedBeforeTheChannelFired() throws Exception {
        try (WebhookReceiver am = new WebhookReceiver(0, 200, 0)) {
            AlertmanagerSink.Writer w = new AlertmanagerSink.Writer(base(am), 60_000);
            w.write(walletMerchantAlert("m-paged", Alert.FIRING, null), null);
            w.write(WebhookFormatTest.alert(Alert.FIRING), null);
            Alert channelResolved = WebhookFormatTest.alert(Alert.RESOLVED);
            w.write(channelResolved, null);
            w.write(walletMerchantAlert("m-paged", Alert.RESOLVED, null), null);
            w.writeWatermark(new org.apache.flink.api.common.eventtime.Watermark(channelResolved.transitionTime()));
            assertThat(am.requests).hasSize(4);
            assertThat(labels(am, 2).path("merchant_id").asText()).isEqualTo("m-paged");
            assertThat(JSON.readTree(am.requests.get(2).body).get(0).path("endsAt").asText())
                    .isEqualTo("2026-11-23T10:22:00Z");
            assertThat(labels(am, 3).has("merchant_id")).isFalse();
            assertThat(labels(am, 3).path("channel").asText()).isEqualTo("wallet");
        }
    }

    /** A merchant's resolution that could not be sent goes before the held channel's, in one post. */
    @Test
    void aMerchantsUnsentResolutionGoesBeforeTheChannelsInOnePost() throws Exception {
        try (WebhookReceiver am = new WebhookReceiver(3, 503, 0)) { // the merchant's three attempts fail
            AlertmanagerSink.Writer w = new AlertmanagerSink.Writer(base(am), 60_000);
            Alert channelResolved = WebhookFormatTest.alert(Alert.RESOLVED);
            w.write(channelResolved, null);
            w.write(walletMerchantAlert("m-wallet", Alert.RESOLVED, channelResolved.alertId), null);
            assertThat(am.requests).hasSize(3);
            assertThat(w.unsentResolutions).hasSize(1);
            w.writeWatermark(new org.apache.flink.api.common.eventtime.Watermark(channelResolved.transitionTime()));
            assertThat(am.requests).hasSize(4);
            JsonNode both = JSON.readTree(am.requests.get(3).body);
            assertThat(both).hasSize(2);
            assertThat(both.get(0).path("labels").path("merchant_id").asText()).isEqualTo("m-wallet");
            assertThat(both.get(1).path("labels").path("channel").asText()).isEqualTo("wallet");
            assertThat(both.get(1).path("labels").has("merchant_id")).isFalse();
            assertThat(w.unsentResolutions).isEmpty();
            assertThat(w.snapshotState(1)).isEmpty();
        }
    }

    private static JsonNode labels(WebhookReceiver am, int request) throws Exception {
        return JSON.readTree(am.requests.get(request).body).get(0).path("labels");
    }

    private static Alert walletMerchantAlert(String merchant, String status, String inhibitedBy) {
        Alert a = merchantAlert(status, "critical", java.util.Map.of("wallet", 9L));
        a.scope.put("merchant_id", merchant);
        a.alertId = io.paywatch.model.AlertIds.of(a.rule, a.scope, a.startsAt);
        a.inhibitedBy = inhibitedBy;
        return a;
    }

    private static Alert merchantAlert(String status, String severity, java.util.Map<String, Long> byChannel) {
        Alert a = WebhookFormatTest.alert(status, "merchant_id", "m-17");
        a.severity = severity;
        a.evidenceByChannel.putAll(byChannel);
        return a;
    }
}
