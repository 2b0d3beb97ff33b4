package io.paywatch.jobs.rates;

import static io.paywatch.jobs.testing.Events.T0;
import static io.paywatch.jobs.testing.Events.failed;
import static io.paywatch.jobs.testing.Events.ok;
import static org.assertj.core.api.Assertions.assertThat;

import io.paywatch.jobs.PipelineTags;
import io.paywatch.model.Alert;
import io.paywatch.model.PaymentEvent;
import io.paywatch.model.RuleSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import io.paywatch.jobs.control.ControlSignal;
import io.paywatch.jobs.ingest.EndOfInput;
import io.paywatch.jobs.runtime.StateLayout;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Runs on the map layout of the buckets; {@link FailureRateFunctionTableLayoutTest} runs it all on the heap's table. */
class FailureRateFunctionTest {
    /** The rules' default bucket: the tests feed the rate function one payment per partial. */
    private static final long BUCKET_MS = RuleSettings.defaults().failureRate().everyMs;

    private KeyedBroadcastOperatorTestHarness<String, RatePartial, ControlSignal, RateSnapshot> harness;

    /** Where the function keeps its buckets. */
    StateLayout layout() {
        return StateLayout.MAP;
    }

    private KeyedBroadcastOperatorTestHarness<String, RatePartial, ControlSignal, RateSnapshot> harness(
            RuleSettings rules) throws Exception {
        KeyedBroadcastOperatorTestHarness<String, RatePartial, ControlSignal, RateSnapshot> h = RateHarnesses.of(
                new FailureRateFunction(RateSnapshot.CHANNEL, rules, layout()), onTimers(), 1, 0);
        h.open();
        return h;
    }

    /**
     * Whether the function runs in Flink's operator, its evaluations on keyed timers (a build
     * before the calendar), rather than in the job's {@link RateEvaluationOperator}.
     */
    boolean onTimers() {
        return false;
    }

    /** Evaluations waiting: keyed timers, and the calendar's. */
    private int scheduled() {
        return RateHarnesses.scheduled(harness);
    }

