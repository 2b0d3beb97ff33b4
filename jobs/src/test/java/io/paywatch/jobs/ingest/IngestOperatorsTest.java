package io.paywatch.jobs.ingest;

import static io.paywatch.jobs.testing.Events.T0;
import static io.paywatch.jobs.testing.Events.ok;
import static org.assertj.core.api.Assertions.assertThat;

import io.paywatch.jobs.PipelineTags;
import io.paywatch.jobs.runtime.StateLayout;
import io.paywatch.model.PaymentEvent;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** The late-event gate and the duplicate filter, on Flink's operator test harnesses. */
class IngestOperatorsTest {
    private static ParsedRecord valid(PaymentEvent e, int partition) {
        ParsedRecord r = ParsedRecord.valid(e, partition);
        r.rawText = "{raw " + e.eventId + "}";
        r.source = "f:" + e.eventId;
        return r;
    }

    private static OneInputStreamOperatorTestHarness<ParsedRecord, PaymentEvent> gate(
            SourcePartitions partitions) throws Exception {
        OneInputStreamOperatorTestHarness<ParsedRecord, PaymentEvent> h =
                new OneInputStreamOperatorTestHarness<>(
                        new EventTimeGate(5_000, 600_000, 30_000, 200, partitions));
        h.setProcessingTime(1_000);
        h.open();
        return h;
    }

    /** A gate opened at processing time 1 s, told by its coordinator that no other subtask reads. */
    private static OneInputStreamOperatorTestHarness<ParsedRecord, PaymentEvent> toldNobodyElseReads(
            EventTimeGate op) throws Exception {
        OneInputStreamOperatorTestHarness<ParsedRecord, PaymentEvent> h = new OneInputStreamOperatorTestHarness<>(op);
        h.setProcessingTime(1_000);
        h.open();
        op.handleOperatorEvent(new ReaderActivity.OthersReading(false));
        return h;
    }

    /** Moves processing time from {@code from} to {@code to} (both included) in the gate's 200 ms steps. */
    private static void stepTo(OneInputStreamOperatorTestHarness<?, ?> h, long from, long to) throws Exception {
        for (long t = from; t <= to; t += 200) {
            h.setProcessingTime(t);
        }
    }

    /** The gate has not marked its output idle (nor active again) so far. */
    private static void assertNoStatusYet(OneInputStreamOperatorTestHarness<?, ?> h) {
        assertThat(h.getOutput()).noneMatch(o -> o instanceof org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus);
    }

    /** The gate has marked its output idle. */
    private static void assertWentIdle(OneInputStreamOperatorTestHarness<?, ?> h) {
        assertThat(h.getOutput()).anyMatch(o -> o instanceof org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus
                && ((org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus) o).isIdle());
    }

    private static List<Long> watermarks(OneInputStreamOperatorTestHarness<?, ?> h) {
        return h.getOutput().stream()
                .filter(o -> o instanceof org.apache.flink.streaming.api.watermark.Watermark)
                .map(o -> ((org.apache.flink.streaming.api.watermark.Watermark) o).getTimestamp())
                .collect(Collectors.toList());
    }

    @Test
    void theGatePassesOnTimeEventsAndSortsOutRejectsAndLateOnes() throws Exception {
        OneInputStreamOperatorTestHarness<ParsedRecord, PaymentEvent> h =
                gate(SourcePartitions.kafka("t", 2));
        PaymentEvent first = ok(T0 + 100_000, "m", "card");
        h.processElement(new StreamRecord<>(valid(first, 0), first.eventTime));
        PaymentEvent slightlyOut = ok(T0 + 96_000, "m", "card"); // within the 5 s bound
        h.processElement(new StreamRecord<>(valid(slightlyOut, 0), slightlyOut.eventTime));
        PaymentEvent late = ok(T0 + 60_000, "m", "card"); // 40 s behind: may be a redelivery
        h.processElement(new StreamRecord<>(valid(late, 0), late.eventTime));
        PaymentEvent ancient = ok(T0 - 3_600_000, "m", "card"); // beyond the dedup horizon
        h.processElement(new StreamRecord<>(valid(ancient, 0), ancient.eventTime));
        PaymentEvent otherPartition = ok(T0 + 10_000, "m", "card"); // its partition's first
        h.processElement(new StreamRecord<>(valid(otherPartition, 1), otherPartition.eventTime));
        h.processElement(new StreamRecord<>(ParsedRecord.rejected(
                DeadLetter.of(Rejection.INVALID_JSON, null, "bad", "{", "f:9"), 0)));

        assertThat(h.extractOutputValues()).extracting(e -> e.eventId)
                .containsExactly(first.eventId, slightlyOut.eventId, otherPartition.eventId);
        List<LateEvent> lateOut = h.getSideOutput(PipelineTags.LATE_EVENTS).stream()
                .map(StreamRecord::getValue).collect(Collectors.toList());
        assertThat(lateOut).extracting(l -> l.event.eventId).containsExactly(late.eventId);
        assertThat(lateOut.get(0).deadLetter.reason).isEqualTo("late");
        assertThat(lateOut.get(0).deadLetter.input).isEqualTo("{raw " + late.eventId + "}");
        assertThat(lateOut.get(0).tallyTime).isEqualTo(T0 + 100_000);
        List<DeadLetter> dead = h.getSideOutput(PipelineTags.DEAD_LETTERS).stream()
                .map(StreamRecord::getValue).collect(Collectors.toList());
        assertThat(dead).extracting(d -> d.reason).containsExactly("late", "invalid_json");
        assertThat(dead.get(0).source).isEqualTo("f:" + ancient.eventId);
        List<InputOutcome> outcomes = h.getSideOutput(PipelineTags.INPUT_OUTCOMES).stream()
                .map(StreamRecord::getValue).collect(Collectors.toList());
        assertThat(outcomes).extracting(o -> o.kind).containsExactly(InputOutcome.LATE, InputOutcome.REJECTED);
        h.close();
    }

