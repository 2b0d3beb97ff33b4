package io.paywatch.jobs.alerting;

import io.paywatch.jobs.runtime.StateLayout;
import io.paywatch.model.EventKind;
import io.paywatch.model.PatternSignal;
import io.paywatch.model.PaymentEvent;
import io.paywatch.patterns.ChargedUnfulfilledPattern;
import java.util.Arrays;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

/**
 * Flink shell around {@link OrderScreen}, run in dedup's chain keyed by merchant, each order's
 * track in its own namespace ({@link MerchantKeyedScreen}), in front of the
 * {@code charged_unfulfilled} CEP operator (keyed by merchant and order): charges completed within
 * the hold never leave dedup's task, and only the fulfilments and refunds that may resolve an
 * incident reach the incidents ({@link #RESOLVER_SIGNALS}). An order's state and timers are gone
 * once it is decided and no incident of it can be open any more.
 *
 * <p>Where a new order's charge waits depends on the state backend ({@link StateLayout}):
 * <ul>
 *   <li>{@link StateLayout#MAP} (RocksDB): in the order's track, with a timer at its due time
 *       (charge + hold).</li>
 *   <li>{@link StateLayout#TABLE} (heap): alone in the merchant's {@link PaymentTrackTable}, with
 *       no track and no timer of its own: most charges are fulfilled long before they are due,
 *       and a track and a timer per charge kept the state map and the timer queue as large as the
 *       hold's charges (with fulfilments minutes after their charges, their lookups and the
 *       queue's reordering were most of what the slow fulfilments cost). The order's next event
 *       finds the charge there and continues exactly as if it had been in the track: the track
 *       gets it, and its timer if it is still held after the event. A charge still alone when the
 *       slice ({@link #sliceMs}) it is due in begins gets its track and its timer from the
 *       merchant's one timer of that slice, so its due time is decided as with a track from the
 *       start. That timer
 *       is in the same timer service as the orders' (namespace {@link #SLICES}): a timer service
 *       fires its own timers in time order, including those registered while it fires, but all of
 *       them before another service's.</li>
 * </ul>
 * Either layout restores from a checkpoint of the other: a table's charges get their tracks and
 * timers when the operator opens with {@link StateLayout#MAP}; tracks are the same in both.
 */
public class ChargedUnfulfilledScreen extends MerchantKeyedScreen<OrderScreen.Track> {
    private static final long serialVersionUID = 1L;
    private static final String TRACKS = "order";
    private static final String TABLES = "lone-charges-by-merchant";
    /**
     * The namespace of a merchant's slice timers among the orders' timers: no order id is empty
     * (the contract's {@code order_id} has at least one character).
     */
    static final String SLICES = "";

    /**
     * The resolvers that may resolve an incident of their order, as signals for the incidents:
     * all the others find none open (most fulfilments come seconds after their charge).
     */
    public static final OutputTag<PatternSignal> RESOLVER_SIGNALS = new OutputTag<>(
            "charged-unfulfilled-resolver-signals", TypeInformation.of(PatternSignal.class));

    private final long holdMs;
    private final long withinMs;
    /** A lone charge gets its track at the start of the slice it is due in: a quarter of the hold. */
    private final long sliceMs;
    private final StateLayout layout;
    private transient OrderScreen screen;
    /**
     * The timers of an order whose lone charge has just joined a new track: nothing of it has a
     * timer yet, so what the screen would delete is not there (a deletion still costs the timer
     * set's lookup, once per fulfilment).
     */
    private transient OrderScreen.Timers newTrackTimers;
    /** {@link StateLayout#TABLE}: the merchant's lone charges, by order. */
    private transient ValueState<PaymentTrackTable> tables;
    private transient boolean restored;

    public ChargedUnfulfilledScreen(long holdMs, long withinMs, StateLayout layout) {
        super(TRACKS, TypeInformation.of(OrderScreen.Track.class));
        this.holdMs = holdMs;
        this.withinMs = withinMs;
        this.sliceMs = sliceMs(holdMs);
        this.layout = layout;
        new OrderScreen(holdMs, withinMs); // fails here, when the job is built, on bad settings
    }

    static long sliceMs(long holdMs) {
        return Math.max(1, holdMs / 4);
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        restored = context.isRestored();
    }

    @Override
    public void open() throws Exception {
        super.open();
        screen = new OrderScreen(holdMs, withinMs);
        tables = getPartitionedState(new ValueStateDescriptor<>(TABLES, PaymentTrackTableSerializer.INSTANCE));
        newTrackTimers = new OrderScreen.Timers() {
            @Override
            public void at(long time) {
                timers.at(time);
            }

            @Override
            public void cancel(long time) {}
        };
        if (restored && layout == StateLayout.MAP) {
            moveTablesIntoTracks();
        }
    }

    @Override
    protected String orderOf(PaymentEvent e) {
        return e.orderId;
    }

    @Override
    protected OrderScreen.Track newTrack() {
        return new OrderScreen.Track();
    }

    @Override
    protected boolean onEvent(OrderScreen.Track t, PaymentEvent e, long watermark) {
        return decide(t, e, timers);
    }

    /** An event of the order, its timers set (and deleted) through {@code orderTimers}. */
    private boolean decide(OrderScreen.Track t, PaymentEvent e, OrderScreen.Timers orderTimers) {
        if (e.kind == EventKind.CHARGE) {
            return screen.onCharge(t, e, orderTimers); // false: completed within the hold, nothing to remember
        }
        screen.onResolver(t, e, orderTimers);
        return true;
    }

