package io.paywatch.jobs.rates;

import static io.paywatch.jobs.testing.Events.T0;
import static io.paywatch.jobs.testing.Events.failed;
import static io.paywatch.jobs.testing.Events.ok;
import static org.assertj.core.api.Assertions.assertThat;

import io.paywatch.jobs.PipelineTags;
import io.paywatch.jobs.control.ControlSignal;
import io.paywatch.jobs.metrics.MetricLines;
import io.paywatch.model.AlertJson;
import io.paywatch.model.PaymentEvent;
import io.paywatch.model.RuleSettings;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import io.paywatch.jobs.runtime.StateLayout;

/**
 * The rate functions' own state serializers: every field survives a round trip (nulls and
 * empty arrays included), copies are deep, and state an older build wrote with Flink's POJO
 * serializer restores — on both backends — into a function that then gives exactly what an
 * uninterrupted run gives.
 */
class RateStateSerializersTest {
    /** The rules' default bucket: the tests feed the rate function one payment per partial. */
    private static final long BUCKET_MS = RuleSettings.defaults().failureRate().everyMs;

    private static FailureCounts fullBucket() {
        FailureCounts c = new FailureCounts(T0);
        c.add(ok(T0 + 1, "m-1", "card"));
        c.add(failed(T0 + 2, "m-1", "card", "101"));
        c.add(failed(T0 + 3, "m-1", "wallet", "202"));
        c.add(failed(T0 + 4, "m-1", "wallet", "203"));
        return c;
    }