    @BeforeEach
    void setUp() throws Exception {
        harness = harness(RuleSettings.defaults());
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    private void send(PaymentEvent e) throws Exception {
        harness.processElement(new StreamRecord<>(RatePartial.of(e.channel, BUCKET_MS, e), e.eventTime));
    }

    private List<RateSnapshot> snapshots() {
        return harness.extractOutputValues();
    }

    private List<Alert> alerts() {
        return harness.getSideOutput(PipelineTags.ALERTS) == null ? List.of()
                : harness.getSideOutput(PipelineTags.ALERTS).stream().map(StreamRecord::getValue)
                        .collect(Collectors.toList());
    }

    @Test
    void steadyTrafficGivesAFullWindowAtEveryEvaluation() throws Exception {
        // 3 payments per second for 10 minutes, watermark following 5 s behind
        for (int s = 0; s < 600; s++) {
            for (int k = 0; k < 3; k++) {
                send(ok(T0 + s * 1000L + k * 300, "m", "wallet"));
            }
            harness.watermark(T0 + s * 1000L - 5_000);
        }
        List<RateSnapshot> out = snapshots();
        RateSnapshot last = out.get(out.size() - 1);
        assertThat(last.time).isEqualTo(T0 + 590_000);
        assertThat(last.counts.total).isEqualTo(900);
        for (RateSnapshot r : out) {
            long covered = Math.min(r.time - T0, 300_000);
            assertThat(r.counts.total).as("window at %d", r.time - T0).isEqualTo((int) (covered / 1000 * 3));
        }
        assertThat(alerts()).isEmpty();
    }

    @Test
    void firesOnceEscalatesAndResolvesWithDeterministicId() throws Exception {
        // 2 payments/s; from 60 s to 180 s, 80% fail with 203
        for (int s = 0; s < 600; s++) {
            for (int k = 0; k < 2; k++) {
                long t = T0 + s * 1000L + k * 500;
                boolean outage = s >= 60 && s < 180 && (s * 2 + k) % 5 != 0;
                send(outage ? failed(t, "m", "wallet", "203") : ok(t, "m", "wallet"));
            }
            harness.watermark(T0 + s * 1000L - 5_000);
        }
        harness.watermark(Long.MAX_VALUE);
        List<Alert> a = alerts();
        assertThat(a).extracting(x -> x.status + "/" + x.severity)
                .containsExactly("firing/warning", "firing/critical", "firing/warning", "resolved/warning");
        assertThat(a).extracting(x -> x.alertId).containsOnly(a.get(0).alertId);
        Alert first = a.get(0);
        assertThat(first.rule).isEqualTo("failure_rate");
        assertThat(first.scope).containsEntry("channel", "wallet");
        assertThat(first.threshold).isEqualTo(0.30);
        assertThat(first.value).isGreaterThanOrEqualTo(0.30);
        assertThat(first.recommendedAction).startsWith("Fail over to a backup channel");
        assertThat(first.evidenceByCode).containsKey("203");
        assertThat(first.evidenceEventIds).isNotEmpty().hasSizeLessThanOrEqualTo(20);
        Alert resolved = a.get(3);
        assertThat(resolved.endsAt).isGreaterThan(resolved.startsAt);
        assertThat(resolved.value).isLessThan(0.20);
        // starts_at is the evaluation time of the first breach: a multiple of 10 s
        assertThat(first.startsAt % 10_000).isZero();
    }

    @Test
    void atTheEndOfInputNothingIsEvaluatedBeyondWhatTheDataSupports() throws Exception {
        for (int i = 0; i < 60; i++) {
            send(failed(T0 + i * 1000L, "m", "card", "101"));
        }
        harness.watermark(T0 + 54_999);
        assertThat(alerts()).extracting(x -> x.status).containsExactly("firing");
        int evaluations = snapshots().size();
        // the gate: input ended; the data supports event time up to newest − 5 s − 1
        harness.processBroadcastElement(ControlSignal.of(EndOfInput.of(0, 1, T0 + 59_000 - 5_001)), T0 + 54_000);
        harness.watermark(Long.MAX_VALUE);
        // no drain of the window: the incident stays open, as in a live run at that point
        assertThat(alerts()).extracting(x -> x.status).containsExactly("firing");
        assertThat(snapshots()).hasSize(evaluations);
    }

    /** 4 payments a second on wallet, one in four failed, the watermark 5 s behind. */
    private void quarterFailing(int fromSecond, int toSecond) throws Exception {
        for (int s = fromSecond; s < toSecond; s++) {
            for (int k = 0; k < 4; k++) {
                long t = T0 + s * 1000L + k * 250;
                send(k == 0 ? failed(t, "m", "wallet", "202") : ok(t, "m", "wallet"));
            }
            harness.watermark(T0 + s * 1000L - 5_000);
        }
    }

    @Test
    void aThresholdChangedLiveTakesEffectAtTheNextEvaluation() throws Exception {
        // 4 payments/s, one in four failed: 0.25, below the default warning of 0.30
        int s = 200;
        quarterFailing(0, s);
        assertThat(alerts()).isEmpty();
        long evaluationsBefore = snapshots().size();
        String json = "{\"change_id\":\"chg-1\",\"failure_rate\":{\"overrides\":{\"channel\":"
                + "{\"wallet\":{\"warning\":0.2,\"resolve_below\":0.1}}}}}";
        harness.processBroadcastElement(ControlSignal.of(io.paywatch.model.RuleChange.parse(
                json.getBytes(java.nio.charset.StandardCharsets.UTF_8), T0, RuleSettings.defaults())),
                T0 + s * 1000L);
        quarterFailing(s, 212);
        s = 212;
        // one evaluation later (the watermark passed one more 10 s boundary), it fires
        assertThat(snapshots().size()).isEqualTo(evaluationsBefore + 1);
        assertThat(alerts()).singleElement().satisfies(a -> {
            assertThat(a.status).isEqualTo("firing");
            assertThat(a.threshold).isEqualTo(0.2);
            assertThat(a.startsAt).isEqualTo(snapshots().get(snapshots().size() - 1).time);
        });

        // back to the rules file (null): the incident resolves under the file's resolve_below
        // (0.20), not the override's 0.10
        String back = "{\"change_id\":\"chg-2\",\"failure_rate\":{\"overrides\":{\"channel\":"
                + "{\"wallet\":null}}}}";
        harness.processBroadcastElement(ControlSignal.of(io.paywatch.model.RuleChange.parse(
                back.getBytes(java.nio.charset.StandardCharsets.UTF_8), T0, RuleSettings.defaults())),
                T0 + s * 1000L);
        for (; s < 520; s++) {
            for (int k = 0; k < 4; k++) {
                send(ok(T0 + s * 1000L + k * 250, "m", "wallet"));
            }
            harness.watermark(T0 + s * 1000L - 5_000);
        }
        assertThat(alerts()).extracting(a -> a.status).containsExactly("firing", "resolved");
        assertThat(alerts().get(1).value).isLessThan(0.20).isGreaterThanOrEqualTo(0.10);
    }

    @Test
    void belowMinimumVolumeNeverFires() throws Exception {
        for (int i = 0; i < 19; i++) {
            send(failed(T0 + i * 1000L, "m", "qr", "203"));
        }
        harness.watermark(Long.MAX_VALUE);
        assertThat(alerts()).isEmpty();
        assertThat(snapshots()).isNotEmpty();
    }

    /** A watermark goes on only after the snapshots it made due: downstream, nothing is late. */
    @Test
    void theSnapshotsAWatermarkMakesDueGoOutBeforeIt() throws Exception {
        for (int i = 0; i < 40; i++) {
            send(ok(T0 + i * 1000L, "m", "card"));
        }
        harness.getOutput().clear();
        harness.watermark(T0 + 40_000);
        List<Object> out = new ArrayList<>(harness.getOutput());
        int mark = out.size() - 1;
        assertThat(out.get(mark)).isInstanceOf(org.apache.flink.streaming.api.watermark.Watermark.class);
        assertThat(out.subList(0, mark)).hasSizeGreaterThanOrEqualTo(3)
                .allMatch(StreamRecord.class::isInstance);
        assertThat(out.subList(0, mark)).allMatch(r -> ((StreamRecord<?>) r).getTimestamp() <= T0 + 40_000);
    }

    @Test
    void aKeyThatGoesQuietLeavesNoStateAndNoTimers() throws Exception {
        for (int i = 0; i < 40; i++) {
            send(failed(T0 + i * 1000L, "m", "card", "101"));
        }
        harness.watermark(T0 + 40_000);
        assertThat(alerts()).extracting(x -> x.status).containsExactly("firing");
        harness.watermark(T0 + 400_000);
        assertThat(alerts()).extracting(x -> x.status).containsExactly("firing", "resolved");
        var backend = harness.getOperator().getKeyedStateBackend();
        assertThat(((org.apache.flink.runtime.state.heap.HeapKeyedStateBackend<?>) backend)
                .numKeyValueStateEntries()).isZero();
        assertThat(scheduled()).isZero();
    }

    /**
     * An hour of a key's traffic with quiet spells of every length (the evaluation chain jumps
     * over empty windows) and payments running ahead of the watermark: buckets leave state one
     * per evaluation, so a key never holds more than its window plus what runs ahead.
     */
    @Test
    void aKeysBucketsStayBoundedThroughGapsAndEventsAhead() throws Exception {
        java.util.Random r = new java.util.Random(7);
        int maxBuckets = 0;
        for (int s = 0; s < 3_600; s++) {
            boolean quiet = (s / 60) % 7 == 3 || (s / 30) % 11 == 5; // gaps of 30 s to several minutes
            if (!quiet) {
                send(ok(T0 + s * 1000L + r.nextInt(25_000), "m", "wallet")); // up to 25 s ahead
            }
            harness.watermark(T0 + s * 1000L - 5_000);
            maxBuckets = Math.max(maxBuckets, bucketsInState());
        }
        assertThat(maxBuckets).isBetween(30, 30 + 4); // the window's, and up to 3 ahead of the watermark
        harness.watermark(T0 + 4_000_000);
        assertThat(bucketsInState()).isZero();
    }

    /** How many buckets the rate function holds in keyed state, over all keys. */
    private int bucketsInState() throws Exception {
        int[] n = {0};
        if (layout() == StateLayout.TABLE) {
            harness.getOperator().getKeyedStateBackend().applyToAllKeys(
                    org.apache.flink.runtime.state.VoidNamespace.INSTANCE,
                    org.apache.flink.runtime.state.VoidNamespaceSerializer.INSTANCE,
                    new org.apache.flink.api.common.state.ValueStateDescriptor<>("rate-key",
                            RateKeyStateSerializer.INSTANCE),
                    (key, st) -> n[0] += st.value().buckets.size());
            return n[0];
        }
        harness.getOperator().getKeyedStateBackend().applyToAllKeys(
                org.apache.flink.runtime.state.VoidNamespace.INSTANCE,
                org.apache.flink.runtime.state.VoidNamespaceSerializer.INSTANCE,
                new org.apache.flink.api.common.state.MapStateDescriptor<>("buckets",
                        org.apache.flink.api.common.typeutils.base.LongSerializer.INSTANCE,
                        FailureCountsSerializer.INSTANCE),
                (key, buckets) -> buckets.keys().forEach(i -> n[0]++));
        return n[0];
    }

    @Test
    void outOfOrderEventsWithinTheBoundAreCounted() throws Exception {
        send(ok(T0 + 12_000, "m", "card"));
        send(ok(T0 + 8_000, "m", "card")); // earlier bucket, arrives second
        harness.watermark(T0 + 30_000);
        List<RateSnapshot> out = snapshots();
        assertThat(out).extracting(r -> r.time - T0).startsWith(10_000L, 20_000L);
        assertThat(out.get(0).counts.total).isEqualTo(1);
        assertThat(out.get(1).counts.total).isEqualTo(2);
    }

    @Test
    void merchantOverridesApply() throws Exception {
        RuleSettings rules = RuleSettings.parseYaml(
                "failure_rate:\n  overrides:\n    channel:\n      card: {min_volume: 50}\n", "t");
        var h = harness(rules);
        List<PaymentEvent> events = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            events.add(failed(T0 + i * 1000L, "m", "card", "101"));
            events.add(failed(T0 + i * 1000L, "m", "qr", "101"));
        }
        for (PaymentEvent e : events) {
            h.processElement(new StreamRecord<>(RatePartial.of(e.channel, BUCKET_MS, e), e.eventTime));
        }
        h.watermark(Long.MAX_VALUE);
        List<Alert> a = h.getSideOutput(PipelineTags.ALERTS).stream().map(StreamRecord::getValue)
                .collect(Collectors.toList());
        assertThat(a).allMatch(x -> x.scope.get("channel").equals("qr"));
        assertThat(a).isNotEmpty();
        h.close();
    }