    @Test
    void watermarksWaitForEveryAssignedPartitionAndIgnoreIdleOnes() throws Exception {
        OneInputStreamOperatorTestHarness<ParsedRecord, PaymentEvent> h =
                gate(SourcePartitions.kafka("payments", 2)); // parallelism 1: both partitions
        PaymentEvent a = ok(T0 + 100_000, "m", "card");
        h.processElement(new StreamRecord<>(valid(a, 0), a.eventTime));
        h.setProcessingTime(1_200);
        assertThat(watermarks(h)).isEmpty(); // partition 1 has not spoken yet: hold back
        // partition 1 starts far behind: its events are on time, not late
        PaymentEvent b = ok(T0 + 20_000, "m", "card");
        h.processElement(new StreamRecord<>(valid(b, 1), b.eventTime));
        assertThat(h.extractOutputValues()).extracting(e -> e.eventId).containsExactly(a.eventId, b.eventId);
        h.setProcessingTime(1_400);
        assertThat(watermarks(h)).containsExactly(T0 + 20_000 - 5_001);
        // partition 1 falls silent: after the idle timeout the watermark follows partition 0
        for (long t = 1_600; t <= 40_000; t += 200) {
            if (t % 1_000 == 0) {
                PaymentEvent c = ok(T0 + 100_000 + t, "m", "card");
                h.processElement(new StreamRecord<>(valid(c, 0), c.eventTime));
            }
            h.setProcessingTime(t);
        }
        List<Long> wms = watermarks(h);
        assertThat(wms.get(wms.size() - 1)).isEqualTo(T0 + 100_000 + 40_000 - 5_001);
        // a straggler of the idle partition is now behind the watermark: late
        PaymentEvent straggler = ok(T0 + 21_000, "m", "card");
        h.processElement(new StreamRecord<>(valid(straggler, 1), straggler.eventTime));
        assertThat(h.extractOutputValues()).extracting(e -> e.eventId).doesNotContain(straggler.eventId);
        h.close();
    }

    /**
     * One event on each of two partitions, then no record until {@code silentUntil} (processing
     * time); returns the watermark the two events gave.
     */
    private static long bothPartitionsThenSilence(OneInputStreamOperatorTestHarness<ParsedRecord, PaymentEvent> h,
            long silentUntil) throws Exception {
        PaymentEvent a = ok(T0 + 100_000, "m", "card");
        PaymentEvent b = ok(T0 + 100_000, "m", "card");
        h.processElement(new StreamRecord<>(valid(a, 0), a.eventTime));
        h.processElement(new StreamRecord<>(valid(b, 1), b.eventTime));
        h.setProcessingTime(1_200);
        long before = T0 + 100_000 - 5_001;
        assertThat(watermarks(h)).containsExactly(before);
        for (long t = 1_400; t <= silentUntil; t += 200) {
            h.setProcessingTime(t);
        }
        return before;
    }

    /**
     * Both partitions idle while other subtasks read (or, as here, no coordinator says otherwise),
     * then one comes back first with a backlog far ahead in event time. The watermark stays put
     * for the grace period (10 s), so the other partition's first records are still on time.
     */
    @Test
    void afterTheWholeInputWasIdleTheWatermarkWaitsOneIdleTimeoutForThePartitionsToReturn() throws Exception {
        OneInputStreamOperatorTestHarness<ParsedRecord, PaymentEvent> h = gate(SourcePartitions.kafka("t", 2));
        long before = bothPartitionsThenSilence(h, 46_000); // 45 s: every partition idle
        assertWentIdle(h);
        // partition 0 is back with ten minutes of backlog
        for (int i = 0; i < 600; i++) {
            PaymentEvent c = ok(T0 + 101_000 + i * 1_000L, "m", "card");
            h.processElement(new StreamRecord<>(valid(c, 0), c.eventTime));
        }
        for (long t = 46_200; t <= 54_000; t += 200) {
            h.setProcessingTime(t);
        }
        assertThat(watermarks(h)).containsExactly(before); // held: partition 1 has not spoken yet
        // partition 1 returns 8 s later: its records are on time
        PaymentEvent d = ok(T0 + 101_000, "m", "card");
        h.processElement(new StreamRecord<>(valid(d, 1), d.eventTime));
        assertThat(h.extractOutputValues()).extracting(e -> e.eventId).contains(d.eventId);
        // after the grace, the watermark moves on, with both partitions
        for (long t = 54_200; t <= 60_000; t += 200) {
            h.setProcessingTime(t);
        }
        assertThat(watermarks(h)).last().isEqualTo(T0 + 101_000 - 5_001);
        h.close();
    }

