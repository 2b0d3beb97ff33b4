package io.paywatch.jobs.ingest;

import io.paywatch.jobs.PipelineTags;
import io.paywatch.model.PaymentEvent;
import java.util.Iterator;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Drops a second delivery of an {@code event_id} seen within the dedup horizon (10 min of
 * event time) and counts it. Keyed by merchant: a redelivery is the same event, so it carries
 * the same merchant, and the pipeline's merchant-side rules read the same partitioning without
 * another exchange. Each merchant keeps its event ids of the horizon in a map; an id counts as
 * forgotten once the watermark has passed its first delivery's time plus the horizon, and the
 * forgotten ones are removed by one timer per merchant and half horizon of event time rather than
 * one per event (timers were a tenth of the pipeline's profile). The cleanup scans a merchant's
 * ids, so it runs rarely: each id is scanned two or three times before it leaves, not ten, for
 * at most half a horizon of ids more in state. Whether an id is remembered is decided by its
 * time, never by whether the cleanup has run yet, so the interval changes no result.
 *
 * <p>Input 1: on-time events. Input 2: events that arrived behind the watermark: a redelivery
 * of a known event is a duplicate; anything else is dead-lettered as late. The decision compares
 * event times and the watermark, not arrival order, so it is the same on every run.
 */
public class DuplicateFilter
        extends KeyedCoProcessFunction<String, PaymentEvent, LateEvent, PaymentEvent> {
    private static final long serialVersionUID = 1L;
    /** Forgotten ids are removed at the next multiple of this (half the horizon) in event time. */
    private final long cleanupSliceMs;

    private final long horizonMs;
    /** event_id → event time of its first delivery, per merchant. */
    private transient MapState<String, Long> firstSeen;

    public DuplicateFilter(long horizonMs) {
        this.horizonMs = horizonMs;
        this.cleanupSliceMs = Math.max(1, horizonMs / 2);
    }

    @Override
    public void open(OpenContext openContext) {
        firstSeen = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("first-seen-by-event-id", Types.STRING, Types.LONG));
    }

    /** Whether a delivery at {@code seen} is still remembered at watermark {@code watermark}. */
    private boolean remembered(Long seen, long watermark) {
        return seen != null && seen + horizonMs > watermark;
    }

    @Override
    public void processElement1(PaymentEvent e, Context ctx, Collector<PaymentEvent> out)
            throws Exception {
        Long seen = firstSeen.get(e.eventId);
        if (remembered(seen, ctx.timerService().currentWatermark())
                && Math.abs(e.eventTime - seen) <= horizonMs) {
            IngestProgress.DUPLICATES.increment();
            ctx.output(PipelineTags.INPUT_OUTCOMES,
                    InputOutcome.of(InputOutcome.DUPLICATE, e.eventTime));
            return;
        }
        firstSeen.put(e.eventId, e.eventTime);
        long forgetAt = e.eventTime + horizonMs;
        // a timer per merchant and slice: the timer service keeps one per (key, time)
        ctx.timerService().registerEventTimeTimer(
                Math.floorDiv(forgetAt + cleanupSliceMs - 1, cleanupSliceMs) * cleanupSliceMs);
        IngestProgress.ACCEPTED.increment();
        ctx.output(PipelineTags.INPUT_OUTCOMES, InputOutcome.of(InputOutcome.ACCEPTED, e.eventTime));
        out.collect(e);
    }

    @Override
    public void processElement2(LateEvent late, Context ctx, Collector<PaymentEvent> out)
            throws Exception {
        Long seen = firstSeen.get(late.event.eventId);
        if (remembered(seen, ctx.timerService().currentWatermark())
                && Math.abs(late.event.eventTime - seen) <= horizonMs) {
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
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<PaymentEvent> out)
            throws Exception {
        Iterator<Map.Entry<String, Long>> ids = firstSeen.iterator();
        while (ids.hasNext()) {
            if (ids.next().getValue() + horizonMs <= timestamp) {
                ids.remove();
            }
        }
        if (firstSeen.isEmpty()) {
            firstSeen.clear(); // a quiet merchant leaves no empty map behind
        }
    }
}
