package io.paywatch.jobs.alerting;

import static io.paywatch.jobs.alerting.ChargedUnfulfilledScreenTest.matches;
import static io.paywatch.jobs.testing.Events.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.paywatch.jobs.alerting.ChargedUnfulfilledScreenTest.Arrival;
import io.paywatch.jobs.alerting.ChargedUnfulfilledScreenTest.Screened;
import io.paywatch.jobs.runtime.StateLayout;
import io.paywatch.model.EventKind;
import io.paywatch.model.PatternRuleSettings;
import io.paywatch.model.PatternSignal;
import io.paywatch.model.PaymentEvent;
import io.paywatch.model.RuleSettings;
import io.paywatch.patterns.FailedButChargedPattern;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.cep.nfa.compiler.NFACompiler;
import org.apache.flink.cep.operator.CepOperator;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The screen in front of {@code failed_but_charged}'s CEP operator changes no match: CEP alone
 * and screen + CEP over the same randomised streams — ties in event time, out-of-order arrival,
 * charges before and after their failures, several of each per payment, pairs at the edges of
 * the window, a payment that pairs again after a match — give the same matches (the same
 * events, in the same order), and the screen leaves no state or timer behind; in either state
 * layout ({@link StateLayout}), and across a restore from a checkpoint of the other layout.
 */
class FailedButChargedScreenTest {
    private static final PatternRuleSettings RULE =
            RuleSettings.defaults().pattern(RuleSettings.FAILED_BUT_CHARGED);
    private static final long W = RULE.withinMs;
    private static final long BOUND = 5_000;

    static PaymentEvent event(boolean charge, long time, String payment, int n) {
        PaymentEvent e = io.paywatch.jobs.testing.Events.failed(time, "m-1", "card", "202");
        if (charge) {
            e.kind = EventKind.CHARGE;
            e.failed = false;
            e.code = null;
        }
        e.paymentId = payment;
        e.orderId = "o-" + payment;
        e.eventId = (charge ? "charge-" : "failed-") + payment + "-" + n;
        return e;
    }

    /** Payments with 1–4 events of either kind at offsets that test every boundary. */
    static List<Arrival> randomStream(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        long[] offsets = {0, 1, -1, W - 1, W, W + 1, 2 * W - 1, 2 * W, 2 * W + 1, 3 * W, -W, -W + 1};
        List<PaymentEvent> events = new ArrayList<>();
        int n = 0;
        for (int p = 0; p < 40; p++) {
            // two merchants with the same payment ids: the screen tells payments apart within a merchant
            String merchant = "m-" + (1 + p % 2);
            String payment = "p-" + p / 2;
            int first = events.size();
            long base = T0 + rnd.nextLong(0, 3 * W) / 1000 * 1000; // whole seconds: many ties
            int count = 1 + rnd.nextInt(4);
            for (int i = 0; i < count; i++) {
                long at = i == 0 ? 0 : rnd.nextInt(3) == 0 ? rnd.nextLong(-W, 3 * W) : offsets[rnd.nextInt(offsets.length)];
                events.add(event(rnd.nextBoolean(), base + at, payment, n++));
            }
            for (int i = first; i < events.size(); i++) {
                events.get(i).merchantId = merchant;
            }
        }
        List<long[]> keyed = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            keyed.add(new long[] {events.get(i).eventTime + rnd.nextLong(0, BOUND), i});
        }
        keyed.sort(Comparator.comparingLong((long[] k) -> k[0]).thenComparingLong(k -> k[1]));
        List<Arrival> out = new ArrayList<>();
        for (long[] k : keyed) {
            out.add(new Arrival(events.get((int) k[1]), k[0] - BOUND - 1));
        }
        return out;
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, PaymentEvent, PatternSignal> cep()
            throws Exception {
        Pattern<PaymentEvent, PaymentEvent> pattern = FailedButChargedPattern.pattern(RULE);
        return new KeyedOneInputStreamOperatorTestHarness<>(new CepOperator<>(
                TypeInformation.of(PaymentEvent.class).createSerializer(new SerializerConfigImpl()), false,
                NFACompiler.compileFactory(pattern, true), null, pattern.getAfterMatchSkipStrategy(),
                FailedButChargedPattern.handler(RULE), null), FailedButChargedPattern::keyOf, Types.STRING);
    }