    /**
     * A broker outage as the coordinator reports it: no other subtask reads either. No partition
     * turns idle, so the one that reconnects 15 s after the other (beyond the 10 s grace that
     * used to be all it had) still finds event time where the outage left it.
     */
    @Test
    void aBrokerOutageTurnsNoPartitionIdleSoTheSlowerOneToReconnectIsStillOnTime() throws Exception {
        OneInputStreamOperatorTestHarness<ParsedRecord, PaymentEvent> h =
                toldNobodyElseReads(new EventTimeGate(5_000, 600_000, 30_000, 200, SourcePartitions.kafka("t", 2)));
        long before = bothPartitionsThenSilence(h, 300_000); // five minutes
        assertNoStatusYet(h);
        // partition 0 is back with ten minutes of backlog; partition 1 takes 15 s longer
        for (int i = 0; i < 600; i++) {
            PaymentEvent c = ok(T0 + 101_000 + i * 1_000L, "m", "card");
            h.processElement(new StreamRecord<>(valid(c, 0), c.eventTime));
        }
        for (long t = 300_200; t <= 315_000; t += 200) {
            h.setProcessingTime(t);
        }
        assertThat(watermarks(h)).containsExactly(before);
        PaymentEvent d = ok(T0 + 101_000, "m", "card");
        h.processElement(new StreamRecord<>(valid(d, 1), d.eventTime));
        assertThat(h.extractOutputValues()).extracting(e -> e.eventId).contains(d.eventId);
        h.setProcessingTime(315_200);
        assertThat(watermarks(h)).last().isEqualTo(T0 + 101_000 - 5_001);
        h.close();
    }

    /** Another subtask reads on while this one's only partition is silent: it turns idle. */
    @Test
    void aSilentPartitionTurnsIdleWhileAnotherSubtaskReads() throws Exception {
        EventTimeGate op = new EventTimeGate(5_000, 600_000, 30_000, 200, SourcePartitions.kafka("t", 1));
        OneInputStreamOperatorTestHarness<ParsedRecord, PaymentEvent> h = toldNobodyElseReads(op);
        PaymentEvent a = ok(T0, "m", "card");
        h.processElement(new StreamRecord<>(valid(a, 0), a.eventTime));
        stepTo(h, 1_200, 60_000);
        assertNoStatusYet(h);
        op.handleOperatorEvent(new ReaderActivity.OthersReading(true));
        // its clock counted the first 10 s of the silence (its own reading window): 20 s to go
        stepTo(h, 60_200, 79_800);
        assertNoStatusYet(h);
        h.setProcessingTime(80_000);
        assertWentIdle(h);
        h.close();
    }

    /**
     * A reader whose task is backpressured is silent because it may not read: its partition
     * does not turn idle for that time (the others' watermark would pass its waiting records).
     */
    @Test
    void aBackpressuredReadersSilenceDoesNotCountTowardsIdleness() throws Exception {
        EventTimeGate op = new EventTimeGate(5_000, 600_000, 30_000, 200, SourcePartitions.kafka("t", 1));
        OneInputStreamOperatorTestHarness<ParsedRecord, PaymentEvent> h = new OneInputStreamOperatorTestHarness<>(op);
        h.setProcessingTime(1_000);
        h.open();
        op.handleOperatorEvent(new ReaderActivity.OthersReading(true)); // another subtask reads on
        PaymentEvent a = ok(T0, "m", "card");
        h.processElement(new StreamRecord<>(valid(a, 0), a.eventTime));
        org.apache.flink.runtime.metrics.TimerGauge backpressure =
                h.getEnvironment().getMetricGroup().getIOMetricGroup().getHardBackPressuredTimePerSecond();
        h.setProcessingTime(11_000); // 10 s of silence counted
        backpressure.markStart();
        stepTo(h, 11_200, 71_000); // a minute backpressured: not counted
        backpressure.markEnd();
        assertNoStatusYet(h);
        stepTo(h, 71_200, 90_800);
        assertNoStatusYet(h);
        h.setProcessingTime(91_000); // 30 s of silence while it could read
        assertWentIdle(h);
        h.close();
    }

    /**
     * What the gate tells its coordinator: reading while a record came within the reading window
     * of wall-clock time. A backpressured subtask stops counting as reading like a disconnected
     * one, though its own idle clock stands still: it must not keep the other subtasks' idle
     * clocks running through an outage.
     */
    @Test
    void aBackpressuredSubtaskStopsTellingTheCoordinatorItReads() throws Exception {
        EventTimeGate op = new EventTimeGate(5_000, 600_000, 30_000, 200, SourcePartitions.kafka("t", 1));
        List<Boolean> told = new java.util.ArrayList<>();
        op.connect(event -> told.add(((ReaderActivity.Reading) event).reading()));
        OneInputStreamOperatorTestHarness<ParsedRecord, PaymentEvent> h = new OneInputStreamOperatorTestHarness<>(op);
        h.setProcessingTime(1_000);
        h.open();
        PaymentEvent a = ok(T0, "m", "card");
        h.processElement(new StreamRecord<>(valid(a, 0), a.eventTime));
        h.setProcessingTime(1_200);
        assertThat(told).last().isEqualTo(true);
        h.getEnvironment().getMetricGroup().getIOMetricGroup().getSoftBackPressuredTimePerSecond().markStart();
        stepTo(h, 1_400, 10_800); // the reading window: 10 s after the record
        assertThat(told).last().isEqualTo(true);
        h.setProcessingTime(11_200);
        assertThat(told).last().isEqualTo(false);
        h.close();
    }

