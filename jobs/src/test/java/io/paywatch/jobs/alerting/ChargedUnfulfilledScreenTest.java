package io.paywatch.jobs.alerting;

import static io.paywatch.jobs.testing.Events.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.paywatch.jobs.runtime.StateLayout;
import io.paywatch.model.EventKind;
import io.paywatch.model.PatternRuleSettings;
import io.paywatch.model.PatternSignal;
import io.paywatch.model.PaymentEvent;
import io.paywatch.model.RuleSettings;
import io.paywatch.patterns.ChargedUnfulfilledPattern;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.cep.nfa.compiler.NFACompiler;
import org.apache.flink.cep.operator.CepOperator;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The screen in front of {@code charged_unfulfilled}'s CEP operator changes no match: CEP alone
 * and screen + CEP (shifted pattern) over the same randomised streams — ties in event time,
 * out-of-order arrival, resolvers before their charges, several charges and resolvers per order,
 * resolvers at the edges of the hold and of the window — give the same matches, and the screen
 * leaves no state or timer behind.
 */
class ChargedUnfulfilledScreenTest {
    private static final PatternRuleSettings RULE =
            RuleSettings.defaults().pattern(RuleSettings.CHARGED_UNFULFILLED);
    private static final long W = RULE.withinMs;
    /** The job's hold: all of the window but its last second, which CEP decides. */
    private static final long HOLD = OrderScreen.holdFor(W);
    private static final long BOUND = 5_000;
    /**
     * The randomised streams also run with half the window as the hold (the job's until
     * 2026-12-07), where CEP decides far more, and with a hold shorter than the arrival's disorder
     * ({@link #BOUND}), where resolvers arrive after their charge was due: the screen is
     * equivalent for any hold.
     */
    private static final long[] HOLDS = {HOLD, W / 2, BOUND / 2};

    /** What {@link Arrival#watermarkAfter} holds when no watermark follows the event. */
    static final long NO_WATERMARK = Long.MIN_VALUE;

    /** An event in arrival order, with the watermark that follows it (or {@link #NO_WATERMARK}). */
    record Arrival(PaymentEvent event, long watermarkAfter) {
        boolean hasWatermark() {
            return watermarkAfter != NO_WATERMARK;
        }
    }

    /**
     * The same arrivals with a watermark after every {@code k}-th only, as when many events arrive
     * between two watermarks in a running job.
     */
    static List<Arrival> watermarkEvery(List<Arrival> stream, int k) {
        List<Arrival> out = new ArrayList<>();
        for (int i = 0; i < stream.size(); i++) {
            Arrival a = stream.get(i);
            out.add(i % k == k - 1 ? a : new Arrival(a.event, NO_WATERMARK));
        }
        return out;
    }

    static PaymentEvent event(EventKind kind, long time, String order, int n) {
        PaymentEvent e = io.paywatch.jobs.testing.Events.ok(time, "m-1", "card");
        e.kind = kind;
        e.orderId = order;
        e.paymentId = "p-" + order;
        e.eventId = kind.wireName() + "-" + order + "-" + n;
        return e;
    }

