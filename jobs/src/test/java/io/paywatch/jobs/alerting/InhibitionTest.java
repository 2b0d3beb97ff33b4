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

    private static Alert orderAlert(String rule, String merchant, String key, String order, String status,
            long start, long at) {
        Alert a = alert(rule, "merchant_id", merchant, status, start, at, Map.of());
        a.scope.put(rule.equals("charged_unfulfilled") ? "order_id" : "payment_id", key);
        a.alertId = AlertIds.of(a.rule, a.scope, start);
        a.orderId = order;
        return a;
    }

    @Test
    void anOrderThatFailedWasChargedAndNeverFulfilledPagesOnce() {
        long m = 60_000;
        Inhibition inh = new Inhibition();
        // 10:00 the payment fails, 10:01 the payer is charged: failed_but_charged pages
        Alert fbc = inh.apply(orderAlert("failed_but_charged", "m-1", "p-1", "o-1", Alert.FIRING, m, m));
        assertThat(fbc.inhibitedBy).isNull();
        // 10:16 the charge is still unfulfilled: the same order, recorded but not paged again
        Alert cu = inh.apply(orderAlert("charged_unfulfilled", "m-1", "o-1", "o-1", Alert.FIRING, 16 * m, 16 * m));
        assertThat(cu.inhibitedBy).isEqualTo(fbc.alertId);
        // another order of the merchant, and the same order id at another merchant, page
        assertThat(inh.apply(orderAlert("charged_unfulfilled", "m-1", "o-2", "o-2", Alert.FIRING, 16 * m, 16 * m))
                .inhibitedBy).isNull();
        assertThat(inh.apply(orderAlert("charged_unfulfilled", "m-2", "o-1", "o-1", Alert.FIRING, 16 * m, 16 * m))
                .inhibitedBy).isNull();
        // the refund resolves both; the first lists the one it inhibited, the second stays unpaged
        Alert fbcEnd = inh.apply(orderAlert("failed_but_charged", "m-1", "p-1", "o-1", Alert.RESOLVED, m, 20 * m));
        assertThat(fbcEnd.evidenceInhibited).containsExactly(cu.alertId);
        Alert cuEnd = inh.apply(orderAlert("charged_unfulfilled", "m-1", "o-1", "o-1", Alert.RESOLVED, 16 * m, 20 * m));
        assertThat(cuEnd.inhibitedBy).isEqualTo(fbc.alertId);
        // raised within the horizon (15 min) though resolved: still one page; later ones page
        Alert fbc3 = inh.apply(orderAlert("failed_but_charged", "m-1", "p-3", "o-3", Alert.FIRING, 30 * m, 30 * m));
        inh.apply(orderAlert("failed_but_charged", "m-1", "p-3", "o-3", Alert.RESOLVED, 30 * m, 31 * m));
        assertThat(inh.apply(orderAlert("charged_unfulfilled", "m-1", "o-3", "o-3", Alert.FIRING, 45 * m, 45 * m))
                .inhibitedBy).isEqualTo(fbc3.alertId);
        inh.apply(orderAlert("failed_but_charged", "m-1", "p-4", "o-4", Alert.FIRING, 50 * m, 50 * m));
        inh.apply(orderAlert("failed_but_charged", "m-1", "p-4", "o-4", Alert.RESOLVED, 50 * m, 51 * m));
        assertThat(inh.apply(orderAlert("charged_unfulfilled", "m-1", "o-4", "o-4", Alert.FIRING, 66 * m, 66 * m))
                .inhibitedBy).isNull();
        // nothing of the resolved orders stays
        assertThat(inh.apply(orderAlert("charged_unfulfilled", "m-1", "o-3", "o-3", Alert.RESOLVED, 45 * m, 70 * m))
                .inhibitedBy).isEqualTo(fbc3.alertId);
        inh.apply(orderAlert("charged_unfulfilled", "m-1", "o-9", "o-9", Alert.FIRING, 90 * m, 90 * m));
        inh.apply(orderAlert("charged_unfulfilled", "m-1", "o-9", "o-9", Alert.RESOLVED, 90 * m, 91 * m));
        assertThat(inh.isEmpty()).isTrue();
    }

    @Test
    void aChannelsTrafficDropInhibitsTheDropsOfMerchantsOnIt() {
        Inhibition inh = new Inhibition();
        Alert bnpl = inh.apply(alert("traffic_drop", "channel", "bnpl", Alert.FIRING, 100, 100, Map.of()));
        Alert m1 = alert("traffic_drop", "merchant_id", "m-1", Alert.FIRING, 110, 110, Map.of());
        m1.channelsUsed.addAll(java.util.List.of("bnpl", "card"));
        assertThat(inh.apply(m1).inhibitedBy).isEqualTo(bnpl.alertId);
        Alert m2 = alert("traffic_drop", "merchant_id", "m-2", Alert.FIRING, 110, 110, Map.of());
        m2.channelsUsed.addAll(java.util.List.of("card", "qr"));
        assertThat(inh.apply(m2).inhibitedBy).as("not on bnpl: its own drop").isNull();
        // its critical step and its resolution stay with the channel's page
        Alert m1Critical = alert("traffic_drop", "merchant_id", "m-1", Alert.FIRING, 110, 120, Map.of());
        assertThat(inh.apply(m1Critical).inhibitedBy).isEqualTo(bnpl.alertId);
        assertThat(inh.apply(alert("traffic_drop", "merchant_id", "m-1", Alert.RESOLVED, 110, 200, Map.of()))
                .inhibitedBy).isEqualTo(bnpl.alertId);
        Alert bnplEnd = inh.apply(alert("traffic_drop", "channel", "bnpl", Alert.RESOLVED, 100, 210, Map.of()));
        assertThat(bnplEnd.evidenceInhibited).containsExactly("m-1");
        inh.apply(alert("traffic_drop", "merchant_id", "m-2", Alert.RESOLVED, 110, 220, Map.of()));
        assertThat(inh.isEmpty()).isTrue();
    }

    @Test
    void aKeysFailureRateAlertInhibitsItsOwnAnomaly() {
        Inhibition inh = new Inhibition();
        Alert wallet = inh.apply(alert("channel", "wallet", Alert.FIRING, 100, 100, Map.of()));
        Alert walletAnomaly = inh.apply(alert("failure_rate_anomaly", "channel", "wallet", Alert.FIRING, 100, 100, Map.of()));
        assertThat(walletAnomaly.inhibitedBy).isEqualTo(wallet.alertId);
        Alert m4 = inh.apply(alert("merchant_id", "m-4", Alert.FIRING, 110, 110, Map.of("card", 9L)));
        assertThat(m4.inhibitedBy).isNull();
        Alert m4Anomaly = inh.apply(alert("failure_rate_anomaly", "merchant_id", "m-4", Alert.FIRING, 110, 110,
                Map.of("card", 9L)));
        assertThat(m4Anomaly.inhibitedBy).isEqualTo(m4.alertId);
        // resolutions: the inhibited anomaly stays unpaged; the failure_rate alert lists it
        assertThat(inh.apply(alert("failure_rate_anomaly", "merchant_id", "m-4", Alert.RESOLVED, 110, 150,
                Map.of())).inhibitedBy).isEqualTo(m4.alertId);
        Alert m4End = inh.apply(alert("merchant_id", "m-4", Alert.RESOLVED, 110, 160, Map.of()));
        assertThat(m4End.evidenceInhibited).containsExactly(m4Anomaly.alertId);
        // an anomaly that starts after its key's failure_rate alert resolved pages
        assertThat(inh.apply(alert("failure_rate_anomaly", "merchant_id", "m-4", Alert.FIRING, 170, 170,
                Map.of("card", 9L))).inhibitedBy).isNull();
        inh.apply(alert("failure_rate_anomaly", "merchant_id", "m-4", Alert.RESOLVED, 170, 180, Map.of()));
        inh.apply(alert("failure_rate_anomaly", "channel", "wallet", Alert.RESOLVED, 100, 190, Map.of()));
        assertThat(inh.apply(alert("channel", "wallet", Alert.RESOLVED, 100, 200, Map.of())).evidenceInhibited)
                .containsExactly(walletAnomaly.alertId);
        assertThat(inh.isEmpty()).isTrue();
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