    /** A sparse stream, a record every 45 s: each still moves event time, a grace period later. */
    @Test
    void aSparseStreamStillMovesEventTimeAtEveryRecord() throws Exception {
        OneInputStreamOperatorTestHarness<ParsedRecord, PaymentEvent> h = gate(SourcePartitions.kafka("t", 1));
        long pt = 1_000;
        for (int i = 1; i <= 4; i++) {
            PaymentEvent e = ok(T0 + i * 45_000L, "m", "card");
            h.processElement(new StreamRecord<>(valid(e, 0), e.eventTime));
            long arrived = pt;
            for (; pt < arrived + 45_000; pt += 200) {
                h.setProcessingTime(pt);
                if (watermarks(h).contains(e.eventTime - 5_001)) {
                    break;
                }
            }
            assertThat(watermarks(h)).as("record " + i).contains(e.eventTime - 5_001);
            assertThat(pt - arrived).as("record " + i + " moved event time after").isLessThanOrEqualTo(10_400);
            for (; pt < arrived + 45_000; pt += 200) {
                h.setProcessingTime(pt); // the rest of the quiet spell: idle again
            }
        }
        h.close();
    }

    @Test
    void allPartitionsIdleMarksTheStreamIdle() throws Exception {
        OneInputStreamOperatorTestHarness<ParsedRecord, PaymentEvent> h = gate(SourcePartitions.kafka("t", 1));
        PaymentEvent a = ok(T0, "m", "card");
        h.processElement(new StreamRecord<>(valid(a, 0), a.eventTime));
        h.setProcessingTime(40_000);
        assertWentIdle(h);
        h.close();
    }

    @Test
    void whenTrafficStopsEventTimeFollowsTheWallClockBoundedByTheIdleAdvance() throws Exception {
        OneInputStreamOperatorTestHarness<ParsedRecord, PaymentEvent> h =
                new OneInputStreamOperatorTestHarness<>(new EventTimeGate(5_000, 600_000, 30_000, 200,
                        SourcePartitions.kafka("t", 1), 1_800_000));
        h.setProcessingTime(T0);
        h.open();
        PaymentEvent last = ok(T0, "m", "card");
        h.processElement(new StreamRecord<>(valid(last, 0), last.eventTime));
        h.setProcessingTime(T0 + 1_000);
        assertThat(watermarks(h)).containsExactly(T0 - 5_001);
        h.setProcessingTime(T0 + 60_000); // idle for 30 s and more: follow the clock
        assertThat(watermarks(h)).last().isEqualTo(T0 + 60_000 - 5_001);
        h.setProcessingTime(T0 + 3 * 3_600_000); // hours later: no further than 30 min
        assertThat(watermarks(h)).last().isEqualTo(T0 + 1_800_000);
        // an event from before the advanced watermark is late now
        PaymentEvent straggler = ok(T0 + 600_000, "m", "card");
        h.processElement(new StreamRecord<>(valid(straggler, 0), straggler.eventTime));
        assertThat(h.extractOutputValues()).extracting(e -> e.eventId).containsExactly(last.eventId);
        h.close();
    }

    @Test
    void partitionMaximaSurviveARestore() throws Exception {
        OneInputStreamOperatorTestHarness<ParsedRecord, PaymentEvent> h = gate(SourcePartitions.single());
        PaymentEvent a = ok(T0 + 100_000, "m", "card");
        h.processElement(new StreamRecord<>(valid(a, 0), a.eventTime));
        org.apache.flink.runtime.checkpoint.OperatorSubtaskState snapshot = h.snapshot(1, 1);
        h.close();
        OneInputStreamOperatorTestHarness<ParsedRecord, PaymentEvent> restored =
                new OneInputStreamOperatorTestHarness<>(
                        new EventTimeGate(5_000, 600_000, 30_000, 200, SourcePartitions.single()));
        restored.initializeState(snapshot);
        restored.open();
        PaymentEvent old = ok(T0 + 60_000, "m", "card");
        restored.processElement(new StreamRecord<>(valid(old, 0), old.eventTime));
        assertThat(restored.extractOutputValues()).isEmpty(); // still late after the restart
        assertThat(restored.getSideOutput(PipelineTags.LATE_EVENTS)).hasSize(1);
        restored.close();
    }

    private KeyedTwoInputStreamOperatorTestHarness<String, PaymentEvent, LateEvent, PaymentEvent> dedup(
            StateLayout layout) throws Exception {
        return dedup(layout, null);
    }

    /** A dedup of {@code layout}, restored from {@code snapshot} unless it is null. */
    private KeyedTwoInputStreamOperatorTestHarness<String, PaymentEvent, LateEvent, PaymentEvent> dedup(
            StateLayout layout, OperatorSubtaskState snapshot) throws Exception {
        KeyedTwoInputStreamOperatorTestHarness<String, PaymentEvent, LateEvent, PaymentEvent> h =
                new KeyedTwoInputStreamOperatorTestHarness<>(
                        new KeyedCoProcessOperator<>(new DuplicateFilter(600_000, layout)),
                        e -> e.merchantId, l -> l.event.merchantId, Types.STRING);
        if (snapshot != null) {
            h.initializeState(snapshot);
        }
        h.open();
        return h;
    }

    private static PaymentEvent copyOf(PaymentEvent e, long time) {
        PaymentEvent c = ok(time, e.merchantId, e.channel);
        c.eventId = e.eventId;
        return c;
    }

    private static LateEvent late(PaymentEvent e, String source, long tallyTime) {
        LateEvent l = new LateEvent();
        l.event = e;
        l.deadLetter = DeadLetter.of(Rejection.LATE, "event_time", "late", "{}", source);
        l.tallyTime = tallyTime;
        return l;
    }

    private static void watermark(KeyedTwoInputStreamOperatorTestHarness<String, PaymentEvent, LateEvent, PaymentEvent> h,
            long time) throws Exception {
        h.processWatermark1(new org.apache.flink.streaming.api.watermark.Watermark(time));
        h.processWatermark2(new org.apache.flink.streaming.api.watermark.Watermark(time));
    }