    /** Orders with 1–3 charges and 0–3 resolvers at offsets that test every boundary. */
    static List<Arrival> randomStream(long seed, long hold) {
        SplittableRandom rnd = new SplittableRandom(seed);
        long[] offsets = {0, 1, -1, hold - 1, hold, hold + 1, W - 1, W, W + 1, 2 * W, -hold};
        List<PaymentEvent> events = new ArrayList<>();
        int n = 0;
        for (int o = 0; o < 40; o++) {
            // two merchants with the same order ids: the screen tells orders apart within a merchant
            String merchant = "m-" + (1 + o % 2);
            String order = "o-" + o / 2;
            int first = events.size();
            long base = T0 + rnd.nextLong(0, 3 * W) / 1000 * 1000; // whole seconds: many ties
            int charges = 1 + rnd.nextInt(3);
            for (int c = 0; c < charges; c++) {
                events.add(event(EventKind.CHARGE, base + (c == 0 ? 0 : rnd.nextLong(0, W)), order, n++));
            }
            int resolvers = rnd.nextInt(4);
            for (int r = 0; r < resolvers; r++) {
                long at = rnd.nextInt(3) == 0 ? rnd.nextLong(-W, 2 * W) : offsets[rnd.nextInt(offsets.length)];
                events.add(event(rnd.nextBoolean() ? EventKind.FULFILMENT : EventKind.REFUND,
                        base + at, order, n++));
            }
            for (int i = first; i < events.size(); i++) {
                events.get(i).merchantId = merchant;
            }
        }
        // arrival: up to BOUND out of order, so never behind the watermark (as after the gate)
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

    private static CepOperator<PaymentEvent, String, PatternSignal> cep(long shift) {
        Pattern<PaymentEvent, PaymentEvent> pattern = ChargedUnfulfilledPattern.pattern(RULE, shift);
        return new CepOperator<>(
                TypeInformation.of(PaymentEvent.class).createSerializer(new SerializerConfigImpl()), false,
                NFACompiler.compileFactory(pattern, true), ChargedUnfulfilledPattern.SAME_TIME_ORDER,
                pattern.getAfterMatchSkipStrategy(), ChargedUnfulfilledPattern.handler(RULE), null);
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, PaymentEvent, PatternSignal> harness(
            CepOperator<PaymentEvent, String, PatternSignal> op) throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(op, ChargedUnfulfilledPattern::keyOf, Types.STRING);
    }

    static List<String> matches(List<PatternSignal> signals) {
        List<String> out = new ArrayList<>();
        for (PatternSignal s : signals) {
            out.add(match(s));
        }
        out.sort(null);
        return out;
    }

    private static String match(PatternSignal s) {
        return s.key + " @" + (s.time - T0) + " " + Arrays.toString(s.eventIds);
    }

    /**
     * Adds to {@code into} each match {@code cep} emitted since {@code seen} of its outputs, with
     * the watermark that released it: a screen must not only give the same matches but give
     * them as early. Returns how many outputs are now seen.
     */
    static int released(KeyedOneInputStreamOperatorTestHarness<String, PaymentEvent, PatternSignal> cep,
            long watermark, int seen, List<String> into) {
        List<PatternSignal> all = cep.extractOutputValues();
        for (int i = seen; i < all.size(); i++) {
            into.add(match(all.get(i)) + " by " + (watermark == Long.MAX_VALUE ? "the end" : watermark - T0));
        }
        return all.size();
    }

    /** CEP alone: each match with the watermark that released it, sorted. */
    static List<String> cepAloneReleased(KeyedOneInputStreamOperatorTestHarness<String, PaymentEvent, PatternSignal> h,
            List<Arrival> stream) throws Exception {
        List<String> out = new ArrayList<>();
        try (h) {
            h.open();
            int seen = 0;
            for (Arrival a : stream) {
                h.processElement(new StreamRecord<>(a.event, a.event.eventTime));
                if (a.hasWatermark()) {
                    h.processWatermark(new Watermark(a.watermarkAfter));
                    seen = released(h, a.watermarkAfter, seen, out);
                }
            }
            h.processWatermark(new Watermark(Long.MAX_VALUE));
            released(h, Long.MAX_VALUE, seen, out);
        }
        out.sort(null);
        return out;
    }

    /** CEP alone, as without the screen. */
    static List<String> cepAlone(List<Arrival> stream) throws Exception {
        return matches(cepAloneSignals(stream));
    }

    static List<PatternSignal> cepAloneSignals(List<Arrival> stream) throws Exception {
        try (var h = harness(cep(0))) {
            h.open();
            for (Arrival a : stream) {
                h.processElement(new StreamRecord<>(a.event, a.event.eventTime));
                if (a.hasWatermark()) {
                    h.processWatermark(new Watermark(a.watermarkAfter));
                }
            }
            h.processWatermark(new Watermark(Long.MAX_VALUE));
            return h.extractOutputValues();
        }
    }

    /**
     * What passed the screen, the matches of CEP behind it (also with the watermark that
     * released each), and the resolvers sent to the incidents.
     */
    record Screened(List<String> matches, int forwarded, List<String> resolverSignals, List<String> released) {}

    static Screened screenThenCep(List<Arrival> stream) throws Exception {
        return screenThenCep(stream, HOLD);
    }

    /**
     * The screen in both state layouts: the heap's (lone charges in a table per merchant) must
     * forward exactly what RocksDB's (a track per order) does, at the same watermarks.
     */
    static Screened screenThenCep(List<Arrival> stream, long hold) throws Exception {
        Screened map = screenThenCep(stream, hold, StateLayout.MAP);
        assertThat(screenThenCep(stream, hold, StateLayout.TABLE)).as("the heap's layout against RocksDB's")
                .isEqualTo(map);
        return map;
    }

    static Screened screenThenCep(List<Arrival> stream, long hold, StateLayout layout) throws Exception {
        return screenThenCep(new ChargedUnfulfilledScreen(hold, W, layout), stream, harness(cep(hold)));
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, PaymentEvent, PaymentEvent> screen(
            long hold, StateLayout layout) throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new ChargedUnfulfilledScreen(hold, W, layout), e -> e.merchantId, Types.STRING);
    }

