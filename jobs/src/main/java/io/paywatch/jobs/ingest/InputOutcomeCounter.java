package io.paywatch.jobs.ingest;

import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;

/**
 * Counts input outcomes where they happen (chained to the gate and to dedup), so that one
 * record per interval and outcome crosses the network to the single input-health task instead
 * of one per input record. An interval's counts leave when the watermark passes its end, ahead
 * of that watermark, and everything still open leaves before each checkpoint barrier and at the
 * end of input: the operator holds nothing across a checkpoint, so it has no state to restore.
 *
 * <p>It also counts them as Flink metrics, as they arrive ({@code paywatch_input_accepted},
 * {@code …_rejected}, {@code …_duplicates}, {@code …_late}, labelled with the input): each counter
 * where its outcome happens, so that the sum over subtasks is the input's total.
 */
public class InputOutcomeCounter extends AbstractStreamOperator<InputOutcome>
        implements OneInputStreamOperator<InputOutcome, InputOutcome>, BoundedOneInput {
    private static final long serialVersionUID = 1L;

    private final long intervalMs;
    private final String input;
    /** The kinds this operator sees (the gate's: rejected and late; dedup counts its own). */
    private final byte[] kinds;
    private transient InputOutcomeTally tally;

    public InputOutcomeCounter(long intervalMs, String input, byte... kinds) {
        this.intervalMs = intervalMs;
        this.input = input;
        this.kinds = kinds;
    }

    @Override
    public void open() throws Exception {
        super.open();
        tally = new InputOutcomeTally(intervalMs, getMetricGroup(), input, kinds);
    }

    @Override
    public void processElement(StreamRecord<InputOutcome> element) {
        tally.count(element.getValue());
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        // an interval's counts must arrive before the watermark that completes it
        flush(InputOutcomeTally.closedBy(mark.getTimestamp()));
        super.processWatermark(mark);
    }

    @Override
    public void processWatermarkStatus(WatermarkStatus status) throws Exception {
        if (status.isIdle()) {
            // an idle input is left out of the downstream watermark: what it counted must not
            // wait for it to become active again, after its intervals have closed
            flush(Long.MAX_VALUE);
        }
        super.processWatermarkStatus(status);
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        flush(Long.MAX_VALUE);
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void endInput() {
        flush(Long.MAX_VALUE);
    }

    /** What the Flink counter of {@code kind} says (tests); 0 for a kind this operator does not count. */
    long counted(byte kind) {
        return tally.counted(kind);
    }

    private void flush(long upToEnd) {
        tally.drain(upToEnd, o -> output.collect(new StreamRecord<>(o)));
    }
}
