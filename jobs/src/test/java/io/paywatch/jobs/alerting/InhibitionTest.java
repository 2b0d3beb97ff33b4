package io.paywatch.jobs.alerting;

import static org.assertj.core.api.Assertions.assertThat;

import io.paywatch.model.Alert;
import io.paywatch.model.AlertIds;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InhibitionTest {
    private static Alert alert(String scopeKey, String key, String status, long start, long at,
            Map<String, Long> byChannel) {
        Alert a = new Alert();
        a.rule = "failure_rate";
        a.status = status;
        a.severity = "warning";
        a.scope.put(scopeKey, key);
        a.startsAt = start;
        a.transitionAt = at;
        if (status.equals(Alert.RESOLVED)) {
            a.endsAt = at;
        }
        a.alertId = AlertIds.of(a.rule, a.scope, start);
        a.evidenceByChannel.putAll(byChannel);
        return a;
    }

    @Test
    void aChannelOutageInhibitsTheMerchantAlertsItCauses() {
        Inhibition inh = new Inhibition();
        Alert wallet = inh.apply(alert("channel", "wallet", Alert.FIRING, 100, 100, Map.of()));
        assertThat(wallet.inhibitedBy).isNull();
        // mostly wallet failures: inhibited, for its whole life
        Alert m1 = inh.apply(alert("merchant_id", "m-1", Alert.FIRING, 110, 110, Map.of("wallet", 8L, "card", 2L)));
        assertThat(m1.inhibitedBy).isEqualTo(wallet.alertId);
        // mostly card failures: its own problem, it pages
        Alert m2 = inh.apply(alert("merchant_id", "m-2", Alert.FIRING, 110, 110, Map.of("wallet", 2L, "card", 8L)));
        assertThat(m2.inhibitedBy).isNull();
        Alert walletEnd = inh.apply(alert("channel", "wallet", Alert.RESOLVED, 100, 200, Map.of()));
        assertThat(walletEnd.evidenceInhibited).containsExactly("m-1");
        // m-1 resolves after the channel: still inhibited (it never paged)
        Alert m1End = inh.apply(alert("merchant_id", "m-1", Alert.RESOLVED, 110, 210, Map.of("wallet", 1L)));
        assertThat(m1End.inhibitedBy).isEqualTo(wallet.alertId);
        // after the outage, a new wallet-heavy merchant incident pages again
        Alert m3 = inh.apply(alert("merchant_id", "m-3", Alert.FIRING, 300, 300, Map.of("wallet", 9L)));
        assertThat(m3.inhibitedBy).isNull();
        inh.apply(alert("merchant_id", "m-3", Alert.RESOLVED, 300, 310, Map.of()));
        inh.apply(alert("merchant_id", "m-2", Alert.RESOLVED, 110, 320, Map.of()));
        assertThat(inh.isEmpty()).isTrue();
    }

    @Test
    void theCauseChannelForAlertmanagerIsTheChannelWithMostOfAMerchantsFailures() {
        assertThat(Inhibition.causeChannel(alert("channel", "wallet", Alert.FIRING, 1, 1, Map.of())))
                .as("a channel alert is its own cause").isEqualTo("wallet");
        assertThat(Inhibition.causeChannel(alert("merchant_id", "m-1", Alert.FIRING, 1, 1,
                Map.of("wallet", 8L, "card", 2L)))).isEqualTo("wallet");
        assertThat(Inhibition.causeChannel(alert("merchant_id", "m-1", Alert.FIRING, 1, 1,
                Map.of("wallet", 5L, "card", 5L)))).as("a tie: the first by name").isEqualTo("card");
        assertThat(Inhibition.causeChannel(alert("merchant_id", "m-1", Alert.FIRING, 1, 1,
                Map.of("wallet", 4L, "card", 3L, "bank", 3L)))).as("no channel carries half").isNull();
        assertThat(Inhibition.causeChannel(alert("merchant_id", "m-1", Alert.FIRING, 1, 1, Map.of()))).isNull();
        Alert burst = alert("merchant_id", "m-1", Alert.FIRING, 1, 1, Map.of("wallet", 9L));
        burst.rule = "timeout_burst";
        assertThat(Inhibition.causeChannel(burst)).as("failure_rate only").isNull();
    }

    private static Alert alert(String rule, String scopeKey, String key, String status, long start, long at,
            Map<String, Long> byChannel) {
        Alert a = alert(scopeKey, key, status, start, at, Map.of());
        a.rule = rule;
        a.alertId = AlertIds.of(a.rule, a.scope, start);
        a.evidenceByChannel.putAll(byChannel);
        return a;
    }

    @Test
    void theAdaptiveRulesJoinTheOnePageForAnOutage() {
        Inhibition inh = new Inhibition();
        // a channel's anomaly explains a merchant's anomaly and a merchant's failure_rate alert
        Alert card = inh.apply(alert("failure_rate_anomaly", "channel", "card", Alert.FIRING, 100, 100, Map.of()));
        Alert m1 = inh.apply(alert("failure_rate_anomaly", "merchant_id", "m-1", Alert.FIRING, 110, 110,
                Map.of("card", 6L, "qr", 1L)));
        assertThat(m1.inhibitedBy).isEqualTo(card.alertId);
        Alert m2 = inh.apply(alert("merchant_id", "m-2", Alert.FIRING, 110, 110, Map.of("card", 9L)));
        assertThat(m2.inhibitedBy).isEqualTo(card.alertId);
        // a channel's failure_rate explains a merchant's anomaly, and is preferred when both fire
        Alert cardStatic = inh.apply(alert("channel", "card", Alert.FIRING, 120, 120, Map.of()));
        Alert m3 = inh.apply(alert("failure_rate_anomaly", "merchant_id", "m-3", Alert.FIRING, 130, 130,
                Map.of("card", 6L)));
        assertThat(m3.inhibitedBy).isEqualTo(cardStatic.alertId);
        // the anomaly's resolution lists what it inhibited and does not end the static alert
        Alert cardEnd = inh.apply(alert("failure_rate_anomaly", "channel", "card", Alert.RESOLVED, 100, 200, Map.of()));
        assertThat(cardEnd.evidenceInhibited).containsExactly("m-1", "m-2");
        Alert m4 = inh.apply(alert("failure_rate_anomaly", "merchant_id", "m-4", Alert.FIRING, 210, 210,
                Map.of("card", 6L)));
        assertThat(m4.inhibitedBy).isEqualTo(cardStatic.alertId);
        // a channel's traffic_drop is not a failure: it explains no merchant's failure alert
        inh.apply(alert("traffic_drop", "channel", "qr", Alert.FIRING, 220, 220, Map.of()));
        Alert m5 = inh.apply(alert("merchant_id", "m-5", Alert.FIRING, 230, 230, Map.of("qr", 6L)));
        assertThat(m5.inhibitedBy).isNull();
        // nor can a channel named like another rule's key stand in for it
        Alert named = inh.apply(alert("merchant_id", "m-6", Alert.FIRING, 240, 240,
                Map.of("traffic_drop\u001fqr", 6L)));
        assertThat(named.inhibitedBy).isNull();
    }

    @Test
    void theCauseChannelOfTheAdaptiveRules() {
        assertThat(Inhibition.causeChannel(alert("failure_rate_anomaly", "merchant_id", "m-1", Alert.FIRING, 1, 1,
                Map.of("wallet", 8L, "card", 2L)))).isEqualTo("wallet");
        assertThat(Inhibition.causeChannel(alert("failure_rate_anomaly", "channel", "qr", Alert.FIRING, 1, 1,
                Map.of()))).isEqualTo("qr");
        assertThat(Inhibition.causeChannel(alert("traffic_drop", "channel", "qr", Alert.FIRING, 1, 1,
                Map.of()))).isEqualTo("qr");
        assertThat(Inhibition.causeChannel(alert("traffic_drop", "merchant_id", "m-1", Alert.FIRING, 1, 1,
                Map.of("qr", 3L)))).isNull();
    }

    @Test
    void aMerchantThatFiredBeforeTheChannelKeepsPaging() {
        Inhibition inh = new Inhibition();
        inh.apply(alert("merchant_id", "m-1", Alert.FIRING, 90, 90, Map.of("wallet", 8L)));
        inh.apply(alert("channel", "wallet", Alert.FIRING, 100, 100, Map.of()));
        // its severity change later is not a new incident: it is not inhibited midway
        Alert change = inh.apply(alert("merchant_id", "m-1", Alert.FIRING, 90, 120, Map.of("wallet", 12L)));
        assertThat(change.inhibitedBy).isNull();
    }
}