    /**
     * Runs {@code screen} over {@code stream}, keyed by merchant as in dedup's task (requiring that
     * it leaves no state or timer), then
     * feeds what it forwarded, watermarks included, to {@code cep}: the matches and how many
     * events got through. Shared by the tests of both screens.
     */
    static Screened screenThenCep(MerchantKeyedScreen<?> screen, List<Arrival> stream,
            KeyedOneInputStreamOperatorTestHarness<String, PaymentEvent, PatternSignal> cep) throws Exception {
        List<Object> screened;
        List<String> resolverSignals;
        try (var h = new KeyedOneInputStreamOperatorTestHarness<String, PaymentEvent, PaymentEvent>(
                screen, e -> e.merchantId, Types.STRING)) {
            h.open();
            feed(h, stream);
            h.processWatermark(new Watermark(Long.MAX_VALUE));
            assertThat(h.numKeyedStateEntries()).as("state left").isZero();
            assertThat(h.numEventTimeTimers()).as("timers left").isZero();
            screened = new ArrayList<>(h.getOutput());
            resolverSignals = resolverSignals(h);
            resolverSignals.sort(null);
        }
        return cepBehind(screened, resolverSignals, cep);
    }

    /** Feeds what a screen output, watermarks included, to {@code cep}: see {@link #screenThenCep}. */
    static Screened cepBehind(List<Object> screened, List<String> resolverSignals,
            KeyedOneInputStreamOperatorTestHarness<String, PaymentEvent, PatternSignal> cep) throws Exception {
        int forwarded = 0;
        List<String> released = new ArrayList<>();
        try (cep) {
            cep.open();
            int seen = 0;
            for (Object o : screened) {
                if (o instanceof Watermark w) {
                    cep.processWatermark(w);
                    seen = released(cep, w.getTimestamp(), seen, released);
                } else {
                    @SuppressWarnings("unchecked")
                    StreamRecord<PaymentEvent> r = (StreamRecord<PaymentEvent>) o;
                    cep.processElement(r);
                    forwarded++;
                }
            }
            released.sort(null);
            return new Screened(matches(cep.extractOutputValues()), forwarded, resolverSignals, released);
        }
    }

    /**
     * A charge fulfilled within the hold leaves no timer to wait out the hold: only the
     * fulfilment's own. A timer that decides something else of the order stays. (RocksDB's
     * layout, where each charge has its track and timer from the start.)
     */
    @Test
    void aFulfilledChargesTimerIsDeletedUnlessTheOrderIsDecidedThen() throws Exception {
        try (var h = screen(HOLD, StateLayout.MAP)) {
            h.open();
            h.processWatermark(new Watermark(T0 - 1));
            h.processElement(new StreamRecord<>(event(EventKind.CHARGE, T0, "o-1", 1), T0));
            assertThat(h.numEventTimeTimers()).isEqualTo(1);
            h.processElement(new StreamRecord<>(event(EventKind.FULFILMENT, T0 + 2_000, "o-1", 2), T0 + 2_000));
            assertThat(h.numEventTimeTimers()).as("the fulfilment's timer only").isEqualTo(1);

            // fulfilled at the last millisecond of the hold: the charge's timer is the fulfilment's
            h.processElement(new StreamRecord<>(event(EventKind.CHARGE, T0, "o-2", 3), T0));
            h.processElement(new StreamRecord<>(event(EventKind.FULFILMENT, T0 + HOLD, "o-2", 4), T0 + HOLD));
            assertThat(h.numEventTimeTimers()).isEqualTo(2);

            // two charges of one order at the same time, both completed: their one timer goes
            h.processElement(new StreamRecord<>(event(EventKind.CHARGE, T0 + 1_000, "o-3", 5), T0 + 1_000));
            h.processElement(new StreamRecord<>(event(EventKind.CHARGE, T0 + 1_000, "o-3", 6), T0 + 1_000));
            h.processElement(new StreamRecord<>(event(EventKind.REFUND, T0 + 1_500, "o-3", 7), T0 + 1_500));
            assertThat(h.numEventTimeTimers()).as("both charges completed: the refund's timer only").isEqualTo(3);

            h.processWatermark(new Watermark(Long.MAX_VALUE));
            assertThat(h.extractOutputValues()).isEmpty();
            assertThat(h.numEventTimeTimers()).isZero();
            assertThat(h.numKeyedStateEntries()).isZero();
        }
    }

