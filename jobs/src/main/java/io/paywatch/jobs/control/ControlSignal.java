package io.paywatch.jobs.control;

import io.paywatch.jobs.ingest.EndOfInput;
import io.paywatch.model.RuleChange;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * What is broadcast to every rule operator: the end of a bounded input, or a live rule change
 * from the control topic. One type, because a keyed operator connects to one broadcast stream.
 */
public class ControlSignal {
    public static final TypeInformation<ControlSignal> TYPE = TypeInformation.of(ControlSignal.class);

    /**
     * Control records join the events' broadcast side, whose watermark is the minimum of its
     * active inputs: the control stream declares itself idle for good, so it neither holds event
     * time back nor pushes it forward (a +∞ watermark would, once the events' inputs go idle).
     */
    public static final org.apache.flink.api.common.eventtime.WatermarkStrategy<ControlSignal>
            NEVER_HOLDS_EVENT_TIME = org.apache.flink.api.common.eventtime.WatermarkStrategy
                    .forGenerator(ctx -> new org.apache.flink.api.common.eventtime.WatermarkGenerator<>() {
                        @Override
                        public void onEvent(ControlSignal s, long ts,
                                org.apache.flink.api.common.eventtime.WatermarkOutput out) {
                            out.markIdle();
                        }

                        @Override
                        public void onPeriodicEmit(org.apache.flink.api.common.eventtime.WatermarkOutput out) {
                            out.markIdle();
                        }
                    });

    /** Set when a bounded input ended. */
    public EndOfInput endOfInput;
    /** Set for a rule change. */
    public RuleChange change;
    /**
     * Who signed the change: its {@code X-PayWatch-Key-Id}, "" for a signed change without one,
     * null when the job does not require signatures.
     */
    public String signedBy;

    public ControlSignal() {}

    /** Notes an end of input in the receiving operator's broadcast state (no-op otherwise). */
    public void recordEndOfInput(org.apache.flink.api.common.state.BroadcastState<Integer, Long> state)
            throws Exception {
        if (endOfInput != null) {
            state.put(endOfInput.subtask, endOfInput.cutoff);
        }
    }

    /**
     * The control signals of {@code control} sent to every subtask of an operator that takes them
     * as a plain second input ({@code connect(…).transform(…)}) rather than through
     * {@code BroadcastConnectedStream.process}.
     */
    public static org.apache.flink.streaming.api.datastream.DataStream<ControlSignal> toEverySubtask(
            org.apache.flink.streaming.api.datastream.BroadcastStream<ControlSignal> control) {
        return new org.apache.flink.streaming.api.datastream.DataStream<>(control.getEnvironment(),
                control.getTransformation()).broadcast();
    }

    public static ControlSignal of(EndOfInput end) {
        ControlSignal s = new ControlSignal();
        s.endOfInput = end;
        return s;
    }

    public static ControlSignal of(RuleChange change) {
        ControlSignal s = new ControlSignal();
        s.change = change;
        return s;
    }

    public static ControlSignal of(RuleChange change, String signedBy) {
        ControlSignal s = of(change);
        s.signedBy = signedBy;
        return s;
    }
}
