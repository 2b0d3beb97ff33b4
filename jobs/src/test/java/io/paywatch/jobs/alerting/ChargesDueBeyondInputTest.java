package io.paywatch.jobs.alerting;

import static io.paywatch.jobs.testing.Events.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.paywatch.jobs.control.ControlSignal;
import io.paywatch.jobs.ingest.EndOfInput;
import io.paywatch.model.EventKind;
import io.paywatch.model.PaymentEvent;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.TwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * Charges due beyond every gate's cutoff stop in front of CEP only once every gate has reported
 * the end of its input; everything else passes, and the control side's watermarks hold nothing.
 */
class ChargesDueBeyondInputTest {
    private static final long WITHIN = 15 * 60_000;
    private static final long HOLD = OrderScreen.holdFor(WITHIN);

    private static PaymentEvent event(EventKind kind, String id, long time) {
        PaymentEvent e = new PaymentEvent();
        e.eventId = id;
        e.kind = kind;
        e.eventTime = time;
        e.merchantId = "m-1";
        e.orderId = "o-" + id;
        return e;
    }

    /** As the screen forwards it: stamped at the end of its hold. */
    private static StreamRecord<PaymentEvent> released(EventKind kind, String id, long time) {
        return new StreamRecord<>(event(kind, id, time), time + HOLD);
    }

    private static StreamRecord<ControlSignal> end(int subtask, int gates, long cutoff) {
        return new StreamRecord<>(ControlSignal.of(EndOfInput.of(subtask, gates, cutoff)));
    }

    private static List<String> passedIds(TwoInputStreamOperatorTestHarness<PaymentEvent, ControlSignal, PaymentEvent> h) {
        List<String> ids = new ArrayList<>();
        for (Object o : h.getOutput()) {
            if (o instanceof StreamRecord<?> r) {
                ids.add(((PaymentEvent) r.getValue()).eventId);
            }
        }
        return ids;
    }

    private static TwoInputStreamOperatorTestHarness<PaymentEvent, ControlSignal, PaymentEvent> harness()
            throws Exception {
        var h = new TwoInputStreamOperatorTestHarness<>(new ChargesDueBeyondInput(WITHIN));
        h.open();
        return h;
    }

    @Test
    void chargesDueBeyondTheGreatestCutoffStopOnceEveryGateHasReported() throws Exception {
        long low = T0 + 40 * 60_000;
        long high = T0 + 60 * 60_000;
        try (var h = harness()) {
            h.processElement1(released(EventKind.CHARGE, "before-any-report", high));
            h.processElement2(end(1, 2, low));
            assertThat(((ChargesDueBeyondInput) h.getOperator()).greatestCutoff()).isEqualTo(Long.MAX_VALUE);
            h.processElement1(released(EventKind.CHARGE, "one-gate-of-two", high));
            h.processElement2(end(0, 2, high));
            assertThat(((ChargesDueBeyondInput) h.getOperator()).greatestCutoff()).isEqualTo(high);

            // due exactly at the greatest cutoff: a finite watermark may still pass it
            h.processElement1(released(EventKind.CHARGE, "due-at-the-cutoff", high - WITHIN));
            // due between the cutoffs: whether it is alerted depends on the watermarks, CEP decides
            h.processElement1(released(EventKind.CHARGE, "due-between-the-cutoffs", low + 1 - WITHIN));
            h.processElement1(released(EventKind.CHARGE, "due-1ms-beyond", high + 1 - WITHIN));
            h.processElement1(released(EventKind.CHARGE, "due-far-beyond", high));
            // resolvers pass whatever their time: only charges start a match
            h.processElement1(released(EventKind.FULFILMENT, "late-fulfilment", high + 1));
            h.processElement1(released(EventKind.REFUND, "late-refund", high + 1));

            assertThat(passedIds(h)).containsExactly("before-any-report", "one-gate-of-two", "due-at-the-cutoff",
                    "due-between-the-cutoffs", "late-fulfilment", "late-refund");
            // stamped as the screen stamped them: CEP's pattern is shifted by the hold
            assertThat(h.getOutput()).allMatch(o -> o instanceof StreamRecord<?> r
                    && r.getTimestamp() == ((PaymentEvent) r.getValue()).eventTime + HOLD);
        }
    }

    @Test
    void aReportFromAnotherParallelismStartsOver() throws Exception {
        try (var h = harness()) {
            h.processElement2(end(0, 1, T0));
            assertThat(((ChargesDueBeyondInput) h.getOperator()).greatestCutoff()).isEqualTo(T0);
            // gates of another attempt (rescaled): wait for all of them
            h.processElement2(end(0, 2, T0 + 5));
            assertThat(((ChargesDueBeyondInput) h.getOperator()).greatestCutoff()).isEqualTo(Long.MAX_VALUE);
            h.processElement2(end(1, 2, T0 + 3));
            assertThat(((ChargesDueBeyondInput) h.getOperator()).greatestCutoff()).isEqualTo(T0 + 5);
            // a rule change says nothing about the input
            h.processElement2(new StreamRecord<>(new ControlSignal()));
            assertThat(((ChargesDueBeyondInput) h.getOperator()).greatestCutoff()).isEqualTo(T0 + 5);
        }
    }