    /** A wave of insufficient-balance declines pages nobody on system_failure_rate; an outage does. */
    @Test
    void theSystemFailureRateMeasurePagesOnlyWhatSresCanFix() throws Exception {
        RuleSettings rules = RuleSettings.parseYaml("failure_rate:\n  measure: system_failure_rate\n"
                + "  overrides: {channel: {qr: {measure: failure_rate}}}\n", "t");
        var h = harness(rules);
        for (int i = 0; i < 60; i++) {
            long t = T0 + i * 1000L;
            for (PaymentEvent e : List.of(
                    i % 5 == 0 ? ok(t, "m", "card") : failed(t, "m", "card", "101"), // 80 % declined
                    i % 5 == 0 ? ok(t, "m", "wallet") : failed(t, "m", "wallet", "203"), // 80 % down
                    i % 5 == 0 ? ok(t, "m", "qr") : failed(t, "m", "qr", "101"))) { // all failures count
                h.processElement(new StreamRecord<>(RatePartial.of(e.channel, BUCKET_MS, e), e.eventTime));
            }
        }
        h.watermark(T0 + 60_000);
        List<Alert> a = h.getSideOutput(PipelineTags.ALERTS).stream().map(StreamRecord::getValue)
                .collect(Collectors.toList());
        assertThat(a).extracting(x -> x.scope.get("channel") + "/" + x.measure)
                .containsExactlyInAnyOrder("wallet/system_failure_rate", "qr/null");
        Alert wallet = a.stream().filter(x -> x.scope.get("channel").equals("wallet")).findFirst().orElseThrow();
        Alert qr = a.stream().filter(x -> x.scope.get("channel").equals("qr")).findFirst().orElseThrow();
        assertThat(wallet.summary).startsWith("Critical system failure rate 80.0% (16 of 20 payments"
                + " failed with system errors (timeout, system, unknown)) for channel wallet");
        assertThat(wallet.value).isEqualTo(0.8);
        assertThat(qr.summary).startsWith("Critical failure rate 80.0% (16 of 20 payments failed) for channel qr");
        h.close();
    }

