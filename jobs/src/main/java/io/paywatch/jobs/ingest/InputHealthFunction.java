package io.paywatch.jobs.ingest;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Counts input outcomes (accepted, rejected, duplicates, late) per interval of event time and
 * emits one {@link InputHealth} per interval when the watermark passes its end.
 */
public class InputHealthFunction extends KeyedProcessFunction<Integer, InputOutcome, InputHealth> {
    private static final long serialVersionUID = 1L;

    private final long intervalMs;
    private transient MapState<Long, long[]> intervals;

    public InputHealthFunction(long intervalMs) {
        this.intervalMs = intervalMs;
    }

    @Override
    public void open(OpenContext openContext) {
        intervals = getRuntimeContext().getMapState(new MapStateDescriptor<>(
                "input-intervals", Types.LONG,
                org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
    }

    @Override
    public void processElement(InputOutcome o, Context ctx, Collector<InputHealth> out)
            throws Exception {
        long end = Math.floorDiv(o.time, intervalMs) * intervalMs + intervalMs;
        long[] counts = intervals.get(end);
        if (counts == null) {
            counts = new long[4];
            ctx.timerService().registerEventTimeTimer(end - 1);
        }
        counts[o.kind] += o.count;
        intervals.put(end, counts);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<InputHealth> out)
            throws Exception {
        long end = timestamp + 1;
        long[] c = intervals.get(end);
        if (c == null) {
            return;
        }
        intervals.remove(end);
        InputHealth h = new InputHealth();
        h.time = end;
        h.accepted = c[InputOutcome.ACCEPTED];
        h.rejected = c[InputOutcome.REJECTED];
        h.duplicates = c[InputOutcome.DUPLICATE];
        h.late = c[InputOutcome.LATE];
        out.collect(h);
    }
}