    @Override
    protected void onTime(OrderScreen.Track t, long time) {
        // what is forwarded here carries the timer's time: exactly the stamp CEP must see
        screen.onTime(t, time, this::forward,
                r -> sideOutput(RESOLVER_SIGNALS, ChargedUnfulfilledPattern.resolverSignal(r)), timers);
    }

    @Override
    public void processElement(StreamRecord<PaymentEvent> element) throws Exception {
        if (layout == StateLayout.MAP) {
            super.processElement(element);
            return;
        }
        PaymentEvent e = element.getValue();
        order = e.orderId;
        stamp = element.getTimestamp();
        // a table already in state changes in place: the heap backend holds that very object
        // (copied on read while a snapshot holds it), so only a new one needs storing
        PaymentTrackTable table = tables.value();
        PaymentEvent lone = table == null ? null : (PaymentEvent) table.get(order);
        tracks.setCurrentNamespace(order);
        OrderScreen.Track t;
        if (lone != null) {
            // the order's next event: its lone charge goes into a track, as if it had been held there
            table.remove(order);
            clearIfEmpty(table);
            t = new OrderScreen.Track();
            t.heldCharges = new PaymentEvent[] {lone};
        } else {
            t = tracks.value();
            if (t == null) {
                if (e.kind == EventKind.CHARGE) {
                    holdAlone(table, e); // a new order's charge: nothing can complete it yet
                    return;
                }
                t = new OrderScreen.Track();
            }
        }
        boolean changed = decide(t, e, lone != null ? newTrackTimers : timers);
        if (lone != null) {
            for (PaymentEvent c : t.heldCharges) {
                if (c == lone) { // still held: the timer it would have had since it arrived
                    timers.at(lone.eventTime + holdMs);
                    break;
                }
            }
            changed = true;
        }
        if (changed && !t.isEmpty()) {
            tracks.update(t);
        }
    }

    /** Holds a new order's charge in the merchant's table until the order's next event or its slice. */
    private void holdAlone(PaymentTrackTable table, PaymentEvent charge) throws Exception {
        boolean isNew = table == null;
        if (isNew) {
            table = new PaymentTrackTable();
        }
        long due = charge.eventTime + holdMs;
        table.putLone(order, charge, due);
        long slice = Math.floorDiv(due, sliceMs) * sliceMs;
        if (slice != table.expiryTimer) { // the timer service keeps one per (key, namespace, time) anyway
            decisions.registerEventTimeTimer(SLICES, slice);
            table.expiryTimer = slice;
        }
        if (isNew) {
            tables.update(table);
        }
    }

    @Override
    public void onEventTime(InternalTimer<String, String> timer) throws Exception {
        if (SLICES.equals(timer.getNamespace())) {
            giveTracksToChargesDueIn(timer.getTimestamp());
        } else {
            super.onEventTime(timer);
        }
    }

    /**
     * The merchant's slice timer at {@code slice}: each charge still alone and due before the next
     * slice gets its track and its timer at its due time, which this timer service fires in order.
     */
    private void giveTracksToChargesDueIn(long slice) throws Exception {
        PaymentTrackTable table = tables.value();
        if (table == null) {
            return;
        }
        table.forgetUpTo(slice + sliceMs - 1, (id, charge, due) -> trackOf(id, (PaymentEvent) charge, due));
        if (table.expiryTimer <= slice) {
            table.expiryTimer = PaymentTrackTable.NONE; // a charge due in a past slice registers anew
        }
        if (!table.isEmpty()) {
            // each charge left has its slice's timer, unless it was held with another hold (the
            // rule's window changed across a restore) and so in another build's slices: the next
            // slice's timer, set here while charges are left, reaches them slice by slice (the
            // timer service keeps one per time, so a busy merchant's slices cost nothing more)
            decisions.registerEventTimeTimer(SLICES, slice + sliceMs);
        }
        clearIfEmpty(table);
    }

    /**
     * A lone charge's track: the charge held, with its timer at its due time. (An order is either
     * alone in the table or has a track; were it both, the track would keep what it holds.)
     */
    private void trackOf(String orderId, PaymentEvent charge, long due) throws Exception {
        order = orderId;
        tracks.setCurrentNamespace(orderId);
        OrderScreen.Track t = tracks.value();
        if (t == null) {
            t = new OrderScreen.Track();
        }
        t.heldCharges = Arrays.copyOf(t.heldCharges, t.heldCharges.length + 1);
        t.heldCharges[t.heldCharges.length - 1] = charge;
        timers.at(due);
        tracks.update(t);
    }

    /** After a change of {@code table} (read from state, so changed there in place): an empty one goes. */
    private void clearIfEmpty(PaymentTrackTable table) throws Exception {
        if (table.isEmpty()) {
            tables.clear(); // a quiet merchant leaves no empty table behind
        }
    }

    /** The charges waiting alone in the merchants' tables (tests). */
    long loneCharges() throws Exception {
        long[] n = {0};
        forEachTable(TABLES, tables, table -> n[0] += table.size());
        return n[0];
    }

    /** {@link StateLayout#MAP}, restored: the lone charges of the other layout get their tracks. */
    private void moveTablesIntoTracks() throws Exception {
        forEachTable(TABLES, tables, table -> {
            table.forEach((id, charge, due) -> trackOf(id, (PaymentEvent) charge, due));
            tables.clear(); // its slice timers find nothing
        });
    }
}
