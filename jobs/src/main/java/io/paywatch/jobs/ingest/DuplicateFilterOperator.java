package io.paywatch.jobs.ingest;

import io.paywatch.jobs.PipelineTags;
import io.paywatch.model.PaymentEvent;
import org.apache.flink.runtime.event.WatermarkEvent;
import org.apache.flink.streaming.api.operators.BoundedMultiInput;
import org.apache.flink.streaming.api.operators.Output;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.LatencyMarker;
import org.apache.flink.streaming.runtime.streamrecord.RecordAttributes;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.util.OutputTag;

/**
 * Runs the {@link DuplicateFilter} and counts the outcomes it reports (accepted, duplicate, late)
 * where they happen, as {@link InputOutcomeCounter} did chained behind it: one outcome per
 * interval and kind leaves on {@link PipelineTags#INPUT_OUTCOMES}, before the watermark that
 * completes the interval, and whatever is open leaves before each checkpoint barrier and at the end
 * of input (so nothing is held across a checkpoint).
 *
 * <p>Why not the chained counter: the filter reports an outcome for every event, and Flink hands a
 * side-output record to every output of the operator in turn (a copy of the record each, and an
 * {@code OutputTag.equals} each to find the one that takes it). In the whole job dedup's chain has
 * eight outputs; that was 5–7 % of dedup's task, the busiest of the job.
 */
public final class DuplicateFilterOperator
        extends KeyedCoProcessOperator<String, PaymentEvent, LateEvent, PaymentEvent>
        implements BoundedMultiInput {
    private static final long serialVersionUID = 1L;

    private final long intervalMs;
    private final String input;
    private transient InputOutcomeTally tally;
    /** The output of the chain, behind the one the filter writes to. */
    private transient Output<StreamRecord<PaymentEvent>> chain;

    /**
     * @param intervalMs the input-health interval the outcomes are counted in
     * @param input the input's name, the label of the outcome metrics
     */
    public DuplicateFilterOperator(DuplicateFilter filter, long intervalMs, String input) {
        super(filter);
        this.intervalMs = intervalMs;
        this.input = input;
    }

    @Override
    public void open() throws Exception {
        tally = new InputOutcomeTally(intervalMs, getMetricGroup(), input,
                InputOutcome.ACCEPTED, InputOutcome.DUPLICATE, InputOutcome.LATE);
        chain = output;
        output = new CountingOutcomes(); // before the filter's collector and context take it
        super.open();
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        flush(Long.MAX_VALUE);
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void endInput(int inputId) {
        flush(Long.MAX_VALUE);
    }

    @Override
    public void finish() throws Exception {
        flush(Long.MAX_VALUE);
        super.finish();
    }

    /** What the Flink counter of {@code kind} says (tests). */
    long counted(byte kind) {
        return tally.counted(kind);
    }

    private void flush(long upToEnd) {
        tally.drain(upToEnd, o -> chain.collect(PipelineTags.INPUT_OUTCOMES, new StreamRecord<>(o)));
    }

    /** The chain's output, with the filter's outcomes counted instead of passed on one by one. */
    private final class CountingOutcomes implements Output<StreamRecord<PaymentEvent>> {
        @Override
        public void collect(StreamRecord<PaymentEvent> record) {
            chain.collect(record);
        }

        @Override
        public <X> void collect(OutputTag<X> tag, StreamRecord<X> record) {
            if (tag == PipelineTags.INPUT_OUTCOMES || PipelineTags.INPUT_OUTCOMES.equals(tag)) {
                tally.count((InputOutcome) record.getValue());
                return;
            }
            chain.collect(tag, record);
        }

        @Override
        public void emitWatermark(Watermark mark) {
            // after the timers this watermark fired, before the watermark itself
            flush(InputOutcomeTally.closedBy(mark.getTimestamp()));
            chain.emitWatermark(mark);
        }

        @Override
        public void emitWatermarkStatus(WatermarkStatus status) {
            if (status.isIdle()) {
                // an idle input is left out of the downstream watermark: what it counted must
                // not wait for it to become active again
                flush(Long.MAX_VALUE);
            }
            chain.emitWatermarkStatus(status);
        }

        @Override
        public void emitLatencyMarker(LatencyMarker marker) {
            chain.emitLatencyMarker(marker);
        }

        @Override
        public void emitRecordAttributes(RecordAttributes attributes) {
            chain.emitRecordAttributes(attributes);
        }

        @Override
        public void emitWatermark(WatermarkEvent watermark) {
            chain.emitWatermark(watermark);
        }

        @Override
        public void close() {
            chain.close();
        }
    }
}