    @ParameterizedTest
    @EnumSource(StateLayout.class)
    void dropsAndCountsRedeliveriesWithinTenMinutesAndForgetsThemAfterwards(StateLayout layout) throws Exception {
        var h = dedup(layout);
        PaymentEvent e = ok(T0, "m", "card");
        h.processElement1(new StreamRecord<>(e, e.eventTime));
        h.processElement1(new StreamRecord<>(copyOf(e, T0 + 2_000), T0 + 2_000)); // duplicate
        LateEvent redelivery = late(copyOf(e, T0), "x", T0 + 40_000);
        h.processElement2(new StreamRecord<>(redelivery, T0)); // late, but a duplicate
        PaymentEvent other = ok(T0 + 1_000, "m", "card");
        LateEvent trulyLate = late(other, "y", T0 + 40_000);
        h.processElement2(new StreamRecord<>(trulyLate, other.eventTime));
        // both ahead of the watermark: held until it reaches them
        assertThat(h.getSideOutput(PipelineTags.INPUT_OUTCOMES)).hasSize(2);
        watermark(h, T0 + 1_000);

        assertThat(h.extractOutputValues()).extracting(x -> x.eventId).containsExactly(e.eventId);
        List<InputOutcome> outcomes = h.getSideOutput(PipelineTags.INPUT_OUTCOMES).stream()
                .map(StreamRecord::getValue).collect(Collectors.toList());
        assertThat(outcomes).extracting(o -> o.kind).containsExactly(InputOutcome.ACCEPTED,
                InputOutcome.DUPLICATE, InputOutcome.DUPLICATE, InputOutcome.LATE);
        assertThat(h.getSideOutput(PipelineTags.DEAD_LETTERS)).extracting(r -> r.getValue().source)
                .containsExactly("y");

        // after the horizon the id is forgotten: no state, no timers are left behind
        watermark(h, T0 + 600_000);
        assertThat(h.numKeyedStateEntries()).isZero();
        assertThat(h.numEventTimeTimers()).isZero();
        h.processElement1(new StreamRecord<>(copyOf(e, T0 + 600_001), T0 + 600_001));
        assertThat(h.extractOutputValues()).hasSize(2);
        h.close();
    }

    @ParameterizedTest
    @EnumSource(StateLayout.class)
    void theSameIdMoreThanTenMinutesApartIsANewEvent(StateLayout layout) throws Exception {
        var h = dedup(layout);
        PaymentEvent e = ok(T0, "m", "card");
        h.processElement1(new StreamRecord<>(e, e.eventTime));
        h.processElement1(new StreamRecord<>(copyOf(e, T0 + 600_001), T0 + 600_001));
        assertThat(h.extractOutputValues()).hasSize(2);
        h.close();
    }

    @ParameterizedTest
    @EnumSource(StateLayout.class)
    void cleanupIsOneTimerPerMerchantAndHalfHorizonNotOnePerEvent(StateLayout layout) throws Exception {
        var h = dedup(layout);
        for (int i = 0; i < 1_000; i++) {
            PaymentEvent e = ok(T0 + 1_000 + i * 50L, i % 2 == 0 ? "m-1" : "m-2", "card"); // 50 s of traffic
            h.processElement1(new StreamRecord<>(e, e.eventTime));
        }
        assertThat(h.extractOutputValues()).hasSize(1_000);
        // per merchant, the first multiple of 5 min (half the horizon) after T0 + 10 min 51 s
        assertThat(h.numEventTimeTimers()).isEqualTo(2);
        watermark(h, T0 + 899_999);
        assertThat(h.numKeyedStateEntries()).isEqualTo(2); // forgotten, but not yet removed
        watermark(h, T0 + 900_000);
        assertThat(h.numKeyedStateEntries()).isZero();
        h.close();
    }

    @ParameterizedTest
    @EnumSource(StateLayout.class)
    void anIdPastItsHorizonAtTheWatermarkIsForgottenBeforeItsCleanupTimerFires(StateLayout layout) throws Exception {
        var h = dedup(layout);
        PaymentEvent e = ok(T0 + 1_000, "m", "card");
        h.processElement1(new StreamRecord<>(e, e.eventTime));
        // the watermark passes first-seen + horizon, but not yet the cleanup timer
        watermark(h, T0 + 601_000);
        assertThat(h.numKeyedStateEntries()).isEqualTo(1);
        LateEvent redelivery = late(copyOf(e, T0 + 1_000), "r", T0 + 601_000);
        h.processElement2(new StreamRecord<>(redelivery, T0 + 1_000));
        // as if its state were gone: late, not a duplicate (the same decision on every run)
        assertThat(h.getSideOutput(PipelineTags.DEAD_LETTERS)).extracting(r -> r.getValue().source)
                .containsExactly("r");
        h.close();
    }

