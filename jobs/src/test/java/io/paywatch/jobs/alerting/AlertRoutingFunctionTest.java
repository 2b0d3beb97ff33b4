package io.paywatch.jobs.alerting;

import static org.assertj.core.api.Assertions.assertThat;

import io.paywatch.jobs.control.ControlSignal;
import io.paywatch.jobs.control.LiveRules;
import io.paywatch.jobs.ingest.EndOfInput;
import io.paywatch.model.Alert;
import io.paywatch.model.AlertIds;
import io.paywatch.model.RuleChange;
import io.paywatch.model.RuleSettings;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

/** The routing operator: live silences and their echo, repeats bounded by the end of input. */
class AlertRoutingFunctionTest {
    private static final long T0 = 1_795_428_000_000L;
    private static final long MIN = 60_000;

    private static KeyedBroadcastOperatorTestHarness<Integer, Alert, ControlSignal, Alert> harness(
            RuleSettings rules) throws Exception {
        return ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(
                new AlertRoutingFunction(rules), a -> 0, Types.INT,
                EndOfInput.STATE, LiveRules.FAILURE_RATE, LiveRules.FAILURE_RATE_MEASURES, LiveRules.SILENCES);
    }

    private static Alert firing(String channel, long at) {
        Alert a = new Alert();
        a.rule = "failure_rate";
        a.status = Alert.FIRING;
        a.severity = "warning";
        a.scope.put("channel", channel);
        a.startsAt = at;
        a.transitionAt = at;
        a.alertId = AlertIds.of(a.rule, a.scope, at);
        a.summary = "rate";
        return a;
    }

    private static RuleChange change(String json) {
        return RuleChange.parse(json.getBytes(StandardCharsets.UTF_8), T0, RuleSettings.defaults());
    }

    @Test
    void aSilenceSentLiveSilencesAlertsInItsWindowAndIsEchoed() throws Exception {
        try (var h = harness(RuleSettings.defaults())) {
            h.processBroadcastElement(ControlSignal.of(change("{\"change_id\":\"mw-1\",\"silences\":[{"
                    + "\"channel\":\"wallet\",\"from\":\"2026-11-23T10:00:00Z\",\"to\":\"2026-11-23T11:00:00Z\","
                    + "\"reason\":\"provider maintenance\"}]}")), T0);
            h.processElement(new StreamRecord<>(firing("wallet", T0 + 10 * MIN), T0 + 10 * MIN));
            h.processElement(new StreamRecord<>(firing("card", T0 + 10 * MIN), T0 + 10 * MIN));
            h.processBroadcastWatermark(Long.MAX_VALUE);
            h.watermark(T0 + 20 * MIN);
            List<Alert> out = h.extractOutputValues();
            assertThat(out.get(0).rule).isEqualTo(RuleChangeAlerts.RULE);
            assertThat(out.get(0).severity).isEqualTo("info");
            assertThat(out.get(0).summary).contains("silence channel=wallet", "provider maintenance");
            assertThat(out.subList(1, 3)).extracting(a -> a.scope.get("channel") + ":" + a.silencedBy)
                    .containsExactly("card:null", "wallet:provider maintenance");
        }
    }

    @Test
    void repeatsOfALongIncidentStopWhereTheInputEnded() throws Exception {
        RuleSettings rules = RuleSettings.parseYaml("notifications: {renotify_every: 1h}", "r.yaml");
        try (var h = harness(rules)) {
            h.processElement(new StreamRecord<>(firing("wallet", T0), T0));
            h.watermark(T0 + 150 * MIN);
            assertThat(h.extractOutputValues()).extracting(a -> a.renotification).containsExactly(0, 1, 2);
            // a bounded input ends 3 h 10 min in: no repeat is made up beyond it, and none loops
            h.processBroadcastElement(ControlSignal.of(EndOfInput.of(0, 1, T0 + 190 * MIN)), T0);
            h.processBroadcastWatermark(Long.MAX_VALUE);
            h.watermark(Long.MAX_VALUE);
            assertThat(h.extractOutputValues()).extracting(a -> a.transitionTime() - T0)
                    .containsExactly(0L, 60 * MIN, 120 * MIN, 180 * MIN);
        }
    }
}