    @Test
    void randomisedStreamsGiveTheSameMatchesWithAndWithoutTheScreen() throws Exception {
        for (long hold : HOLDS) {
            int events = 0;
            int forwarded = 0;
            int matched = 0;
            for (long seed = 1; seed <= 60; seed++) {
                List<Arrival> stream = randomStream(seed, hold);
                List<String> expected = cepAlone(stream);
                Screened actual = screenThenCep(stream, hold);
                assertThat(actual.matches).as("hold " + hold + ", seed " + seed).isEqualTo(expected);
                assertThat(actual.released).as("hold " + hold + ", seed " + seed + ", released as early")
                        .isEqualTo(cepAloneReleased(harness(cep(0)), stream));
                events += stream.size();
                forwarded += actual.forwarded;
                matched += expected.size();
            }
            // the streams exercise both outcomes, and the screen does save CEP work
            assertThat(matched).as("hold " + hold).isGreaterThan(100);
            assertThat(forwarded).as("hold " + hold).isLessThan(events);
        }
    }

    /** Many events between two watermarks, as in a running job: the same matches, as early. */
    @Test
    void randomisedStreamsWithSparseWatermarksGiveTheSameMatchesWithAndWithoutTheScreen()
            throws Exception {
        for (long hold : HOLDS) {
            int matched = 0;
            for (long seed = 1; seed <= 60; seed++) {
                for (int k : new int[] {3, 11}) {
                    List<Arrival> stream = watermarkEvery(randomStream(seed, hold), k);
                    Screened actual = screenThenCep(stream, hold);
                    String as = "hold " + hold + ", seed " + seed + ", k " + k;
                    assertThat(actual.matches).as(as).isEqualTo(cepAlone(stream));
                    assertThat(actual.released).as(as + ", released as early")
                            .isEqualTo(cepAloneReleased(harness(cep(0)), stream));
                    assertThat(actual.resolverSignals).as(as).isEqualTo(resolversAfterAMatch(stream));
                    matched += actual.matches.size();
                }
            }
            assertThat(matched).as("hold " + hold).isGreaterThan(200);
        }
    }

    /**
     * A checkpoint begun in the middle of each randomised stream (some events after the last
     * watermark), written out only after the rest of the stream went through the screen, restores
     * to exactly the state at its beginning: the same matches and resolvers as CEP alone.
     */
    @ParameterizedTest
    @EnumSource(StateLayout.class)
    void aCheckpointHoldsWhatCameBeforeItBeganNotWhatCameWhileItWasWritten(StateLayout layout) throws Exception {
        for (long seed = 1; seed <= 60; seed++) {
            List<Arrival> stream = watermarkEvery(randomStream(seed, HOLD), 5);
            List<Arrival> rest = stream.subList(stream.size() / 2, stream.size());
            List<Object> screened = new ArrayList<>();
            List<String> signals = new ArrayList<>();
            OperatorSubtaskState snapshot;
            try (var h = screen(HOLD, layout)) {
                h.open();
                feed(h, stream.subList(0, stream.size() / 2));
                screened.addAll(h.getOutput());
                signals.addAll(resolverSignals(h));
                snapshot = io.paywatch.jobs.testing.Checkpoints.takenAround(h, 1, () -> feed(h, rest));
            }
            try (var h = screen(HOLD, layout)) {
                h.initializeState(snapshot);
                h.open();
                feed(h, rest);
                h.processWatermark(new Watermark(Long.MAX_VALUE));
                assertThat(h.numKeyedStateEntries()).as("seed " + seed + ", state left").isZero();
                assertThat(h.numEventTimeTimers()).as("seed " + seed + ", timers left").isZero();
                screened.addAll(h.getOutput());
                signals.addAll(resolverSignals(h));
            }
            signals.sort(null);
            Screened actual = cepBehind(screened, signals, harness(cep(HOLD)));
            assertThat(actual.matches).as("seed " + seed).isEqualTo(cepAlone(stream));
            assertThat(actual.resolverSignals).as("seed " + seed).isEqualTo(resolversAfterAMatch(stream));
        }
    }

