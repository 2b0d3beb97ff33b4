package io.paywatch.jobs.ingest;

import io.paywatch.jobs.PipelineTags;
import io.paywatch.jobs.runtime.StateLayout;
import io.paywatch.model.PaymentEvent;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Drops a second delivery of an {@code event_id} seen within the dedup horizon (10 min of
 * event time) and counts it. Keyed by merchant: a redelivery is the same event, so it carries
 * the same merchant, and the pipeline's merchant-side rules read the same partitioning without
 * another exchange. Each merchant keeps its event ids of the horizon; an id counts as
 * forgotten once the watermark has passed its first delivery's time plus the horizon, and the
 * forgotten ones are removed by one timer per merchant and half horizon of event time rather than
 * one per event (timers were a tenth of the pipeline's profile). Each id is looked at by two or
 * three cleanups before it leaves, not ten, for at most half a horizon of ids more in state.
 * Whether an id is remembered is decided by its time, never by whether the cleanup has run yet,
 * so the interval changes no result.
 *
 * <p>Where the ids live depends on the state backend ({@link StateLayout}): on the heap, a
 * merchant's ids are one {@link EventIdTable} (arrays, no node or boxed time per id); on RocksDB,
 * a map state with one entry per id, so that an event reads and writes one id, not the table.
 * Either layout restores from a savepoint of the other: a merchant's ids move over the first
 * time the merchant is seen after the restore.
 *
 * <p>Input 1: on-time events. Input 2: events that arrived behind their partition's watermark: a
 * redelivery of a known event is a duplicate; anything else is dead-lettered as late. The two
 * inputs are separate exchanges, so a late copy can arrive here before its on-time original (on
 * another partition, read by another subtask, or simply in a fuller network buffer). A late event
 * whose time is still ahead of this operator's watermark is therefore held, in keyed state with a
 * timer at its time, and decided when the watermark reaches it: by then every on-time event of
 * that time has arrived from every active channel (a gate subtask resuming from idleness can still
 * send on-time events behind this watermark, which left it out; and a copy stamped earlier than
 * its original can still come first). The decision compares event times and the watermark,
 * not arrival order, so it is the same on every run. A held event is decided as of its own time
 * (the watermark that fires its timer may have jumped far past it, to the end of a bounded input);
 * its outcome is still counted at its tally time, which is ahead of that time, so it reaches
 * input health before the interval it counts in is written.
 */
public class DuplicateFilter
        extends KeyedCoProcessFunction<String, PaymentEvent, LateEvent, PaymentEvent>
        implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;

    /** Forgotten ids are removed at the next multiple of this (half the horizon) in event time. */
    private final long cleanupSliceMs;

    private final long horizonMs;
    private final StateLayout layout;
    /** {@link StateLayout#MAP}: event_id → event time of its first delivery, per merchant. */
    private transient MapState<String, Long> firstSeen;
    /** {@link StateLayout#TABLE}: the merchant's ids and their first deliveries' times. */
    private transient ValueState<EventIdTable> idTable;
    /** Late events whose time is ahead of the watermark, until it reaches them (both layouts). */
    private transient ListState<LateEvent> heldLate;
    /** Whether the state was restored, so that the other layout's ids may have to move over. */
    private transient boolean restored;
    /** Whether {@link #table()} made the table it returned (it is not in state until stored). */
    private transient boolean tableIsNew;
    /** {@link StateLayout#MAP} after a restore: the merchants whose ids were moved over. */
    private transient Set<String> movedOver;
    /** The progress line's counts of this subtask. */
    private transient IngestProgress.Tally accepted;
    private transient IngestProgress.Tally duplicates;
    private transient IngestProgress.Tally lateDeliveries;

    public DuplicateFilter(long horizonMs, StateLayout layout) {
        this.horizonMs = horizonMs;
        this.layout = layout;
        this.cleanupSliceMs = Math.max(1, horizonMs / 2);
    }

    @Override
    public void initializeState(FunctionInitializationContext context) {
        restored = context.isRestored();
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) {}

    @Override
    public void open(OpenContext openContext) {
        firstSeen = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("first-seen-by-event-id", Types.STRING, Types.LONG));
        idTable = getRuntimeContext().getState(
                new ValueStateDescriptor<>("event-id-table", EventIdTableSerializer.INSTANCE));
        heldLate = getRuntimeContext().getListState(
                new ListStateDescriptor<>("late-events-ahead-of-the-watermark", TypeInformation.of(LateEvent.class)));
        movedOver = new HashSet<>();
        accepted = IngestProgress.ACCEPTED.tally();
        duplicates = IngestProgress.DUPLICATES.tally();
        lateDeliveries = IngestProgress.LATE.tally();
    }

    /** Whether a delivery at {@code eventTime} repeats one first seen at {@code seen}. */
    private boolean repeats(long seen, long eventTime, long watermark) {
        // remembered (not yet forgotten at the watermark) and within the horizon of its time
        return seen != EventIdTable.ABSENT && seen + horizonMs > watermark
                && Math.abs(eventTime - seen) <= horizonMs;
    }

    /** The cleanup timer that forgets an id first seen at {@code eventTime}. */
    private long cleanupTime(long eventTime) {
        return cleanupTime(eventTime, horizonMs);
    }

    /**
     * The cleanup timer that forgets an id first seen at {@code eventTime} under a horizon of
     * {@code horizonMs}: the next multiple of half the horizon at or after its forgetting time.
     */
    public static long cleanupTime(long eventTime, long horizonMs) {
        long slice = Math.max(1, horizonMs / 2);
        return Math.floorDiv(eventTime + horizonMs + slice - 1, slice) * slice;
    }

    @Override
    public void processElement1(PaymentEvent e, Context ctx, Collector<PaymentEvent> out)
            throws Exception {
        long watermark = ctx.timerService().currentWatermark();
        if (layout == StateLayout.TABLE) {
            EventIdTable ids = table();
            int idHash = e.eventIdHash();
            if (repeats(ids.firstSeen(e.eventId, idHash), e.eventTime, watermark)) {
                duplicate(e.eventTime, ctx);
                return;
            }
            ids.remember(e.eventId, idHash, e.eventTime);
            long cleanup = cleanupTime(e.eventTime);
            if (cleanup != ids.cleanupAt) { // the timer service keeps one per (key, time) anyway
                ctx.timerService().registerEventTimeTimer(cleanup);
                ids.cleanupAt = cleanup;
            }
            if (tableIsNew) {
                // a table already in state changed in place: the heap backend holds that very
                // object (copied on read while a snapshot holds it), so no second lookup to store it
                idTable.update(ids);
            }
        } else {
            moveTableOver(ctx.getCurrentKey());
            if (repeats(orAbsent(firstSeen.get(e.eventId)), e.eventTime, watermark)) {
                duplicate(e.eventTime, ctx);
                return;
            }
            firstSeen.put(e.eventId, e.eventTime);
            // a timer per merchant and slice: the timer service keeps one per (key, time)
            ctx.timerService().registerEventTimeTimer(cleanupTime(e.eventTime));
        }
        accepted.increment();
        ctx.output(PipelineTags.INPUT_OUTCOMES, InputOutcome.of(InputOutcome.ACCEPTED, e.eventTime));
        out.collect(e);
    }

    private static long orAbsent(Long seen) {
        return seen == null ? EventIdTable.ABSENT : seen;
    }

    private void duplicate(long tallyTime, Context ctx) {
        duplicates.increment();
        ctx.output(PipelineTags.INPUT_OUTCOMES, InputOutcome.of(InputOutcome.DUPLICATE, tallyTime));
    }

    @Override
    public void processElement2(LateEvent late, Context ctx, Collector<PaymentEvent> out)
            throws Exception {
        long watermark = ctx.timerService().currentWatermark();
        if (late.event.eventTime > watermark) {
            // its on-time original may still be on its way through input 1
            heldLate.add(late);
            ctx.timerService().registerEventTimeTimer(late.event.eventTime);
            return;
        }
        decideLate(late, watermark, ctx);
    }

    /** A late event: a duplicate if its id is remembered {@code asOf} that event time, else dead-lettered. */
    private void decideLate(LateEvent late, long asOf, Context ctx) throws Exception {
        long seen;
        if (layout == StateLayout.TABLE) {
            seen = table().firstSeen(late.event.eventId);
        } else {
            moveTableOver(ctx.getCurrentKey());
            seen = orAbsent(firstSeen.get(late.event.eventId));
        }
        if (repeats(seen, late.event.eventTime, asOf)) {
            duplicate(late.tallyTime, ctx);
        } else {
            lateDeliveries.increment();
            ctx.output(PipelineTags.DEAD_LETTERS, late.deadLetter);
            ctx.output(PipelineTags.INPUT_OUTCOMES, InputOutcome.of(InputOutcome.LATE, late.tallyTime));
        }
    }

    /**
     * Decides the held late events the watermark has reached ({@code timestamp}), in the order
     * they arrived, each as of its own time: an id remembered then has not been removed yet, as
     * cleanup timers fire in time order and remove only ids forgotten by their time.
     */
    private void decideHeldLate(long timestamp, Context ctx) throws Exception {
        Iterable<LateEvent> held = heldLate.get();
        if (held == null) {
            return;
        }
        List<LateEvent> stillAhead = new ArrayList<>();
        boolean decided = false;
        for (LateEvent late : held) {
            if (late.event.eventTime <= timestamp) {
                decideLate(late, late.event.eventTime, ctx);
                decided = true;
            } else {
                stillAhead.add(late);
            }
        }
        if (decided) {
            heldLate.update(stillAhead); // an empty list clears the state
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<PaymentEvent> out)
            throws Exception {
        decideHeldLate(timestamp, ctx);
        if (Math.floorMod(timestamp, cleanupSliceMs) != 0) {
            return; // a held late event's timer: the cleanup stays one scan per merchant and slice
        }
        if (layout == StateLayout.TABLE) {
            EventIdTable ids = table();
            if (ids.forgetUpTo(timestamp - horizonMs) == 0) {
                idTable.clear(); // a quiet merchant leaves no empty table behind
            } else if (tableIsNew) {
                idTable.update(ids);
            }
            return;
        }
        moveTableOver(ctx.getCurrentKey());
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

    /**
     * {@link StateLayout#TABLE}: the current merchant's table, new if it has none; after a restore
     * from the map layout, with the merchant's ids moved over from the map.
     */
    private EventIdTable table() throws Exception {
        EventIdTable ids = idTable.value();
        tableIsNew = ids == null;
        if (ids != null) {
            return ids;
        }
        ids = new EventIdTable();
        if (restored && !firstSeen.isEmpty()) {
            for (Map.Entry<String, Long> id : firstSeen.entries()) {
                ids.remember(id.getKey(), id.getValue()); // their cleanup timers were restored too
            }
            firstSeen.clear();
            idTable.update(ids);
            tableIsNew = false;
        }
        return ids;
    }

    /** {@link StateLayout#MAP} after a restore from the table layout: moves the merchant's ids over once. */
    private void moveTableOver(String merchant) throws Exception {
        if (restored && movedOver.add(merchant)) {
            EventIdTable ids = idTable.value();
            if (ids != null) {
                ids.forEach(firstSeen::put);
                idTable.clear();
            }
        }
    }
}