    @ParameterizedTest
    @CsvSource({"MAP, TABLE", "TABLE, MAP", "TABLE, TABLE", "MAP, MAP"})
    void eitherIdLayoutRestoresFromASnapshotOfTheOtherAndForgetsAsBefore(
            StateLayout before, StateLayout after) throws Exception {
        var h = dedup(before);
        PaymentEvent seenOnTime = ok(T0 + 1_000, "m-1", "card");
        PaymentEvent seenLate = ok(T0 + 2_000, "m-2", "card");
        PaymentEvent quiet = ok(T0 + 3_000, "m-3", "card"); // its merchant sends nothing after the restore
        for (PaymentEvent e : List.of(seenOnTime, seenLate, quiet)) {
            h.processElement1(new StreamRecord<>(e, e.eventTime));
        }
        OperatorSubtaskState snapshot = h.snapshot(1, T0 + 4_000);
        h.close();

        var restored = dedup(after, snapshot);
        restored.processElement1(new StreamRecord<>(copyOf(seenOnTime, T0 + 5_000), T0 + 5_000));
        PaymentEvent fresh = ok(T0 + 6_000, "m-1", "card");
        restored.processElement1(new StreamRecord<>(fresh, fresh.eventTime));
        LateEvent redelivery = late(copyOf(seenLate, T0 + 2_000), "r", T0 + 7_000);
        watermark(restored, T0 + 2_000);
        restored.processElement2(new StreamRecord<>(redelivery, T0 + 2_000));
        assertThat(restored.extractOutputValues()).extracting(x -> x.eventId).containsExactly(fresh.eventId);
        assertThat(restored.getSideOutput(PipelineTags.INPUT_OUTCOMES)).extracting(r -> r.getValue().kind)
                .containsExactly(InputOutcome.DUPLICATE, InputOutcome.ACCEPTED, InputOutcome.DUPLICATE);
        assertThat(restored.getSideOutput(PipelineTags.DEAD_LETTERS)).isNull();

        // every merchant's ids leave with their cleanup timers, moved over or not
        watermark(restored, T0 + 900_000);
        assertThat(restored.numKeyedStateEntries()).isZero();
        assertThat(restored.numEventTimeTimers()).isZero();
        restored.close();
    }

    /**
     * A late copy (late on its own partition) can reach dedup through its exchange before its
     * on-time original through the other: it is held until the watermark reaches its time, and is
     * then the duplicate, whatever the order of arrival.
     */
    @ParameterizedTest
    @EnumSource(StateLayout.class)
    void aLateCopyThatOvertakesItsOriginalIsStillTheDuplicate(StateLayout layout) throws Exception {
        var h = dedup(layout);
        watermark(h, T0 - 3_000);
        PaymentEvent original = ok(T0, "m", "card");
        h.processElement2(new StreamRecord<>(late(copyOf(original, T0), "copy", T0 + 9_000), T0));
        assertThat(h.getSideOutput(PipelineTags.INPUT_OUTCOMES)).isNull();
        h.processElement1(new StreamRecord<>(original, T0));
        watermark(h, T0);

        assertThat(h.extractOutputValues()).extracting(x -> x.eventId).containsExactly(original.eventId);
        assertThat(h.getSideOutput(PipelineTags.INPUT_OUTCOMES)).extracting(r -> r.getValue().kind)
                .containsExactly(InputOutcome.ACCEPTED, InputOutcome.DUPLICATE);
        assertThat(h.getSideOutput(PipelineTags.INPUT_OUTCOMES)).extracting(r -> r.getValue().time)
                .containsExactly(T0, T0 + 9_000);
        assertThat(h.getSideOutput(PipelineTags.DEAD_LETTERS)).isNull();
        h.close();
    }

    /**
     * A held late event outlives a checkpoint; a genuinely late one is dead-lettered when the
     * watermark reaches it, and a redelivery is still the duplicate when the watermark jumps to the
     * end of input: each is decided as of its own time.
     */
    @ParameterizedTest
    @CsvSource({"MAP, TABLE", "TABLE, MAP", "TABLE, TABLE", "MAP, MAP"})
    void heldLateEventsSurviveARestoreAndAreDecidedAsOfTheirOwnTime(StateLayout before, StateLayout after)
            throws Exception {
        var h = dedup(before);
        watermark(h, T0 - 3_000);
        PaymentEvent original = ok(T0, "m-1", "card");
        h.processElement1(new StreamRecord<>(original, T0));
        PaymentEvent lost = ok(T0 + 1_000, "m-2", "card");
        h.processElement2(new StreamRecord<>(late(copyOf(original, T0), "copy", T0 + 9_000), T0));
        h.processElement2(new StreamRecord<>(late(lost, "lost", T0 + 9_000), T0 + 1_000));
        OperatorSubtaskState snapshot = h.snapshot(1, T0);
        h.close();

        var restored = dedup(after, snapshot);
        assertThat(restored.numEventTimeTimers()).isEqualTo(3); // two held events, m-1's cleanup
        watermark(restored, Long.MAX_VALUE); // the end of a bounded input
        assertThat(restored.getSideOutput(PipelineTags.INPUT_OUTCOMES)).extracting(r -> r.getValue().kind)
                .containsExactly(InputOutcome.DUPLICATE, InputOutcome.LATE);
        assertThat(restored.getSideOutput(PipelineTags.DEAD_LETTERS)).extracting(r -> r.getValue().source)
                .containsExactly("lost");
        assertThat(restored.numKeyedStateEntries()).isZero();
        restored.close();
    }

    /** A held late event's timer decides it and leaves the ids to their cleanup timer: no scan per late event. */
    @ParameterizedTest
    @EnumSource(StateLayout.class)
    void aHeldLateEventsTimerDoesNotScanTheMerchantsIds(StateLayout layout) throws Exception {
        var h = dedup(layout);
        PaymentEvent seen = ok(T0 + 1_000, "m", "card"); // its cleanup timer: T0 + 15 min
        h.processElement1(new StreamRecord<>(seen, seen.eventTime));
        watermark(h, T0 + 601_500); // the id is forgotten by its time, not yet removed
        h.processElement2(new StreamRecord<>(late(ok(T0 + 602_000, "m", "card"), "lost", T0 + 609_000), T0 + 602_000));
        watermark(h, T0 + 602_000);
        assertThat(h.getSideOutput(PipelineTags.DEAD_LETTERS)).extracting(r -> r.getValue().source)
                .containsExactly("lost");
        assertThat(h.numKeyedStateEntries()).isEqualTo(1); // the forgotten id, until its cleanup
        watermark(h, T0 + 900_000);
        assertThat(h.numKeyedStateEntries()).isZero();
        h.close();
    }