    /**
     * The upgrade from the half-window hold: a checkpoint of a screen holding charges for half the
     * window restores into the job's screen, which holds them until a second before their
     * deadline — the old timers fire, forward nothing and leave a timer at the new hold's end.
     * (The CEP operator behind it has a new uid: what the old screen forwarded before the upgrade
     * is not checked, so each stream is cut before the old screen forwarded anything.) The same
     * matches and resolvers as CEP alone. The older build kept every order in a track, as
     * RocksDB's layout still does.
     */
    @ParameterizedTest
    @EnumSource(StateLayout.class)
    void chargesHeldForHalfTheWindowByAnOlderBuildAreHeldUntilTheNewHoldEnds(StateLayout layout) throws Exception {
        long oldHold = W / 2;
        int restoredHeld = 0;
        int matched = 0;
        for (long hold : HOLDS) {
            for (long seed = 1; seed <= 60; seed++) {
                List<Arrival> stream = watermarkEvery(randomStream(seed, hold), 3);
                long firstCharge = stream.stream().filter(a -> a.event.kind == EventKind.CHARGE)
                        .mapToLong(a -> a.event.eventTime).min().orElseThrow();
                int cut = 0;
                while (cut < stream.size() && stream.get(cut).watermarkAfter < firstCharge + oldHold) {
                    cut++;
                }
                OperatorSubtaskState snapshot;
                try (var h = screen(oldHold, StateLayout.MAP)) {
                    h.open();
                    feed(h, stream.subList(0, cut));
                    assertThat(h.extractOutputValues()).as("seed " + seed + ": forwarded before the upgrade").isEmpty();
                    restoredHeld += h.numKeyedStateEntries();
                    snapshot = h.snapshot(1, 1);
                }
                List<Object> screened;
                List<String> signals;
                try (var h = screen(HOLD, layout)) {
                    h.initializeState(snapshot);
                    h.open();
                    feed(h, stream.subList(cut, stream.size()));
                    h.processWatermark(new Watermark(Long.MAX_VALUE));
                    assertThat(h.numKeyedStateEntries()).as("seed " + seed + ", state left").isZero();
                    assertThat(h.numEventTimeTimers()).as("seed " + seed + ", timers left").isZero();
                    screened = new ArrayList<>(h.getOutput());
                    signals = resolverSignals(h);
                }
                signals.sort(null);
                Screened actual = cepBehind(screened, signals, harness(cep(HOLD)));
                assertThat(actual.matches).as("hold " + hold + ", seed " + seed).isEqualTo(cepAlone(stream));
                assertThat(actual.resolverSignals).as("hold " + hold + ", seed " + seed)
                        .isEqualTo(resolversAfterAMatch(stream));
                matched += actual.matches.size();
            }
        }
        // the upgrade happens with orders held, and some of them go on to match
        assertThat(restoredHeld).isGreaterThan(100);
        assertThat(matched).isGreaterThan(100);
    }

