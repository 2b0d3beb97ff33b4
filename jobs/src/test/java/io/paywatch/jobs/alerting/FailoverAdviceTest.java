package io.paywatch.jobs.alerting;

import static org.assertj.core.api.Assertions.assertThat;

import io.paywatch.model.Alert;
import io.paywatch.model.AlertIds;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** Where to send the traffic instead (contract section 3c). */
class FailoverAdviceTest {
    private static final long T = 1_795_428_600_000L;

    private static Alert alert(String rule, Map<String, String> scope, String status, long at) {
        Alert a = new Alert();
        a.rule = rule;
        a.status = status;
        a.severity = "warning";
        a.scope.putAll(scope);
        a.startsAt = at;
        a.transitionAt = at;
        a.alertId = AlertIds.of(rule, a.scope, at);
        a.recommendedAction = "Fail over to a backup channel.";
        return a;
    }

    private static final List<ChannelWindow> WINDOWS = List.of(
            new ChannelWindow("card", T, 300_000, 2_140, 41), // 98.1 %
            new ChannelWindow("qr", T, 300_000, 500, 5), // 99.0 %
            new ChannelWindow("bnpl", T, 300_000, 19, 0), // too few payments to judge
            new ChannelWindow("wallet", T, 300_000, 900, 700), // the failing one
            new ChannelWindow("bank_transfer", T, 300_000, 600, 6), // 99.0 %, more payments than qr
            new ChannelWindow("qr", T - 10_000, 300_000, 480, 400)); // an older evaluation

    @Test
    void aChannelAlertListsTheOtherChannelsBestFirstAndNamesTheBest() {
        Alert a = FailoverAdvice.advise(alert("failure_rate", Map.of("channel", "wallet"), Alert.FIRING, T),
                WINDOWS, Set.of());
        assertThat(a.evidenceAlternatives).extracting(x -> x.channel + "=" + x.successRate + "/" + x.total)
                .containsExactly("bank_transfer=0.99/600", "qr=0.99/500", "card=0.9808/2140");
        assertThat(a.recommendedAction).isEqualTo("Fail over to a backup channel. Best alternative: switch to"
                + " bank_transfer: 99.0 % of 600 payments succeeded over 5m.");
    }

    @Test
    void aMerchantAlertChoosesAmongItsOwnChannelsButNotTheOneItFailsOn() {
        Alert a = alert("failure_rate_anomaly", Map.of("merchant_id", "m-17"), Alert.FIRING, T + 3_000);
        a.channelsUsed.addAll(List.of("card", "wallet", "bnpl"));
        a.evidenceByChannel.put("wallet", 30L);
        a.evidenceByChannel.put("card", 2L);
        FailoverAdvice.advise(a, WINDOWS, Set.of());
        assertThat(a.evidenceAlternatives).extracting(x -> x.channel).containsExactly("card");
        // a channel with a firing alert of its own is no way out
        Alert b = alert("timeout_burst", Map.of("merchant_id", "m-17", "channel", "wallet"), Alert.FIRING, T);
        FailoverAdvice.advise(b, WINDOWS, Set.of("bank_transfer"));
        assertThat(b.evidenceAlternatives).extracting(x -> x.channel).containsExactly("qr", "card");
    }

    @Test
    void noQualifyingChannelIsAnEmptyListAndResolutionsKeepTheirAction() {
        Alert a = FailoverAdvice.advise(alert("traffic_drop", Map.of("channel", "card"), Alert.FIRING, T - 20_000),
                WINDOWS, Set.of());
        assertThat(a.evidenceAlternatives).isEmpty(); // no window at or before its evaluation
        assertThat(a.recommendedAction).isEqualTo("Fail over to a backup channel.");
        Alert r = FailoverAdvice.advise(alert("failure_rate", Map.of("channel", "wallet"), Alert.RESOLVED, T),
                WINDOWS, Set.of());
        assertThat(r.evidenceAlternatives).hasSize(3);
        assertThat(r.recommendedAction).isEqualTo("Fail over to a backup channel.");
        assertThat(FailoverAdvice.applies(alert("risk_block", Map.of("card_fingerprint", "f"), Alert.FIRING, T)))
                .isFalse();
    }