    /**
     * The heap table is changed in place, not stored again after each event: a checkpoint begun
     * before an event must still not hold that event's id when it is written out afterwards.
     */
    @ParameterizedTest
    @EnumSource(StateLayout.class)
    void aCheckpointHoldsTheIdsSeenBeforeItBeganNotThoseSeenWhileItWasWritten(StateLayout layout) throws Exception {
        var h = dedup(layout);
        PaymentEvent before = ok(T0 + 1_000, "m-1", "card");
        h.processElement1(new StreamRecord<>(before, before.eventTime));
        PaymentEvent during = ok(T0 + 2_000, "m-1", "card"); // the same merchant's table
        OperatorSubtaskState snapshot = io.paywatch.jobs.testing.Checkpoints.takenAround(h, 1,
                () -> h.processElement1(new StreamRecord<>(during, during.eventTime)));
        assertThat(h.extractOutputValues()).hasSize(2);
        h.close();

        var restored = dedup(layout, snapshot);
        restored.processElement1(new StreamRecord<>(copyOf(before, T0 + 3_000), T0 + 3_000));
        restored.processElement1(new StreamRecord<>(copyOf(during, T0 + 3_000), T0 + 3_000));
        assertThat(restored.extractOutputValues()).extracting(x -> x.eventId)
                .as("only the id seen before the checkpoint began is a duplicate").containsExactly(during.eventId);
        restored.close();
    }

    @Test
    void theIdLayoutIsTheTableOnlyOnTheHeapBackendWithoutTheChangelog() {
        assertThat(StateLayout.forState(new Configuration())).isEqualTo(StateLayout.TABLE);
        Configuration heap = Configuration.fromMap(java.util.Map.of("state.backend.type", "hashmap"));
        assertThat(StateLayout.forState(heap)).isEqualTo(StateLayout.TABLE);
        Configuration rocksdb = Configuration.fromMap(java.util.Map.of("state.backend.type", "rocksdb"));
        assertThat(StateLayout.forState(rocksdb)).isEqualTo(StateLayout.MAP);
        Configuration changelog = Configuration.fromMap(java.util.Map.of(
                "state.backend.type", "hashmap", "state.changelog.enabled", "true"));
        assertThat(StateLayout.forState(changelog)).isEqualTo(StateLayout.MAP);
    }

    @Test
    void outcomesAreCountedPerIntervalAndLeaveBeforeTheWatermarkThatClosesTheirInterval() throws Exception {
        InputOutcomeCounter counter = new InputOutcomeCounter(10_000, "payments",
                InputOutcome.ACCEPTED, InputOutcome.DUPLICATE);
        OneInputStreamOperatorTestHarness<InputOutcome, InputOutcome> h =
                new OneInputStreamOperatorTestHarness<>(counter);
        h.open();
        for (int i = 0; i < 7; i++) {
            h.processElement(new StreamRecord<>(InputOutcome.of(InputOutcome.ACCEPTED, T0 + i * 1_000)));
        }
        h.processElement(new StreamRecord<>(InputOutcome.of(InputOutcome.DUPLICATE, T0 + 2_000)));
        h.processElement(new StreamRecord<>(InputOutcome.of(InputOutcome.ACCEPTED, T0 + 12_000)));
        assertThat(h.getOutput()).isEmpty(); // nothing leaves before its interval closes
        h.processWatermark(new org.apache.flink.streaming.api.watermark.Watermark(T0 + 9_999));
        List<Object> out = new java.util.ArrayList<>(h.getOutput());
        assertThat(out).hasSize(3); // accepted and duplicates of [T0, T0+10s), then the watermark
        InputOutcome accepted = ((StreamRecord<InputOutcome>) out.get(0)).getValue();
        InputOutcome duplicates = ((StreamRecord<InputOutcome>) out.get(1)).getValue();
        assertThat(accepted.kind).isEqualTo(InputOutcome.ACCEPTED);
        assertThat(accepted.count).isEqualTo(7);
        assertThat(accepted.time).isEqualTo(T0 + 9_999);
        assertThat(duplicates.kind).isEqualTo(InputOutcome.DUPLICATE);
        assertThat(duplicates.count).isEqualTo(1);
        assertThat(out.get(2)).isInstanceOf(org.apache.flink.streaming.api.watermark.Watermark.class);

        // what is still open leaves before a checkpoint barrier: the operator keeps no state
        h.prepareSnapshotPreBarrier(1);
        assertThat(h.extractOutputValues()).hasSize(3);
        assertThat(h.extractOutputValues().get(2).count).isEqualTo(1);

        // and when the input goes idle (the downstream watermark then moves on without it)
        h.processElement(new StreamRecord<>(InputOutcome.of(InputOutcome.REJECTED, T0 + 13_000)));
        h.processWatermarkStatus(org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus.IDLE);
        assertThat(h.extractOutputValues()).hasSize(4);
        assertThat(h.extractOutputValues().get(3).kind).isEqualTo(InputOutcome.REJECTED);

        // the Flink counters count as outcomes arrive, each kind where it happens
        assertThat(counter.counted(InputOutcome.ACCEPTED)).isEqualTo(8);
        assertThat(counter.counted(InputOutcome.DUPLICATE)).isEqualTo(1);
        assertThat(counter.counted(InputOutcome.REJECTED)).isZero(); // the gate's counter's
        h.close();
    }

