package io.paywatch.jobs.alerting;

import static io.paywatch.jobs.testing.Events.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.paywatch.model.EventKind;
import io.paywatch.model.PatternRuleSettings;
import io.paywatch.model.PatternSignal;
import io.paywatch.model.PaymentEvent;
import io.paywatch.model.PaymentEventSerializer;
import io.paywatch.model.PojoPaymentEvents;
import io.paywatch.model.RuleSettings;
import io.paywatch.patterns.FailedButChargedPattern;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.cep.nfa.compiler.NFACompiler;
import org.apache.flink.cep.operator.CepOperator;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An upgrade across the change of the event's serializer: CEP state written with Flink's POJO
 * serializer (an older build's checkpoint) restores into the operator that now uses
 * {@link PaymentEventSerializer} — partial matches in the shared buffer and events still waiting
 * for the watermark alike — on both backends, and the pattern completes.
 */
class PaymentEventStateMigrationTest {
    private static final PatternRuleSettings RULE = RuleSettings.defaults().pattern(RuleSettings.FAILED_BUT_CHARGED);

    private static KeyedOneInputStreamOperatorTestHarness<String, PaymentEvent, PatternSignal> cep(
            TypeSerializer<PaymentEvent> events, String backend) throws Exception {
        Pattern<PaymentEvent, PaymentEvent> pattern = FailedButChargedPattern.pattern(RULE);
        var h = new KeyedOneInputStreamOperatorTestHarness<String, PaymentEvent, PatternSignal>(
                new CepOperator<>(events, false, NFACompiler.compileFactory(pattern, false), null,
                        pattern.getAfterMatchSkipStrategy(), FailedButChargedPattern.handler(RULE), null),
                FailedButChargedPattern::keyOf, Types.STRING);
        if (backend.equals("rocksdb")) {
            h.setStateBackend(new EmbeddedRocksDBStateBackend());
        }
        return h;
    }

    private static PaymentEvent event(String payment, boolean failedPayment, long at) {
        PaymentEvent e = failedPayment ? io.paywatch.jobs.testing.Events.failed(at, "m-1", "card", "101")
                : io.paywatch.jobs.testing.Events.ok(at, "m-1", "card");
        if (!failedPayment) {
            e.kind = EventKind.CHARGE;
        }
        e.paymentId = payment;
        e.eventId = (failedPayment ? "pay-" : "chg-") + payment;
        e.amountMinor = 1234L;
        return e;
    }

    @org.junit.jupiter.api.Test
    void thePojoSerializersSnapshotIsReadByMigration() {
        var pojo = PojoPaymentEvents.serializer().snapshotConfiguration();
        assertThat(PaymentEventSerializer.INSTANCE.snapshotConfiguration().resolveSchemaCompatibility(pojo)
                .isCompatibleAfterMigration()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"heap", "rocksdb"})
    void cepStateOfThePojoSerializerRestoresAndCompletesItsMatches(String backend) throws Exception {
        OperatorSubtaskState old;
        try (var before = cep(PojoPaymentEvents.serializer(), backend)) {
            before.open();
            // p-1's failure is past the watermark: a partial match in CEP's shared buffer
            before.processElement(new StreamRecord<>(event("p-1", true, T0), T0));
            before.processWatermark(new Watermark(T0 + 1_000));
            // p-2's is not yet: it waits in CEP's element queue
            before.processElement(new StreamRecord<>(event("p-2", true, T0 + 5_000), T0 + 5_000));
            assertThat(before.extractOutputValues()).isEmpty();
            old = before.snapshot(1, 1);
        }
        try (var after = cep(PaymentEventSerializer.INSTANCE, backend)) {
            after.setup();
            after.initializeState(old);
            after.open();
            after.processElement(new StreamRecord<>(event("p-1", false, T0 + 60_000), T0 + 60_000));
            after.processElement(new StreamRecord<>(event("p-2", false, T0 + 61_000), T0 + 61_000));
            after.processWatermark(new Watermark(T0 + 120_000));
            List<String> matched = after.extractOutputValues().stream()
                    .map(s -> String.join(",", s.eventIds)).sorted().collect(Collectors.toList());
            assertThat(matched).containsExactly("pay-p-1,chg-p-1", "pay-p-2,chg-p-2");
            // and the state now written is the new serializer's: a second restore reads it
            var again = after.snapshot(2, 2);
            try (var third = cep(PaymentEventSerializer.INSTANCE, backend)) {
                third.setup();
                third.initializeState(again);
                third.open();
            }
        }
    }
}