    static List<String> cepAlone(List<Arrival> stream) throws Exception {
        try (var h = cep()) {
            h.open();
            for (Arrival a : stream) {
                h.processElement(new StreamRecord<>(a.event(), a.event().eventTime));
                h.processWatermark(new Watermark(a.watermarkAfter()));
            }
            h.processWatermark(new Watermark(Long.MAX_VALUE));
            return matches(h.extractOutputValues());
        }
    }

    static Screened screenThenCep(List<Arrival> stream, StateLayout layout) throws Exception {
        return ChargedUnfulfilledScreenTest.screenThenCep(new FailedButChargedScreen(W, layout), stream, cep());
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, PaymentEvent, PaymentEvent> screen(
            StateLayout layout) throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new FailedButChargedScreen(W, layout), e -> e.merchantId, Types.STRING);
    }

    @ParameterizedTest
    @EnumSource(StateLayout.class)
    void randomisedStreamsGiveTheSameMatchesWithAndWithoutTheScreen(StateLayout layout) throws Exception {
        int events = 0;
        int forwarded = 0;
        int matched = 0;
        for (long seed = 1; seed <= 80; seed++) {
            List<Arrival> stream = randomStream(seed);
            List<String> expected = cepAlone(stream);
            Screened actual = screenThenCep(stream, layout);
            assertThat(actual.matches()).as("seed " + seed).isEqualTo(expected);
            assertThat(actual.released()).as("seed " + seed + ", released as early")
                    .isEqualTo(ChargedUnfulfilledScreenTest.cepAloneReleased(cep(), stream));
            events += stream.size();
            forwarded += actual.forwarded();
            matched += expected.size();
        }
        assertThat(matched).isGreaterThan(300);
        assertThat(forwarded).isLessThan(events);
    }

    /**
     * A checkpoint of one layout restored into the other (a heap job's savepoint restored on
     * RocksDB, and back) in the middle of each randomised stream: the same matches as CEP alone,
     * released as early, and nothing left behind.
     */
    @ParameterizedTest
    @CsvSource({"TABLE, MAP", "MAP, TABLE", "TABLE, TABLE"})
    void eitherLayoutRestoresFromACheckpointOfTheOther(StateLayout before, StateLayout after) throws Exception {
        int moved = 0;
        for (long seed = 1; seed <= 80; seed++) {
            List<Arrival> stream = randomStream(seed);
            int cut = stream.size() / 2;
            List<Object> screened = new ArrayList<>();
            OperatorSubtaskState snapshot;
            try (var h = screen(before)) {
                h.open();
                for (Arrival a : stream.subList(0, cut)) {
                    h.processElement(new StreamRecord<>(a.event(), a.event().eventTime));
                    h.processWatermark(new Watermark(a.watermarkAfter()));
                }
                snapshot = h.snapshot(1, 1);
                moved += h.numKeyedStateEntries();
                screened.addAll(h.getOutput());
            }
            try (var h = screen(after)) {
                h.initializeState(snapshot);
                h.open();
                for (Arrival a : stream.subList(cut, stream.size())) {
                    h.processElement(new StreamRecord<>(a.event(), a.event().eventTime));
                    h.processWatermark(new Watermark(a.watermarkAfter()));
                }
                h.processWatermark(new Watermark(Long.MAX_VALUE));
                assertThat(h.numKeyedStateEntries()).as("seed " + seed + ", state left").isZero();
                assertThat(h.numEventTimeTimers()).as("seed " + seed + ", timers left").isZero();
                screened.addAll(h.getOutput());
            }
            Screened actual = ChargedUnfulfilledScreenTest.cepBehind(screened, List.of(), cep());
            assertThat(actual.matches()).as("seed " + seed).isEqualTo(cepAlone(stream));
            assertThat(actual.released()).as("seed " + seed + ", released as early")
                    .isEqualTo(ChargedUnfulfilledScreenTest.cepAloneReleased(cep(), stream));
        }
        assertThat(moved).as("payments held at the checkpoints").isGreaterThan(80);
    }

    /**
     * On the heap the payments' table is changed in place, not stored again after each event: a
     * checkpoint begun in the middle of each randomised stream, written out only after the rest
     * of the stream went through the screen, restores to exactly the state at its beginning.
     */
    @ParameterizedTest
    @EnumSource(StateLayout.class)
    void aCheckpointHoldsWhatCameBeforeItBeganNotWhatCameWhileItWasWritten(StateLayout layout) throws Exception {
        for (long seed = 1; seed <= 80; seed++) {
            List<Arrival> stream = randomStream(seed);
            List<Arrival> rest = stream.subList(stream.size() / 2, stream.size());
            List<Object> screened = new ArrayList<>();
            OperatorSubtaskState snapshot;
            try (var h = screen(layout)) {
                h.open();
                for (Arrival a : stream.subList(0, stream.size() / 2)) {
                    h.processElement(new StreamRecord<>(a.event(), a.event().eventTime));
                    h.processWatermark(new Watermark(a.watermarkAfter()));
                }
                screened.addAll(h.getOutput());
                snapshot = io.paywatch.jobs.testing.Checkpoints.takenAround(h, 1, () -> {
                    for (Arrival a : rest) { // changes the tables while the checkpoint is written
                        h.processElement(new StreamRecord<>(a.event(), a.event().eventTime));
                        h.processWatermark(new Watermark(a.watermarkAfter()));
                    }
                });
            }
            try (var h = screen(layout)) {
                h.initializeState(snapshot);
                h.open();
                for (Arrival a : rest) {
                    h.processElement(new StreamRecord<>(a.event(), a.event().eventTime));
                    h.processWatermark(new Watermark(a.watermarkAfter()));
                }
                h.processWatermark(new Watermark(Long.MAX_VALUE));
                assertThat(h.numKeyedStateEntries()).as("seed " + seed + ", state left").isZero();
                screened.addAll(h.getOutput());
            }
            Screened actual = ChargedUnfulfilledScreenTest.cepBehind(screened, List.of(), cep());
            assertThat(actual.matches()).as("seed " + seed).isEqualTo(cepAlone(stream));
        }
    }

    /**
     * On the heap a merchant's lone payment events have no timer of their own: one expiry timer
     * per merchant and half window, and a table that forgets them when it fires. A payment's
     * second event gives it a track with exact timers, which decide as with the other layout.
     */
    @Test
    void onTheHeapLoneEventsShareOneExpiryTimerPerMerchantAndSlice() throws Exception {
        try (var h = screen(StateLayout.TABLE)) {
            h.open();
            h.processWatermark(new Watermark(T0 - 1));
            for (int i = 0; i < 50; i++) { // T0 + W is a slice's end: these time out within the next
                h.processElement(new StreamRecord<>(event(i % 2 == 0, T0 + 1 + i, "p-" + i, i), T0 + 1 + i));
            }
            assertThat(h.numEventTimeTimers()).as("one expiry timer for 50 payments").isEqualTo(1);
            assertThat(h.numKeyedStateEntries()).as("one table").isEqualTo(1);
            // p-1's failure gets its charge
            h.processElement(new StreamRecord<>(event(true, T0 + 3_000, "p-1", 100), T0 + 3_000));
            h.processWatermark(new Watermark(T0 + 3_000));
            assertThat(h.extractOutputValues()).extracting(e -> e.eventId)
                    .containsExactly("failed-p-1-1", "charge-p-1-100");
            assertThat(h.getOutput()).filteredOn(o -> o instanceof StreamRecord)
                    .extracting(o -> ((StreamRecord<?>) o).getTimestamp())
                    .as("stamped with the charge's time").containsExactly(T0 + 3_000, T0 + 3_000);
            // the paired payment's track ends a window after the pair; the lone events with their slice
            h.processWatermark(new Watermark(T0 + W + W / 2 - 1));
            assertThat(h.numEventTimeTimers()).as("the slice's").isEqualTo(1);
            assertThat(h.numKeyedStateEntries()).isEqualTo(1);
            h.processWatermark(new Watermark(T0 + W + W / 2));
            assertThat(h.numEventTimeTimers()).isZero();
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.extractOutputValues()).as("nothing else forwarded").hasSize(2);
        }
    }

    /**
     * A lone event whose timeout event time has reached is forgotten, even before its slice's
     * timer fires: a later event of the payment is alone, as it is when the track was cleared.
     */
    @Test
    void onTheHeapALoneEventPastItsTimeoutIsForgottenBeforeItsSliceFires() throws Exception {
        List<Arrival> stream = List.of(
                new Arrival(event(false, T0, "p-1", 1), T0 - 1),
                // the watermark reaches the failure's timeout, not yet the end of its slice
                new Arrival(event(false, T0 + W, "p-2", 2), T0 + W),
                new Arrival(event(true, T0 + W + 1, "p-1", 3), T0 + W)); // would pair, but too late
        assertThat(cepAlone(stream)).isEmpty();
        assertThat(screenThenCep(stream, StateLayout.TABLE).matches()).isEmpty();
        assertThat(screenThenCep(stream, StateLayout.TABLE).forwarded()).isZero();
    }

    @ParameterizedTest
    @EnumSource(StateLayout.class)
    void aLoneChargeOrFailureNeverReachesCep(StateLayout layout) throws Exception {
        List<Arrival> stream = List.of(
                new Arrival(event(true, T0, "p-1", 1), T0 - BOUND),
                new Arrival(event(false, T0 + 1_000, "p-2", 2), T0 - BOUND),
                new Arrival(event(false, T0 + 2_000, "p-3", 3), T0),
                new Arrival(event(true, T0 + 2_000 + W, "p-3", 4), T0 + 1_000)); // within after it: timed out
        Screened s = screenThenCep(stream, layout);
        assertThat(s.matches()).isEmpty();
        assertThat(cepAlone(stream)).isEmpty();
        assertThat(s.forwarded()).isZero();
    }

    @Test
    void withATrackPerPaymentALoneEventHasOneTimerTheOneAtWhichItTimesOut() throws Exception {
        try (var h = screen(StateLayout.MAP)) {
            h.open();
            h.processWatermark(new Watermark(T0 - 1));
            h.processElement(new StreamRecord<>(event(true, T0, "p-1", 1), T0));
            h.processElement(new StreamRecord<>(event(false, T0 + 1_000, "p-2", 2), T0 + 1_000));
            assertThat(h.numEventTimeTimers()).as("one per payment").isEqualTo(2);
            // event time passes both events' own times: nothing is decided there
            h.processWatermark(new Watermark(T0 + 2_000));
            assertThat(h.numEventTimeTimers()).isEqualTo(2);
            // the second event of p-1, after its first one's time: both get decided at their times
            h.processElement(new StreamRecord<>(event(false, T0 + 3_000, "p-1", 3), T0 + 3_000));
            h.processWatermark(new Watermark(T0 + 3_000));
            assertThat(h.extractOutputValues()).extracting(e -> e.eventId)
                    .containsExactly("charge-p-1-1", "failed-p-1-3");
            assertThat(h.getOutput()).filteredOn(o -> o instanceof StreamRecord)
                    .extracting(o -> ((StreamRecord<?>) o).getTimestamp())
                    .as("stamped with the failure's time, as before").containsExactly(T0 + 3_000, T0 + 3_000);
            h.processWatermark(new Watermark(Long.MAX_VALUE));
            assertThat(h.numEventTimeTimers()).isZero();
            assertThat(h.numKeyedStateEntries()).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(StateLayout.class)
    void aChargeBeforeItsFailureArrivingAfterItStillMatches(StateLayout layout) throws Exception {
        List<Arrival> stream = List.of(
                new Arrival(event(false, T0 + 3_000, "p-1", 1), T0 - BOUND),
                new Arrival(event(true, T0, "p-1", 2), T0 - 1)); // the charge came first in event time
        Screened s = screenThenCep(stream, layout);
        assertThat(s.matches()).containsExactly("failed_but_charged|m-1|p-1 @3000 [charge-p-1-2, failed-p-1-1]");
        assertThat(s.matches()).isEqualTo(cepAlone(stream));
        assertThat(s.forwarded()).isEqualTo(2);
    }
}
