package io.paywatch.jobs.ingest;

import io.paywatch.jobs.PipelineTags;
import io.paywatch.model.PaymentEvent;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Drops a second delivery of an {@code event_id} seen within the dedup horizon (10 min of
 * event time) and counts it. Keyed by event id; the key's state is removed by an event-time
 * timer once the horizon has passed, so state stays bounded by 10 minutes of traffic.
 *
 * <p>Input 1: on-time events. Input 2: events that arrived behind the watermark: a redelivery
 * of a known event is a duplicate; anything else is dead-lettered as late. The decision compares
 * event times, not arrival order, so it is the same on every run.
 */
public class DuplicateFilter
        extends KeyedCoProcessFunction<String, PaymentEvent, LateEvent, PaymentEvent> {
    private static final long serialVersionUID = 1L;

    private final long horizonMs;
    private transient ValueState<Long> firstSeen;

    public DuplicateFilter(long horizonMs) {
        this.horizonMs = horizonMs;
    }

    @Override
    public void open(OpenContext openContext) {
        firstSeen = getRuntimeContext()
                .getState(new ValueStateDescriptor<>("first-seen-event-time", Types.LONG));
    }

    @Override
    public void processElement1(PaymentEvent e, Context ctx, Collector<PaymentEvent> out)
            throws Exception {
        Long seen = firstSeen.value();
        if (seen != null && Math.abs(e.eventTime - seen) <= horizonMs) {
            IngestProgress.DUPLICATES.increment();
            ctx.output(PipelineTags.INPUT_OUTCOMES,
                    InputOutcome.of(InputOutcome.DUPLICATE, e.eventTime));
            return;
        }
        if (seen != null) {
            ctx.timerService().deleteEventTimeTimer(seen + horizonMs);
        }
        firstSeen.update(e.eventTime);
        ctx.timerService().registerEventTimeTimer(e.eventTime + horizonMs);
        IngestProgress.ACCEPTED.increment();
        ctx.output(PipelineTags.INPUT_OUTCOMES, InputOutcome.of(InputOutcome.ACCEPTED, e.eventTime));
        out.collect(e);
    }

    @Override
    public void processElement2(LateEvent late, Context ctx, Collector<PaymentEvent> out)
            throws Exception {
        Long seen = firstSeen.value();
        if (seen != null && Math.abs(late.event.eventTime - seen) <= horizonMs) {
            IngestProgress.DUPLICATES.increment();
            ctx.output(PipelineTags.INPUT_OUTCOMES,
                    InputOutcome.of(InputOutcome.DUPLICATE, late.tallyTime));
        } else {
            IngestProgress.LATE.increment();
            ctx.output(PipelineTags.DEAD_LETTERS, late.deadLetter);
            ctx.output(PipelineTags.INPUT_OUTCOMES, InputOutcome.of(InputOutcome.LATE, late.tallyTime));
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<PaymentEvent> out) {
        firstSeen.clear();
    }
}