    /** The uids of every operator the job builds over {@code raw}. */
    private static List<String> uids(org.apache.flink.streaming.api.datastream.DataStream<io.paywatch.jobs.ingest.RawRecord> raw) {
        var outputs = io.paywatch.jobs.PaymentMonitorJob.build(raw, io.paywatch.jobs.ingest.SourcePartitions.single(),
                io.paywatch.jobs.PipelineSettings.defaults(io.paywatch.model.RuleSettings.defaults()));
        List<String> uids = new ArrayList<>();
        java.util.Set<org.apache.flink.api.dag.Transformation<?>> seen = new java.util.HashSet<>();
        java.util.ArrayDeque<org.apache.flink.api.dag.Transformation<?>> next = new java.util.ArrayDeque<>();
        next.add(outputs.alerts.getTransformation());
        while (!next.isEmpty()) {
            var t = next.poll();
            if (seen.add(t)) {
                uids.add(t.getUid());
                next.addAll(t.getInputs());
            }
        }
        return uids;
    }

    @Test
    void builtInFrontOfChargedUnfulfilledOnlyWhenEverySourceIsBounded() {
        var env = org.apache.flink.streaming.api.environment.StreamExecutionEnvironment.getExecutionEnvironment();
        var bounded = io.paywatch.jobs.testing.PartitionedLines.source(
                List.of(io.paywatch.jobs.ingest.RawRecord.ofText("{}", "test:1")));
        assertThat(uids(bounded)).contains("cep-charged-unfulfilled-due-beyond-input")
                .noneMatch(u -> u != null && u.startsWith("cep-failed-but-charged") && u.endsWith("due-beyond-input"));
        var live = env.fromSource(new Endless(), org.apache.flink.api.common.eventtime.WatermarkStrategy.noWatermarks(),
                "live", org.apache.flink.api.common.typeinfo.TypeInformation.of(io.paywatch.jobs.ingest.RawRecord.class));
        assertThat(uids(live)).contains("cep-charged-unfulfilled-screened-last-1000ms").noneMatch(u -> u != null && u.endsWith("due-beyond-input"));
    }

    /** A source that never ends (like Kafka in `run`); never run. */
    private static final class Endless implements org.apache.flink.api.connector.source.Source<io.paywatch.jobs.ingest.RawRecord,
            org.apache.flink.api.connector.source.SourceSplit, Void> {
        @Override
        public org.apache.flink.api.connector.source.Boundedness getBoundedness() {
            return org.apache.flink.api.connector.source.Boundedness.CONTINUOUS_UNBOUNDED;
        }

        @Override
        public org.apache.flink.api.connector.source.SourceReader<io.paywatch.jobs.ingest.RawRecord,
                org.apache.flink.api.connector.source.SourceSplit> createReader(
                org.apache.flink.api.connector.source.SourceReaderContext context) {
            throw new UnsupportedOperationException();
        }

        @Override
        public org.apache.flink.api.connector.source.SplitEnumerator<org.apache.flink.api.connector.source.SourceSplit, Void>
                createEnumerator(org.apache.flink.api.connector.source.SplitEnumeratorContext<
                        org.apache.flink.api.connector.source.SourceSplit> context) {
            throw new UnsupportedOperationException();
        }

        @Override
        public org.apache.flink.api.connector.source.SplitEnumerator<org.apache.flink.api.connector.source.SourceSplit, Void>
                restoreEnumerator(org.apache.flink.api.connector.source.SplitEnumeratorContext<
                        org.apache.flink.api.connector.source.SourceSplit> context, Void checkpoint) {
            throw new UnsupportedOperationException();
        }

        @Override
        public org.apache.flink.core.io.SimpleVersionedSerializer<org.apache.flink.api.connector.source.SourceSplit>
                getSplitSerializer() {
            throw new UnsupportedOperationException();
        }

        @Override
        public org.apache.flink.core.io.SimpleVersionedSerializer<Void> getEnumeratorCheckpointSerializer() {
            throw new UnsupportedOperationException();
        }
    }

    @Test
    void onlyTheEventsSideMovesEventTime() throws Exception {
        try (var h = harness()) {
            h.processWatermark2(new Watermark(T0 + 1_000));
            h.processWatermark1(new Watermark(T0));
            h.processWatermarkStatus2(WatermarkStatus.IDLE);
            h.processWatermark1(new Watermark(T0 + 2_000));
            h.processWatermarkStatus1(WatermarkStatus.IDLE);
            assertThat(new ArrayList<>(h.getOutput())).containsExactly(new Watermark(T0), new Watermark(T0 + 2_000),
                    WatermarkStatus.IDLE);
        }
    }
}