    private static <T> T roundTrip(TypeSerializer<T> s, T value) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        s.serialize(value, out);
        T read = s.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        // and the byte copy Flink uses between views gives the same bytes
        DataOutputSerializer copied = new DataOutputSerializer(64);
        s.copy(new DataInputDeserializer(out.getCopyOfBuffer()), copied);
        assertThat(copied.getCopyOfBuffer()).isEqualTo(out.getCopyOfBuffer());
        return read;
    }

    @Test
    void aBucketSurvivesARoundTripAndCopiesAreDeep() throws Exception {
        FailureCounts c = fullBucket();
        assertThat(c.codes).hasSize(3);
        assertThat(c.sampleIds).hasSize(3);
        assertThat(c.channels).containsExactly("card", "wallet");
        FailureCounts read = roundTrip(FailureCountsSerializer.INSTANCE, c);
        assertThat(read).usingRecursiveComparison().isEqualTo(c);

        FailureCounts copy = FailureCountsSerializer.INSTANCE.copy(c);
        assertThat(copy).usingRecursiveComparison().isEqualTo(c);
        copy.byCategory[0]++;
        copy.codeCounts[0]++;
        copy.channelFailed[0]++;
        assertThat(c.byCategory[0]).isNotEqualTo(copy.byCategory[0]);
        assertThat(c.codeCounts[0]).isNotEqualTo(copy.codeCounts[0]);
        assertThat(c.channelFailed[0]).isNotEqualTo(copy.channelFailed[0]);

        FailureCounts nulls = new FailureCounts(T0);
        nulls.codes = null;
        nulls.sampleTimes = null;
        nulls.codeCategories = null;
        nulls.channelFailed = null;
        assertThat(roundTrip(FailureCountsSerializer.INSTANCE, nulls)).usingRecursiveComparison().isEqualTo(nulls);
        assertThat(roundTrip(FailureCountsSerializer.INSTANCE, new FailureCounts()))
                .usingRecursiveComparison().isEqualTo(new FailureCounts());
    }

    @Test
    void aKeysBookkeepingSurvivesARoundTripWithAndWithoutItsParts() throws Exception {
        RateKeyState s = new RateKeyState();
        assertThat(roundTrip(RateKeyStateSerializer.INSTANCE, s)).usingRecursiveComparison().isEqualTo(s);
        s.nextEvaluation = T0 + 10_000;
        s.firingSeverity = "critical";
        s.firingSince = T0;
        s.partialWindow = fullBucket();
        s.partialWindowFor = T0 + 20_000;
        RateKeyState read = roundTrip(RateKeyStateSerializer.INSTANCE, s);
        assertThat(read).usingRecursiveComparison().isEqualTo(s);
        RateKeyState copy = RateKeyStateSerializer.INSTANCE.copy(s);
        copy.partialWindow.total++;
        assertThat(s.partialWindow.total).isNotEqualTo(copy.partialWindow.total);
    }

    @Test
    void aKeysBucketsOnTheHeapSurviveARoundTripAndCopiesAreDeep() throws Exception {
        RateKeyState s = new RateKeyState();
        s.nextEvaluation = T0 + 10_000;
        s.buckets = new RateBucketTable();
        for (long i = 100; i < 135; i++) {
            FailureCounts b = fullBucket();
            b.start = i * BUCKET_MS;
            b.total = (int) i;
            s.buckets.put(i, b);
        }
        s.buckets.put(100 + 64, fullBucket()); // shares a slot with 100: a probe chain
        s.buckets.remove(101);
        RateKeyState read = roundTrip(RateKeyStateSerializer.INSTANCE, s);
        assertThat(read.nextEvaluation).isEqualTo(s.nextEvaluation);
        assertThat(read.buckets.size()).isEqualTo(35);
        assertThat(read.buckets.indexes()).containsExactlyInAnyOrderElementsOf(s.buckets.indexes());
        for (long i : s.buckets.indexes()) {
            assertThat(read.buckets.get(i)).usingRecursiveComparison().isEqualTo(s.buckets.get(i));
        }
        RateKeyState copy = RateKeyStateSerializer.INSTANCE.copy(s);
        copy.buckets.get(102).total++;
        copy.buckets.remove(103);
        assertThat(s.buckets.get(102).total).isEqualTo(102);
        assertThat(s.buckets.get(103)).isNotNull();
        // the map layout's state (no table) reads as it was written
        assertThat(roundTrip(RateKeyStateSerializer.INSTANCE, new RateKeyState()).buckets).isNull();
    }

    @Test
    void theAdaptiveRulesStateSurvivesARoundTripAndStaysUnderTwoKilobytes() throws Exception {
        RateKeyState s = new RateKeyState();
        s.nextEvaluation = T0 + 10_000;
        s.adaptive = new AdaptiveKeyState(61);
        for (int m = 0; m < 75; m++) {
            s.adaptive.history.add(T0 + m * 60_000L, 100_000 + m, 5_000 + m, 70 + m,
                    m % 7 == 0 ? TrailingMinutes.ANOMALY_FIRED : 0);
        }
        s.adaptive.anomaly.severity = "warning";
        s.adaptive.anomaly.since = T0 + 4_000_000;
        s.adaptive.anomaly.baseline = 0.0123;
        s.adaptive.anomaly.lastHeld = T0 + 4_500_000;
        s.adaptive.drop.baseline = 412.5;
        s.adaptive.drop.lastHeld = T0;
        s.adaptive.noteChannels(new String[] {"wallet", "card", "bnpl", "qr", "bank_transfer"}, 29_923_800L, 0);
        RateKeyState read = roundTrip(RateKeyStateSerializer.INSTANCE, s);
        assertThat(read).usingRecursiveComparison().isEqualTo(s);
        RateKeyState copy = RateKeyStateSerializer.INSTANCE.copy(s);
        copy.adaptive.history.total[3]++;
        assertThat(copy.adaptive.history.total[3]).isNotEqualTo(s.adaptive.history.total[3]);
        // the budget: a key's state within 2 KB with a one-hour baseline
        var out = new org.apache.flink.core.memory.DataOutputSerializer(64);
        RateKeyStateSerializer.INSTANCE.serialize(s, out);
        assertThat(out.length()).isLessThan(2_048);
        // state of a build before the adaptive rules (no adaptive part) reads as it was written
        RateKeyState old = new RateKeyState();
        old.nextEvaluation = T0;
        assertThat(roundTrip(RateKeyStateSerializer.INSTANCE, old).adaptive).isNull();
    }

    @Test
    void thePojoSerializersSnapshotsAreReadByMigration() {
        var config = new SerializerConfigImpl();
        assertThat(FailureCountsSerializer.INSTANCE.snapshotConfiguration().resolveSchemaCompatibility(
                TypeInformation.of(FailureCounts.class).createSerializer(config).snapshotConfiguration())
                .isCompatibleAfterMigration()).isTrue();
        assertThat(RateKeyStateSerializer.INSTANCE.snapshotConfiguration().resolveSchemaCompatibility(
                TypeInformation.of(RateKeyState.class).createSerializer(config).snapshotConfiguration())
                .isCompatibleAfterMigration()).isTrue();
        assertThat(FailureCountsSerializer.INSTANCE.snapshotConfiguration().resolveSchemaCompatibility(
                FailureCountsSerializer.INSTANCE.snapshotConfiguration()).isCompatibleAsIs()).isTrue();
    }

    /** Functions run as builds before the evaluation calendar ran them: in Flink's operator, on keyed timers. */
    private static final java.util.Set<FailureRateFunction> ON_TIMERS =
            java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());

    private static FailureRateFunction onTimers(FailureRateFunction f) {
        ON_TIMERS.add(f);
        return f;
    }

    private static KeyedBroadcastOperatorTestHarness<String, RatePartial, ControlSignal, RateSnapshot> harness(
            FailureRateFunction f, String backend) throws Exception {
        var h = RateHarnesses.of(f, ON_TIMERS.contains(f), 1, 0);
        if (backend.equals("rocksdb")) {
            h.setStateBackend(new EmbeddedRocksDBStateBackend());
        }
        return h;
    }

    /** Seconds {@code from}–{@code to} of 2 payments/s on wallet, 80 % failing from 60 s to 180 s. */
    private static void traffic(KeyedBroadcastOperatorTestHarness<String, RatePartial, ControlSignal, RateSnapshot> h,
            int from, int to) throws Exception {
        for (int s = from; s < to; s++) {
            for (int k = 0; k < 2; k++) {
                long t = T0 + s * 1000L + k * 500;
                boolean outage = s >= 60 && s < 180 && (s * 2 + k) % 5 != 0;
                PaymentEvent e = outage ? failed(t, "m", "wallet", "203") : ok(t, "m", "wallet");
                e.eventId = "e-" + s + "-" + k; // the same ids in every run: they are the evidence
                h.processElement(new StreamRecord<>(RatePartial.of(e.channel, BUCKET_MS, e), t));
            }
            h.watermark(T0 + s * 1000L - 5_000);
        }
    }

    private static List<String> outputs(KeyedBroadcastOperatorTestHarness<String, RatePartial, ControlSignal, RateSnapshot> h) {
        List<String> out = new ArrayList<>();
        for (RateSnapshot r : h.extractOutputValues()) {
            out.add(String.join("\n", MetricLines.of(r, null)));
        }
        if (h.getSideOutput(PipelineTags.ALERTS) != null) {
            h.getSideOutput(PipelineTags.ALERTS).forEach(a -> out.add(AlertJson.toJson(a.getValue())));
        }
        return out;
    }

    /** The run from 120 s to 600 s of a function that saw the traffic from 0 s all along. */
    private static List<String> uninterrupted(FailureRateFunction f, String backend) throws Exception {
        try (var h = harness(f, backend)) {
            h.open();
            traffic(h, 0, 120);
            h.getOutput().clear();
            if (h.getSideOutput(PipelineTags.ALERTS) != null) {
                h.getSideOutput(PipelineTags.ALERTS).clear(); // the live queue: what came before the cut
            }
            traffic(h, 120, 600);
            return outputs(h);
        }
    }

    /**
     * The run from 120 s to 600 s of {@code after}, restored from a checkpoint {@code before}
     * took at 120 s, mid-incident: buckets, a firing severity and a partial window in state.
     */
    private static List<String> restored(FailureRateFunction before, String beforeBackend,
            FailureRateFunction after, String afterBackend) throws Exception {
        return restored(before, beforeBackend, after, afterBackend, false);
    }

    /**
     * @param writtenLate whether the checkpoint is written out only after the traffic of the next
     *     minute has changed the state (as a running job writes it, asynchronously): on the heap the
     *     key's buckets change in place, and none of those changes may reach the checkpoint
     */
    private static List<String> restored(FailureRateFunction before, String beforeBackend,
            FailureRateFunction after, String afterBackend, boolean writtenLate) throws Exception {
        OperatorSubtaskState old;
        try (var h = harness(before, beforeBackend)) {
            h.open();
            traffic(h, 0, 120);
            old = writtenLate ? io.paywatch.jobs.testing.Checkpoints.takenAround(h, 1, () -> traffic(h, 120, 180))
                    : h.snapshot(1, 1);
        }
        try (var h = harness(after, afterBackend)) {
            h.setup();
            h.initializeState(old);
            h.open();
            traffic(h, 120, 600);
            List<String> out = outputs(h);
            assertThat(out).anyMatch(l -> l.contains("\"status\":\"resolved\""));
            assertThat(out).hasSizeGreaterThan(50);
            return out;
        }
    }

    /**
     * A job that changes state backend through a savepoint changes the layout of the rate
     * buckets (in the key's state on the heap, a map state on RocksDB): the buckets move over
     * and the run continues exactly as one that never stopped, mid-incident, for both scopes
     * (a merchant's running totals, a channel's merged windows). The table layout is the heap
     * backend's only: it changes the key's state in place. (A savepoint taken on one backend
     * and restored on the other, which is when the layout changes in a job, cannot be made in a
     * harness: the heap backend's two layouts take the same paths.)
     */
    @ParameterizedTest
    @CsvSource({
        "heap, MAP, heap, TABLE, merchant", "heap, TABLE, heap, MAP, merchant", "heap, TABLE, heap, TABLE, merchant",
        "heap, MAP, heap, TABLE, channel", "heap, TABLE, heap, MAP, channel", "rocksdb, MAP, rocksdb, MAP, merchant"})
    void bucketsMoveOverBetweenTheLayoutsAndTheRunContinuesAsAnUninterruptedOne(String fromBackend,
            StateLayout from, String toBackend, StateLayout to, String scope) throws Exception {
        RuleSettings rules = RuleSettings.defaults();
        List<String> uninterrupted = uninterrupted(new FailureRateFunction(scope, rules, StateLayout.MAP), "heap");
        assertThat(uninterrupted(new FailureRateFunction(scope, rules, StateLayout.TABLE), "heap"))
                .as("both layouts give the same output").isEqualTo(uninterrupted);
        assertThat(restored(new FailureRateFunction(scope, rules, from), fromBackend,
                new FailureRateFunction(scope, rules, to), toBackend)).isEqualTo(uninterrupted);
    }

    @ParameterizedTest
    @CsvSource({"TABLE, merchant", "TABLE, channel", "MAP, merchant"})
    void aCheckpointWrittenWhileTheBucketsChangeHoldsTheStateOfItsBeginning(StateLayout layout, String scope)
            throws Exception {
        RuleSettings rules = RuleSettings.defaults();
        assertThat(restored(new FailureRateFunction(scope, rules, layout), "heap",
                new FailureRateFunction(scope, rules, layout), "heap", true))
                .isEqualTo(uninterrupted(new FailureRateFunction(scope, rules, layout), "heap"));
    }

    @Test
    void stateOfOlderBuildsIsWrittenInTheMapLayoutOnly() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new FailureRateFunction(RateSnapshot.CHANNEL,
                RuleSettings.defaults(), StateLayout.TABLE).withPojoState()).isInstanceOf(IllegalStateException.class);
    }

    @ParameterizedTest
    @CsvSource({"heap, MAP", "heap, TABLE", "rocksdb, MAP"})
    void rateStateOfThePojoSerializersRestoresAndContinuesAsAnUninterruptedRun(String backend, StateLayout layout)
            throws Exception {
        RuleSettings rules = RuleSettings.defaults();
        assertThat(restored(new FailureRateFunction(RateSnapshot.CHANNEL, rules).withPojoState(), backend,
                new FailureRateFunction(RateSnapshot.CHANNEL, rules, layout), backend))
                .isEqualTo(uninterrupted(new FailureRateFunction(RateSnapshot.CHANNEL, rules, layout), backend));
    }

    /**
     * A checkpoint of a build before the evaluation calendar holds a keyed timer for each key's
     * next evaluation and no calendar: the timers fire, the calendar rebuilt from the keys' state
     * lists the same evaluations, and the run continues exactly as one that never stopped (the
     * chain skips the second of the two). From the calendar's build to itself likewise, on both
     * backends: the calendar is rebuilt from the keys' state alone.
     */
    @ParameterizedTest
    @CsvSource({"heap, MAP, merchant, true", "heap, TABLE, merchant, true", "heap, TABLE, channel, true",
        "rocksdb, MAP, merchant, true", "heap, TABLE, merchant, false", "rocksdb, MAP, channel, false"})
    void evaluationsScheduledBeforeACheckpointContinueAfterIt(String backend, StateLayout layout, String scope,
            boolean olderBuild) throws Exception {
        RuleSettings rules = RuleSettings.defaults();
        FailureRateFunction before = new FailureRateFunction(scope, rules, layout);
        List<String> uninterrupted = uninterrupted(new FailureRateFunction(scope, rules, layout), backend);
        assertThat(uninterrupted(onTimers(new FailureRateFunction(scope, rules, layout)), backend))
                .as("the calendar evaluates as the timers did").isEqualTo(uninterrupted);
        assertThat(restored(olderBuild ? onTimers(before) : before, backend,
                new FailureRateFunction(scope, rules, layout), backend)).isEqualTo(uninterrupted);
    }

    /** The keys of {@link #sixKeys}: channels of the channel scope. */
    private static final List<String> SIX = List.of("card", "wallet", "bank", "upi", "paypal", "crypto");

    /**
     * Seconds {@code from}–{@code to} of six keys, each with its own outage, to the subtasks of
     * {@code subtasks} that own each key (at maximum parallelism 128), and the watermark to all.
     */
    private static void sixKeys(List<KeyedBroadcastOperatorTestHarness<String, RatePartial, ControlSignal, RateSnapshot>> subtasks,
            int from, int to) throws Exception {
        for (int s = from; s < to; s++) {
            for (int k = 0; k < SIX.size(); k++) {
                long t = T0 + s * 1000L + k * 100;
                String key = SIX.get(k);
                boolean outage = s >= 40 * k && s < 40 * k + 150 && s % 4 != 0;
                PaymentEvent e = outage ? failed(t, "m", key, "203") : ok(t, "m", key);
                e.eventId = "e-" + s + "-" + k;
                int owner = org.apache.flink.runtime.state.KeyGroupRangeAssignment.assignKeyToParallelOperator(
                        key, 128, subtasks.size());
                subtasks.get(owner).processElement(new StreamRecord<>(RatePartial.of(key, BUCKET_MS, e), t));
            }
            for (var h : subtasks) {
                h.watermark(T0 + s * 1000L - 5_000);
            }
        }
    }

    private static KeyedBroadcastOperatorTestHarness<String, RatePartial, ControlSignal, RateSnapshot> subtask(
            FailureRateFunction f, String backend, int parallelism, int index) throws Exception {
        var h = RateHarnesses.of(f, false, parallelism, index);
        if (backend.equals("rocksdb")) {
            h.setStateBackend(new EmbeddedRocksDBStateBackend());
        }
        return h;
    }

    /**
     * Rescaled from one subtask to two through a checkpoint mid-incident (six keys, firing at
     * different times): each subtask rebuilds the calendar of the keys it was given from their
     * state, and together they evaluate exactly what the single subtask would have.
     */
    @ParameterizedTest
    @CsvSource({"heap, TABLE, merchant", "heap, MAP, channel", "rocksdb, MAP, merchant"})
    void afterRescalingEachSubtaskEvaluatesItsKeysAsTheUninterruptedRunDid(String backend, StateLayout layout,
            String scope) throws Exception {
        RuleSettings rules = RuleSettings.defaults();
        List<String> uninterrupted;
        OperatorSubtaskState checkpoint;
        try (var single = subtask(new FailureRateFunction(scope, rules, layout), backend, 1, 0)) {
            single.open();
            sixKeys(List.of(single), 0, 120);
            checkpoint = single.snapshot(1, 1);
            single.getOutput().clear();
            if (single.getSideOutput(PipelineTags.ALERTS) != null) {
                single.getSideOutput(PipelineTags.ALERTS).clear();
            }
            sixKeys(List.of(single), 120, 600);
            uninterrupted = outputs(single);
        }
        List<KeyedBroadcastOperatorTestHarness<String, RatePartial, ControlSignal, RateSnapshot>> two = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                var h = subtask(new FailureRateFunction(scope, rules, layout), backend, 2, i);
                h.setup();
                h.initializeState(org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness
                        .repartitionOperatorState(checkpoint, 128, 1, 2, i));
                h.open();
                two.add(h);
            }
            sixKeys(two, 120, 600);
            List<String> rescaled = new ArrayList<>(outputs(two.get(0)));
            rescaled.addAll(outputs(two.get(1)));
            assertThat(outputs(two.get(0))).as("both subtasks have keys").isNotEmpty();
            assertThat(outputs(two.get(1))).isNotEmpty();
            assertThat(uninterrupted).anyMatch(l -> l.contains("\"status\":\"resolved\""));
            assertThat(rescaled).containsExactlyInAnyOrderElementsOf(uninterrupted);
        } finally {
            for (var h : two) {
                h.close();
            }
        }
    }

    /**
     * Irregular traffic of six keys: quiet spells of every length, events up to 4 s out of order
     * (so a key's earlier bucket often reports after a later one, and the calendar lists the key at
     * a time its chain then moves past), outages that fire and resolve. The calendar evaluates
     * exactly what keyed timers did: the same snapshots and alerts, none more, none fewer.
     */
    @ParameterizedTest
    @CsvSource({"TABLE, merchant", "MAP, channel"})
    void onIrregularTrafficTheCalendarEvaluatesExactlyWhatTheTimersDid(StateLayout layout, String scope)
            throws Exception {
        RuleSettings rules = RuleSettings.defaults();
        List<String> onTimers = irregular(onTimers(new FailureRateFunction(scope, rules, layout)));
        List<String> inCalendar = irregular(new FailureRateFunction(scope, rules, layout));
        assertThat(onTimers).anyMatch(l -> l.contains("\"status\":\"resolved\""));
        assertThat(onTimers).hasSizeGreaterThan(500);
        assertThat(inCalendar).containsExactlyInAnyOrderElementsOf(onTimers);
    }

    private static List<String> irregular(FailureRateFunction f) throws Exception {
        java.util.Random random = new java.util.Random(11);
        try (var h = harness(f, "heap")) {
            h.open();
            int quietUntil = 0;
            for (int s = 0; s < 1_500; s++) {
                if (s >= quietUntil && random.nextInt(60) == 0) {
                    quietUntil = s + random.nextInt(400); // a quiet spell of up to ~7 minutes
                }
                for (int k = 0; k < SIX.size(); k++) {
                    if (s < quietUntil && k < 4 || random.nextInt(3) == 0) {
                        continue;
                    }
                    long t = T0 + s * 1000L - random.nextInt(4_000);
                    String key = SIX.get(k);
                    boolean outage = (s / 200 + k) % 3 == 0 && random.nextInt(4) != 0;
                    PaymentEvent e = outage ? failed(t, "m", key, "203") : ok(t, "m", key);
                    e.eventId = "e-" + s + "-" + k;
                    h.processElement(new StreamRecord<>(RatePartial.of(key, BUCKET_MS, e), t));
                }
                h.watermark(T0 + s * 1000L - 5_000);
            }
            return outputs(h);
        }
    }
}