    @Test
    void theOperatorWaitsForTheWatermarkSoEveryChannelsWindowIsThere() throws Exception {
        var h = new KeyedTwoInputStreamOperatorTestHarness<Integer, Alert, ChannelWindow, Alert>(
                new KeyedCoProcessOperator<>(new FailoverAdviceFunction()), a -> 0, w -> 0, Types.INT);
        h.open();
        h.processElement1(new StreamRecord<>(alert("failure_rate", Map.of("channel", "wallet"), Alert.FIRING, T), T));
        h.processElement1(new StreamRecord<>(alert("risk_block", Map.of("card_fingerprint", "f"), Alert.FIRING, T), T));
        // a pattern rule without advice passes at once; the rate alert waits for the channels
        assertThat(h.extractOutputValues()).extracting(a -> a.rule).containsExactly("risk_block");
        h.processElement2(new StreamRecord<>(WINDOWS.get(0), T));
        h.processElement2(new StreamRecord<>(WINDOWS.get(1), T));
        h.processWatermark1(new org.apache.flink.streaming.api.watermark.Watermark(T));
        h.processWatermark2(new org.apache.flink.streaming.api.watermark.Watermark(T));
        List<Alert> out = h.extractOutputValues();
        assertThat(out).extracting(a -> a.rule).containsExactly("risk_block", "failure_rate");
        assertThat(out.get(1).evidenceAlternatives).extracting(x -> x.channel).containsExactly("qr", "card");
        // a firing channel drop takes its channel out of later advice; its resolution puts it back
        h.processElement1(new StreamRecord<>(alert("traffic_drop", Map.of("channel", "qr"), Alert.FIRING, T + 1), T + 1));
        h.processElement1(new StreamRecord<>(alert("failure_rate", Map.of("merchant_id", "m-1"), Alert.FIRING, T + 1), T + 1));
        h.processBothWatermarks(new org.apache.flink.streaming.api.watermark.Watermark(T + 1));
        out = h.extractOutputValues();
        assertThat(out.get(3).scope).containsKey("merchant_id");
        assertThat(out.get(3).evidenceAlternatives).extracting(x -> x.channel).containsExactly("card");
        // windows far behind the watermark go
        h.processBothWatermarks(new org.apache.flink.streaming.api.watermark.Watermark(T + 3_600_000));
        assertThat(h.numKeyedStateEntries()).isLessThanOrEqualTo(1); // the firing drop's entry
        h.close();
    }

    /** A replay's periodic watermark (or the end of input) may pass many alerts at once. */
    @Test
    void oneWatermarkPastManyAlertsAdvisesEachWithItsOwnWindows() throws Exception {
        var h = new KeyedTwoInputStreamOperatorTestHarness<Integer, Alert, ChannelWindow, Alert>(
                new KeyedCoProcessOperator<>(new FailoverAdviceFunction()), a -> 0, w -> 0, Types.INT);
        h.open();
        long later = T + 20 * 60_000;
        h.processElement2(new StreamRecord<>(new ChannelWindow("card", T, 300_000, 100, 1), T));
        h.processElement2(new StreamRecord<>(new ChannelWindow("card", later, 300_000, 200, 2), later));
        h.processElement1(new StreamRecord<>(alert("failure_rate", Map.of("channel", "qr"), Alert.FIRING, T), T));
        h.processElement1(new StreamRecord<>(alert("failure_rate", Map.of("channel", "qr"), Alert.RESOLVED, later), later));
        h.processBothWatermarks(new org.apache.flink.streaming.api.watermark.Watermark(Long.MAX_VALUE));
        assertThat(h.extractOutputValues()).extracting(a -> a.evidenceAlternatives.get(0).total)
                .containsExactly(100L, 200L);
        h.close();
    }
}
