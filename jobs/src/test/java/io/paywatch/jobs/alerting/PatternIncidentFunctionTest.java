package io.paywatch.jobs.alerting;

import static io.paywatch.jobs.testing.Events.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.paywatch.jobs.control.ControlSignal;
import io.paywatch.jobs.control.LiveRules;
import io.paywatch.jobs.ingest.EndOfInput;
import io.paywatch.model.PatternSignal;
import io.paywatch.model.PaymentEvent;
import io.paywatch.patterns.ChargedUnfulfilledPattern;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** The incident lifecycle operator keeps state only while an incident or a signal is pending. */
class PatternIncidentFunctionTest {
    @Test
    void aFulfilmentWithNoIncidentLeavesNoStateOnceTheWatermarkPassesIt() throws Exception {
        try (var h = new KeyedTwoInputStreamOperatorTestHarness<String, PatternSignal, ControlSignal, io.paywatch.model.Alert>(
                new CoBroadcastWithKeyedOperator<>(new PatternIncidentFunction(),
                        java.util.List.of(EndOfInput.STATE, LiveRules.FAILURE_RATE, LiveRules.FAILURE_RATE_MEASURES, LiveRules.SILENCES)),
                (PatternSignal s) -> s.key, null, Types.STRING)) {
            h.open();
            for (int i = 0; i < 100; i++) {
                PaymentEvent f = io.paywatch.jobs.testing.Events.ok(T0 + i * 1_000L, "m-" + i, "card");
                f.kind = io.paywatch.model.EventKind.FULFILMENT;
                f.orderId = "o-" + i;
                PatternSignal s = ChargedUnfulfilledPattern.resolverSignal(f);
                h.processElement1(new StreamRecord<>(s, s.time));
            }
            assertThat(h.numKeyedStateEntries()).isPositive();
            h.processWatermark1(new org.apache.flink.streaming.api.watermark.Watermark(T0 + 200_000));
            h.processWatermark2(new org.apache.flink.streaming.api.watermark.Watermark(T0 + 200_000));
            assertThat(h.extractOutputValues()).isEmpty();
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }
}