    /**
     * Dedup's operator counts the filter's outcomes as the counter chained behind the filter did:
     * over a random stream (several merchants, duplicates, late copies of delivered events and late
     * events never seen, watermarks), what has left after each watermark is the filter's own
     * per-event outcomes summed per interval and kind, for exactly the intervals that watermark
     * completes; the events, dead letters and metrics are the filter's, and a checkpoint barrier
     * lets the rest out.
     */
    @ParameterizedTest
    @EnumSource(StateLayout.class)
    void dedupsOperatorCountsTheFiltersOutcomesPerIntervalBeforeTheWatermarkThatCompletesIt(StateLayout layout)
            throws Exception {
        long interval = 10_000;
        var plain = dedup(layout);
        DuplicateFilterOperator operator =
                new DuplicateFilterOperator(new DuplicateFilter(600_000, layout), interval, "payments");
        KeyedTwoInputStreamOperatorTestHarness<String, PaymentEvent, LateEvent, PaymentEvent> counted =
                new KeyedTwoInputStreamOperatorTestHarness<>(operator, e -> e.merchantId, l -> l.event.merchantId,
                        Types.STRING);
        counted.open();
        java.util.Random random = new java.util.Random(3);
        List<PaymentEvent> sent = new java.util.ArrayList<>();
        long time = T0;
        for (int i = 0; i < 3_000; i++) {
            time += random.nextInt(400);
            int pick = random.nextInt(10);
            PaymentEvent event;
            boolean isLate = false;
            if (pick < 7 || sent.isEmpty()) {
                event = ok(time, "m-" + random.nextInt(5), "card");
                sent.add(event);
            } else if (pick < 8) {
                event = copyOf(sent.get(random.nextInt(sent.size())), time); // a redelivery
            } else {
                PaymentEvent original = sent.get(random.nextInt(sent.size()));
                event = pick == 8 ? copyOf(original, original.eventTime) // late, and a duplicate
                        : ok(time - 20_000, original.merchantId, "card"); // never delivered on time
                isLate = true;
            }
            // the last millisecond of an interval: the interval ending right after it must be out
            long watermark = Math.floorDiv(time - 5_000, interval) * interval - 1;
            for (var h : List.of(plain, counted)) {
                if (isLate) {
                    h.processElement2(new StreamRecord<>(late(copyOf(event, event.eventTime), "r-" + i, time),
                            event.eventTime));
                } else {
                    h.processElement1(new StreamRecord<>(copyOf(event, event.eventTime), event.eventTime));
                }
                if (i % 50 == 49) {
                    watermark(h, watermark);
                }
            }
            if (i % 50 == 49) {
                assertThat(summed(counted.getSideOutput(PipelineTags.INPUT_OUTCOMES), interval, Long.MAX_VALUE))
                        .as("after the watermark at step %d", i)
                        .isEqualTo(summed(plain.getSideOutput(PipelineTags.INPUT_OUTCOMES), interval, watermark + 1));
            }
        }
        counted.prepareSnapshotPreBarrier(1);
        assertThat(summed(counted.getSideOutput(PipelineTags.INPUT_OUTCOMES), interval, Long.MAX_VALUE))
                .isEqualTo(summed(plain.getSideOutput(PipelineTags.INPUT_OUTCOMES), interval, Long.MAX_VALUE));
        assertThat(counted.extractOutputValues()).extracting(e -> e.eventId)
                .containsExactlyElementsOf(plain.extractOutputValues().stream().map(e -> e.eventId).toList());
        assertThat(counted.getSideOutput(PipelineTags.DEAD_LETTERS)).extracting(r -> r.getValue().source)
                .containsExactlyElementsOf(plain.getSideOutput(PipelineTags.DEAD_LETTERS).stream()
                        .map(r -> r.getValue().source).toList());
        java.util.Map<String, Long> perKind = summed(plain.getSideOutput(PipelineTags.INPUT_OUTCOMES), 1, Long.MAX_VALUE)
                .entrySet().stream().collect(Collectors.groupingBy(k -> k.getKey().split("@")[0],
                        Collectors.summingLong(java.util.Map.Entry::getValue)));
        assertThat(perKind.keySet()).containsExactlyInAnyOrder("0", "2", "3"); // accepted, duplicate, late
        assertThat(operator.counted(InputOutcome.ACCEPTED)).isEqualTo(perKind.get("0"));
        assertThat(operator.counted(InputOutcome.DUPLICATE)).isEqualTo(perKind.get("2"));
        assertThat(operator.counted(InputOutcome.LATE)).isEqualTo(perKind.get("3"));
        plain.close();
        counted.close();
    }

    /** Outcomes summed by kind and the last millisecond of their interval, for intervals ending by {@code upToEnd}. */
    private static java.util.Map<String, Long> summed(java.util.Collection<StreamRecord<InputOutcome>> outcomes,
            long interval, long upToEnd) {
        java.util.Map<String, Long> sums = new java.util.TreeMap<>();
        if (outcomes == null) {
            return sums;
        }
        for (StreamRecord<InputOutcome> r : outcomes) {
            InputOutcome o = r.getValue();
            long end = Math.floorDiv(o.time, interval) * interval + interval;
            if (end <= upToEnd) {
                sums.merge(o.kind + "@" + (end - 1), o.count, Long::sum);
            }
        }
        return sums;
    }
}