    /**
     * A fulfilment the older build stored because it came after the charge's half-window hold:
     * under the new hold it completes the charge, which is dropped at the old timer instead of
     * reaching CEP (which would match it, not having seen the fulfilment).
     */
    @ParameterizedTest
    @EnumSource(StateLayout.class)
    void aFulfilmentTheOlderBuildStoredAfterItsHoldStillCompletesTheCharge(StateLayout layout) throws Exception {
        long oldHold = W / 2;
        PaymentEvent charge = event(EventKind.CHARGE, T0, "o-1", 1);
        PaymentEvent fulfilment = event(EventKind.FULFILMENT, T0 + oldHold + 1, "o-1", 2);
        assertThat(cepAlone(List.of(new Arrival(charge, T0 - 1), new Arrival(fulfilment, T0 - 1)))).isEmpty();
        OperatorSubtaskState snapshot;
        try (var h = screen(oldHold, StateLayout.MAP)) {
            h.open();
            h.processWatermark(new Watermark(T0 - 1));
            h.processElement(new StreamRecord<>(charge, charge.eventTime));
            h.processElement(new StreamRecord<>(fulfilment, fulfilment.eventTime));
            h.processWatermark(new Watermark(T0 + oldHold - 1_000));
            snapshot = h.snapshot(1, 1);
        }
        try (var h = screen(HOLD, layout)) {
            h.initializeState(snapshot);
            h.open();
            h.processWatermark(new Watermark(Long.MAX_VALUE));
            assertThat(h.extractOutputValues()).as("nothing reaches CEP").isEmpty();
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    /**
     * The rule's window shortened across a restore (a shorter hold): the charges held under the
     * longer one are still forwarded, each at its old due time at the latest and never behind a
     * watermark already passed on (CEP would drop it as late), so each alert comes by the old
     * deadline. (On the heap their old slices are not the new ones.)
     */
    @ParameterizedTest
    @EnumSource(StateLayout.class)
    @SuppressWarnings("unchecked")
    void chargesHeldUnderALongerHoldAreForwardedInTimeAfterARestore(StateLayout layout) throws Exception {
        OperatorSubtaskState snapshot;
        List<PaymentEvent> charges = new ArrayList<>();
        try (var h = screen(HOLD, layout)) {
            h.open();
            h.processWatermark(new Watermark(T0 - 1));
            for (int i = 0; i < 16; i++) {
                PaymentEvent c = event(EventKind.CHARGE, T0 + i * (HOLD / 16), "o-" + i, i);
                charges.add(c);
                h.processElement(new StreamRecord<>(c, c.eventTime));
            }
            snapshot = h.snapshot(1, 1);
        }
        try (var h = screen(W / 2, layout)) {
            h.initializeState(snapshot);
            h.open();
            long last = T0 + 15 * (HOLD / 16) + HOLD;
            for (long w = T0; w <= last + 10_000; w += 10_000) {
                h.processWatermark(new Watermark(w));
            }
            long passedOn = Long.MIN_VALUE;
            List<String> forwarded = new ArrayList<>();
            for (Object o : h.getOutput()) {
                if (o instanceof Watermark w) {
                    passedOn = w.getTimestamp();
                } else {
                    PaymentEvent c = ((StreamRecord<PaymentEvent>) o).getValue();
                    long stamp = ((StreamRecord<?>) o).getTimestamp();
                    assertThat(stamp).as(c.orderId + " ahead of the watermark passed on").isGreaterThan(passedOn);
                    assertThat(stamp).as(c.orderId + " by its old due time").isLessThanOrEqualTo(c.eventTime + HOLD);
                    forwarded.add(c.orderId);
                }
            }
            assertThat(forwarded).as("every charge, before the end of the input")
                    .containsExactlyInAnyOrderElementsOf(charges.stream().map(c -> c.orderId).toList());
            h.processWatermark(new Watermark(Long.MAX_VALUE));
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    /** A charge behind the watermark is late for CEP, with or without the screen, in either layout. */
    @Test
    void aChargeBehindTheWatermarkIsLateWithOrWithoutTheScreen() throws Exception {
        List<Arrival> stream = List.of(
                new Arrival(event(EventKind.CHARGE, T0 + W, "o-2", 1), T0 + W),
                new Arrival(event(EventKind.CHARGE, T0, "o-1", 2), T0 + W + 1)); // a window behind
        List<String> expected = cepAlone(stream);
        assertThat(expected).containsExactly("charged_unfulfilled|m-1|o-2 @" + 2 * W + " [charge-o-2-1]");
        assertThat(screenThenCep(stream).matches).isEqualTo(expected);
    }

    /**
     * A checkpoint of one layout restored into the other (a heap job's savepoint restored on
     * RocksDB, and back) in the middle of each randomised stream: the same matches and resolvers
     * as CEP alone, released as early, and nothing left behind.
     */
    @ParameterizedTest
    @CsvSource({"TABLE, MAP", "MAP, TABLE", "TABLE, TABLE"})
    void eitherLayoutRestoresFromACheckpointOfTheOther(StateLayout before, StateLayout after) throws Exception {
        long alone = 0;
        for (long hold : HOLDS) {
            for (long seed = 1; seed <= 60; seed++) {
                List<Arrival> stream = watermarkEvery(randomStream(seed, hold), 3);
                int cut = stream.size() / 2;
                List<Object> screened = new ArrayList<>();
                List<String> signals = new ArrayList<>();
                OperatorSubtaskState snapshot;
                try (var h = screen(hold, before)) {
                    h.open();
                    feed(h, stream.subList(0, cut));
                    snapshot = h.snapshot(1, 1);
                    alone += ((ChargedUnfulfilledScreen) h.getOperator()).loneCharges();
                    screened.addAll(h.getOutput());
                    signals.addAll(resolverSignals(h));
                }
                String as = before + " to " + after + ", hold " + hold + ", seed " + seed;
                try (var h = screen(hold, after)) {
                    h.initializeState(snapshot);
                    h.open();
                    feed(h, stream.subList(cut, stream.size()));
                    h.processWatermark(new Watermark(Long.MAX_VALUE));
                    assertThat(h.numKeyedStateEntries()).as(as + ", state left").isZero();
                    assertThat(h.numEventTimeTimers()).as(as + ", timers left").isZero();
                    screened.addAll(h.getOutput());
                    signals.addAll(resolverSignals(h));
                }
                signals.sort(null);
                Screened actual = cepBehind(screened, signals, harness(cep(hold)));
                assertThat(actual.matches).as(as).isEqualTo(cepAlone(stream));
                assertThat(actual.released).as(as + ", released as early")
                        .isEqualTo(cepAloneReleased(harness(cep(0)), stream));
                assertThat(actual.resolverSignals).as(as).isEqualTo(resolversAfterAMatch(stream));
            }
        }
        if (before == StateLayout.TABLE) {
            assertThat(alone).as("charges alone in the tables at the checkpoints").isGreaterThan(100);
        }
    }

    /**
     * On the heap a merchant's new charges wait in one table, with no track or timer of their own:
     * one timer per merchant and slice. An order's next event gives it its track; a charge still
     * alone when the slice it is due in begins gets its track and its timer then, and is forwarded
     * at its due time, as in RocksDB's layout.
     */
    @Test
    void onTheHeapNewChargesWaitInOneTableWithOneTimerPerMerchantAndSlice() throws Exception {
        long slice = ChargedUnfulfilledScreen.sliceMs(HOLD);
        long sliceStart = Math.floorDiv(T0 + HOLD, slice) * slice + slice; // the charges are due in its middle
        long c0 = sliceStart + slice / 2 - HOLD;
        try (var h = screen(HOLD, StateLayout.TABLE)) {
            h.open();
            h.processWatermark(new Watermark(c0 - 1));
            for (int i = 0; i < 50; i++) {
                h.processElement(new StreamRecord<>(event(EventKind.CHARGE, c0 + i, "o-" + i, i), c0 + i));
            }
            assertThat(h.numEventTimeTimers()).as("one slice timer for 50 charges").isEqualTo(1);
            assertThat(h.numKeyedStateEntries()).as("one table").isEqualTo(1);
            assertThat(((ChargedUnfulfilledScreen) h.getOperator()).loneCharges()).isEqualTo(50);

            // o-1's fulfilment: its charge leaves the table for a track, which keeps the fulfilment until its time
            h.processElement(new StreamRecord<>(event(EventKind.FULFILMENT, c0 + 2_000, "o-1", 100), c0 + 2_000));
            assertThat(h.numKeyedStateEntries()).as("the table and o-1's track").isEqualTo(2);
            assertThat(h.numEventTimeTimers()).as("the slice's and the fulfilment's").isEqualTo(2);
            h.processWatermark(new Watermark(c0 + 2_000));
            assertThat(h.numKeyedStateEntries()).as("o-1 decided").isEqualTo(1);

            h.processWatermark(new Watermark(sliceStart - 1));
            assertThat(h.numEventTimeTimers()).isEqualTo(1);
            assertThat(h.extractOutputValues()).isEmpty();
            // the slice begins: the 49 charges still alone get their tracks and their timers
            h.processWatermark(new Watermark(sliceStart));
            assertThat(h.numKeyedStateEntries()).as("49 tracks, no table").isEqualTo(49);
            assertThat(h.numEventTimeTimers()).as("each charge's due time").isEqualTo(49);
            assertThat(h.extractOutputValues()).isEmpty();

            h.processWatermark(new Watermark(c0 + HOLD + 49));
            assertThat(h.extractOutputValues()).extracting(e -> e.orderId).hasSize(49).doesNotContain("o-1");
            assertThat(h.getOutput()).filteredOn(o -> o instanceof StreamRecord)
                    .extracting(o -> ((StreamRecord<?>) o).getTimestamp() - HOLD)
                    .as("each stamped with its due time").isSorted()
                    .containsExactlyElementsOf(h.extractOutputValues().stream().map(e -> e.eventTime).toList());
            h.processWatermark(new Watermark(Long.MAX_VALUE));
            assertThat(h.numKeyedStateEntries()).isZero();
            assertThat(h.numEventTimeTimers()).isZero();
        }
    }

    /**
     * A fulfilment that arrives before its charge but lies more than the hold after it: it waits
     * for the charge, then must still be decided at its own time, not at the charge's deadline,
     * or CEP would see it too late and match.
     */
    @Test
    void aFulfilmentArrivingBeforeItsChargeButLaterThanTheHoldIsDecidedAtItsOwnTime()
            throws Exception {
        for (long hold : HOLDS) {
            // between the hold's end and the deadline
            List<Arrival> stream = List.of(
                    new Arrival(event(EventKind.FULFILMENT, T0 + hold + (W - hold) / 2, "o-1", 1), T0 - 1),
                    new Arrival(event(EventKind.CHARGE, T0, "o-1", 2), T0 - 1));
            assertThat(cepAlone(stream)).isEmpty();
            Screened s = screenThenCep(stream, hold);
            assertThat(s.matches).as("hold " + hold).isEmpty();
            assertThat(s.forwarded).as("hold " + hold + ": the charge and the fulfilment that ends its partial match")
                    .isEqualTo(2);
        }
    }

    private static void feed(KeyedOneInputStreamOperatorTestHarness<String, PaymentEvent, PaymentEvent> h,
            List<Arrival> arrivals) throws Exception {
        for (Arrival a : arrivals) {
            h.processElement(new StreamRecord<>(a.event, a.event.eventTime));
            if (a.hasWatermark()) {
                h.processWatermark(new Watermark(a.watermarkAfter));
            }
        }
    }

    /** The resolver signals a screen sent to the incidents so far, as {@link #resolversAfterAMatch} writes them. */
    private static List<String> resolverSignals(
            KeyedOneInputStreamOperatorTestHarness<String, PaymentEvent, PaymentEvent> h) {
        List<String> out = new ArrayList<>();
        var side = h.getSideOutput(ChargedUnfulfilledScreen.RESOLVER_SIGNALS);
        if (side != null) {
            for (StreamRecord<PatternSignal> r : side) {
                out.add(r.getValue().key + " @" + (r.getValue().time - T0) + " " + Arrays.toString(r.getValue().eventIds));
            }
        }
        return out;
    }

    /**
     * The resolvers that may resolve an incident: those at or after a match of their order (and
     * within the incident's expiry). Every other one finds no incident open.
     */
    static List<String> resolversAfterAMatch(List<Arrival> stream) throws Exception {
        List<PatternSignal> matches = cepAloneSignals(stream);
        List<String> out = new ArrayList<>();
        for (Arrival a : stream) {
            PaymentEvent r = a.event;
            if (!ChargedUnfulfilledPattern.isResolver(r)) {
                continue;
            }
            PatternSignal signal = ChargedUnfulfilledPattern.resolverSignal(r);
            boolean after = matches.stream().anyMatch(m -> m.key.equals(signal.key) && m.time <= r.eventTime
                    && r.eventTime <= m.time + PatternIncidentFunction.EXPIRE_MS);
            if (after) {
                out.add(signal.key + " @" + (signal.time - T0) + " " + Arrays.toString(signal.eventIds));
            }
        }
        out.sort(null);
        return out;
    }

    @Test
    void theScreenSendsTheIncidentsExactlyTheResolversThatComeAfterAMatch() throws Exception {
        int resolvers = 0;
        int sent = 0;
        for (long seed = 1; seed <= 60; seed++) {
            List<Arrival> stream = randomStream(seed, HOLD);
            List<String> expected = resolversAfterAMatch(stream);
            assertThat(screenThenCep(stream).resolverSignals).as("seed " + seed).isEqualTo(expected);
            resolvers += (int) stream.stream().filter(a -> ChargedUnfulfilledPattern.isResolver(a.event)).count();
            sent += expected.size();
        }
        // both kinds occur: late resolvers of unfulfilled orders, and the many that resolve nothing
        assertThat(sent).isGreaterThan(20).isLessThan(resolvers / 2);
    }

    @Test
    void aLateFulfilmentOfAnUnfulfilledChargeGoesToTheIncidentsAndTheOrderIsForgottenAfterExpiry()
            throws Exception {
        List<Arrival> stream = List.of(
                new Arrival(event(EventKind.CHARGE, T0, "o-1", 1), T0 - 1),
                new Arrival(event(EventKind.FULFILMENT, T0 + 1_000, "o-2", 2), T0 - 1),
                new Arrival(event(EventKind.CHARGE, T0 + 1_000, "o-2", 3), T0 - 1),
                // o-1's fulfilment exactly at the deadline: CEP matched, the incident resolves
                new Arrival(event(EventKind.FULFILMENT, T0 + W, "o-1", 4), T0 + W + 1_000),
                new Arrival(event(EventKind.REFUND, T0 + 3 * W, "o-1", 5), T0 + 3 * W + 1_000));
        Screened s = screenThenCep(stream); // (also requires that no state or timer is left)
        assertThat(s.matches).containsExactly("charged_unfulfilled|m-1|o-1 @" + W + " [charge-o-1-1]");
        assertThat(s.resolverSignals).isEqualTo(resolversAfterAMatch(stream)).hasSize(2)
                .allMatch(r -> r.startsWith("charged_unfulfilled|m-1|o-1 "));
    }

    @Test
    void aChargeFulfilledWithinTheHoldNeverReachesCep() throws Exception {
        List<Arrival> stream = List.of(
                new Arrival(event(EventKind.FULFILMENT, T0, "o-1", 1), T0 - BOUND), // before its charge
                new Arrival(event(EventKind.CHARGE, T0, "o-1", 2), T0 - BOUND),
                new Arrival(event(EventKind.CHARGE, T0 + 1_000, "o-2", 3), T0 - BOUND),
                new Arrival(event(EventKind.FULFILMENT, T0 + 4_000, "o-2", 4), T0),
                new Arrival(event(EventKind.CHARGE, T0 + 2_000, "o-3", 5), T0),
                new Arrival(event(EventKind.FULFILMENT, T0 + 2_000 + W - 1, "o-3", 6), T0 + 1_000));
        Screened s = screenThenCep(stream);
        assertThat(s.matches).isEmpty();
        assertThat(cepAlone(stream)).isEmpty();
        // o-1 and o-2 stop at the screen; o-3's fulfilment comes after the hold, so CEP decides it
        assertThat(s.forwarded).isEqualTo(2);
    }

    @Test
    void anUnfulfilledChargeStillMatchesAtItsDeadline() throws Exception {
        List<Arrival> stream = List.of(new Arrival(event(EventKind.CHARGE, T0, "o-1", 1), T0 - 1));
        Screened s = screenThenCep(stream);
        assertThat(s.matches).containsExactly("charged_unfulfilled|m-1|o-1 @" + W + " [charge-o-1-1]");
        assertThat(s.matches).isEqualTo(cepAlone(stream));
    }
}
