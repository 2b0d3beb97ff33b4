package io.paywatch.jobs.alerting;

import io.paywatch.jobs.runtime.StateLayout;
import io.paywatch.model.PaymentEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Flink shell around {@link PaymentPairScreen}, run in dedup's chain keyed by merchant, in front
 * of the {@code failed_but_charged} CEP operator (keyed by merchant and payment): a payment's lone
 * charge or lone failure never leaves dedup's task. A payment's state and timers are gone once
 * nothing can pair with it.
 *
 * <p>Where the payments live depends on the state backend ({@link StateLayout}):
 * <ul>
 *   <li>{@link StateLayout#MAP} (RocksDB): each payment's track in its own namespace
 *       ({@link MerchantKeyedScreen}), with its timers.</li>
 *   <li>{@link StateLayout#TABLE} (heap): the merchant's payments in one {@link PaymentTrackTable}.
 *       A lone event (most payments) is held there without a track or a timer of its own, and
 *       expires with its time slice: one timer per merchant and slice. The screen with a track
 *       would decide it alone at its timeout, which holds it and forwards nothing
 *       ({@link PaymentPairScreen#onEvent}), so when it is forgotten changes nothing, as long as
 *       a later event of the payment finds what the track would hold: none once event time has
 *       reached the timeout (the lone event is dropped then), else the lone event's track, made
 *       then with its timeout timer, which decides as before. A payment with two events keeps its
 *       track, with exact timers, in the table until the track is empty.</li>
 * </ul>
 * Either layout restores from a checkpoint of the other: the payments move over when the
 * operator opens.
 */
public class FailedButChargedScreen extends MerchantKeyedScreen<PaymentPairScreen.Track> {
    private static final long serialVersionUID = 1L;
    private static final String TRACKS = "payment";
    private static final String TABLES = "payments-by-merchant";

    private final long withinMs;
    /** Lone events are forgotten at the next multiple of this (half the window) after their timeout. */
    private final long expirySliceMs;
    private final StateLayout layout;
    private transient PaymentPairScreen screen;
    /** {@link StateLayout#TABLE}: the merchant's payments. */
    private transient ValueState<PaymentTrackTable> tables;
    private transient InternalTimerService<VoidNamespace> expiries;
    private transient boolean restored;

    public FailedButChargedScreen(long withinMs, StateLayout layout) {
        super(TRACKS, TypeInformation.of(PaymentPairScreen.Track.class));
        this.withinMs = withinMs;
        this.expirySliceMs = Math.max(1, withinMs / 2);
        this.layout = layout;
        new PaymentPairScreen(withinMs); // fails here, when the job is built, on bad settings
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        restored = context.isRestored();
    }

    @Override
    public void open() throws Exception {
        super.open();
        screen = new PaymentPairScreen(withinMs);
        tables = getPartitionedState(new ValueStateDescriptor<>(TABLES, PaymentTrackTableSerializer.INSTANCE));
        // registered in either layout, so that a restored table's expiry timers have a service
        expiries = getInternalTimerService("lone-payment-expiry", VoidNamespaceSerializer.INSTANCE,
                new Triggerable<String, VoidNamespace>() {
                    @Override
                    public void onEventTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
                        expire(timer.getTimestamp());
                    }

                    @Override
                    public void onProcessingTime(InternalTimer<String, VoidNamespace> timer) {}
                });
        if (restored) {
            if (layout == StateLayout.TABLE) {
                moveTracksIntoTables();
            } else {
                moveTablesIntoTracks();
            }
        }
    }

    @Override
    protected String orderOf(PaymentEvent e) {
        return e.paymentId;
    }

    @Override
    protected PaymentPairScreen.Track newTrack() {
        return new PaymentPairScreen.Track();
    }

    @Override
    protected boolean onEvent(PaymentPairScreen.Track t, PaymentEvent e, long watermark) {
        if (e.eventTime <= watermark) {
            forward(e); // behind the watermark: CEP reports it late, as it would unscreened
            return false;
        }
        screen.onEvent(t, e, timers);
        return true;
    }

    @Override
    protected void onTime(PaymentPairScreen.Track t, long time) {
        // what is forwarded here carries the timer's time: the stamp CEP must see
        screen.onTime(t, time, this::forward, timers);
    }

    @Override
    public void processElement(StreamRecord<PaymentEvent> element) throws Exception {
        if (layout == StateLayout.MAP) {
            super.processElement(element);
            return;
        }
        PaymentEvent e = element.getValue();
        stamp = element.getTimestamp();
        long watermark = decisions.currentWatermark();
        if (e.eventTime <= watermark) {
            forward(e); // behind the watermark: CEP reports it late, as it would unscreened
            return;
        }
        PaymentTrackTable table = tables.value();
        // a table already in state changes in place: the heap backend holds that very object
        // (copied on read while a snapshot holds it), so only a new one needs storing
        boolean isNew = table == null;
        if (isNew) {
            table = new PaymentTrackTable();
        }
        Object known = table.get(e.paymentId);
        order = e.paymentId;
        PaymentPairScreen.Track t;
        if (known instanceof PaymentPairScreen.Track) {
            t = (PaymentPairScreen.Track) known;
        } else if (known != null && ((PaymentEvent) known).eventTime + withinMs > watermark) {
            t = new PaymentPairScreen.Track(); // the lone event's track, with its timeout timer
            screen.onEvent(t, (PaymentEvent) known, timers);
        } else {
            // a new payment, or its lone event has timed out: this one is alone
            long expiresAt = e.eventTime + withinMs;
            table.putLone(e.paymentId, e, expiresAt);
            long timer = Math.floorDiv(expiresAt + expirySliceMs - 1, expirySliceMs) * expirySliceMs;
            if (timer != table.expiryTimer) { // the timer service keeps one per (key, time) anyway
                expiries.registerEventTimeTimer(VoidNamespace.INSTANCE, timer);
                table.expiryTimer = timer;
            }
            if (isNew) {
                tables.update(table);
            }
            return;
        }
        screen.onEvent(t, e, timers);
        table.putTrack(e.paymentId, t);
        if (isNew) {
            tables.update(table);
        }
    }

    @Override
    public void onEventTime(InternalTimer<String, String> timer) throws Exception {
        if (layout == StateLayout.MAP) {
            super.onEventTime(timer);
            return;
        }
        order = timer.getNamespace();
        stamp = timer.getTimestamp();
        PaymentTrackTable table = tables.value();
        Object known = table == null ? null : table.get(order);
        if (!(known instanceof PaymentPairScreen.Track)) {
            // gone, or a later lone event of the payment: decided alone it would only be held
            return;
        }
        PaymentPairScreen.Track t = (PaymentPairScreen.Track) known;
        screen.onTime(t, stamp, this::forward, timers);
        if (t.isEmpty()) {
            table.remove(order);
        }
        clearIfEmpty(table);
    }

    /** The expiry timer of a merchant's lone events: those timed out by {@code time} are forgotten. */
    private void expire(long time) throws Exception {
        PaymentTrackTable table = tables.value();
        if (table != null) {
            table.forgetUpTo(time);
            clearIfEmpty(table);
        }
    }

    /** After a timer changed {@code table} (read from state, so changed there in place): an empty one goes. */
    private void clearIfEmpty(PaymentTrackTable table) throws Exception {
        if (table.isEmpty()) {
            tables.clear(); // a quiet merchant leaves no empty table behind
        }
    }

    /** {@link StateLayout#TABLE}, restored: tracks of the other layout move into their merchants' tables. */
    private void moveTracksIntoTables() throws Exception {
        List<Tuple2<String, String>> payments = new ArrayList<>();
        try (Stream<Tuple2<String, String>> s = this.<String>getKeyedStateBackend().<String>getKeysAndNamespaces(TRACKS)) {
            s.forEach(k -> payments.add(Tuple2.of(k.f0, k.f1)));
        }
        for (Tuple2<String, String> p : payments) {
            setCurrentKey(p.f0);
            tracks.setCurrentNamespace(p.f1);
            PaymentPairScreen.Track t = tracks.value();
            if (t != null) {
                PaymentTrackTable table = tables.value();
                if (table == null) {
                    table = new PaymentTrackTable();
                }
                table.putTrack(p.f1, t); // its timers were restored with it
                tables.update(table);
                tracks.clear();
            }
        }
    }

    /**
     * {@link StateLayout#MAP}, restored: the tables of the other layout become tracks; a lone
     * event's track gets the timeout timer it would have had.
     */
    private void moveTablesIntoTracks() throws Exception {
        forEachTable(TABLES, tables, table -> {
            table.forEach((id, value, expiresAt) -> {
                PaymentPairScreen.Track t;
                order = id;
                if (value instanceof PaymentEvent) {
                    t = new PaymentPairScreen.Track();
                    screen.onEvent(t, (PaymentEvent) value, timers);
                } else {
                    t = (PaymentPairScreen.Track) value;
                }
                tracks.setCurrentNamespace(id);
                tracks.update(t);
            });
            tables.clear();
        });
    }
}