    @Test
    void theMeasureChangedLiveDecidesFromTheNextEvaluationAndGoesBackWithTheOverride() throws Exception {
        halfDeclined(0, 60);
        assertThat(alerts()).extracting(a -> a.status + "/" + a.measure).containsExactly("firing/null");
        // the end-of-month wave: SREs page on system failures only for card, live
        change("{\"change_id\":\"chg-9\",\"failure_rate\":{\"overrides\":{\"channel\":"
                + "{\"card\":{\"measure\":\"system_failure_rate\"}}}}}", 60);
        halfDeclined(60, 75);
        // the first evaluation after the change judges the system rate (0 %): resolved
        assertThat(alerts()).extracting(a -> a.status + "/" + a.measure)
                .containsExactly("firing/null", "resolved/system_failure_rate");
        assertThat(alerts().get(1).value).isEqualTo(0.0);
        assertThat(alerts().get(1).endsAt).isEqualTo(T0 + 60_000);
        // back to the rules file: all failures count again, and it fires again
        change("{\"change_id\":\"chg-10\",\"failure_rate\":{\"overrides\":{\"channel\":{\"card\":null}}}}", 75);
        halfDeclined(75, 90);
        assertThat(alerts()).extracting(a -> a.status + "/" + a.measure)
                .containsExactly("firing/null", "resolved/system_failure_rate", "firing/null");
        assertThat(alerts().get(2).startsAt).isEqualTo(T0 + 70_000); // the first evaluation after it
    }

    /** card: half of the payments declined for insufficient balance (101, category user). */
    private void halfDeclined(int fromSecond, int toSecond) throws Exception {
        for (int s = fromSecond; s < toSecond; s++) {
            long t = T0 + s * 1000L;
            send(failed(t, "m", "card", "101"));
            send(ok(t + 500, "m", "card"));
            harness.watermark(t - 5_000);
        }
    }

    private void change(String json, int atSecond) throws Exception {
        harness.processBroadcastElement(ControlSignal.of(io.paywatch.model.RuleChange.parse(
                json.getBytes(java.nio.charset.StandardCharsets.UTF_8), T0, RuleSettings.defaults())),
                T0 + atSecond * 1000L);
    }
}
