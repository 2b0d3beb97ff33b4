package io.paywatch.jobs.alerting;

import io.paywatch.model.PaymentEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.internal.InternalValueState;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

/**
 * The Flink shell of a screen in front of a CEP rule keyed by merchant and order (or payment),
 * run in dedup's chain, keyed by merchant like dedup: each order's track and its event-time
 * timers live in the order's own namespace (on the heap a subclass may keep an order's lone
 * event in a table per merchant instead, with timers of the merchant's). That is exactly the
 * state and the timers of the screen keyed by merchant and order — one track and one timer per
 * order and time — without sending every charge, fulfilment and failure across a keyed exchange
 * to reach it: only what the screen forwards goes on, by CEP's key, to CEP.
 *
 * <p>Orders of one merchant are independent of each other (no decision reads another order's
 * track), so the order in which their events and timers interleave changes nothing; an order's
 * own events arrive in dedup's order, as they did across the exchange.
 *
 * @param <T> one order's track
 */
public abstract class MerchantKeyedScreen<T extends MerchantKeyedScreen.Track> extends AbstractStreamOperator<PaymentEvent>
        implements OneInputStreamOperator<PaymentEvent, PaymentEvent>, Triggerable<String, String> {
    private static final long serialVersionUID = 1L;

    /** One order's state in a screen: cleared once nothing of the order is left to decide. */
    public interface Track {
        boolean isEmpty();
    }

    private final String stateName;
    private final TypeInformation<T> trackType;

    /** Each order's track, in the order's namespace (a subclass may keep some elsewhere). */
    protected transient InternalValueState<String, String, T> tracks;
    protected transient InternalTimerService<String> decisions;
    private transient StreamRecord<PaymentEvent> stamped;
    /** The order being decided: the namespace of the timers it registers. */
    protected transient String order;
    /** The time of the element or timer being handled: what {@link #forward} stamps. */
    protected transient long stamp;
    /** Registers (and deletes) decision timers of the order being decided. */
    protected transient OrderScreen.Timers timers;

    protected MerchantKeyedScreen(String stateName, TypeInformation<T> trackType) {
        this.stateName = stateName;
        this.trackType = trackType;
    }

    /** The order (or payment) an event belongs to, within its merchant. */
    protected abstract String orderOf(PaymentEvent e);

    protected abstract T newTrack();

    /**
     * An event of the order arrives; {@link #forward} sends it on with its own time.
     *
     * @return whether the track is to be kept (false: nothing of the event is remembered)
     */
    protected abstract boolean onEvent(T track, PaymentEvent e, long watermark) throws Exception;

    /** Event time has reached one of the order's timers; {@link #forward} stamps with {@code time}. */
    protected abstract void onTime(T track, long time) throws Exception;

    @Override
    @SuppressWarnings("unchecked")
    public void open() throws Exception {
        super.open();
        tracks = (InternalValueState<String, String, T>) getOrCreateKeyedState(StringSerializer.INSTANCE,
                new ValueStateDescriptor<>(stateName, trackType));
        decisions = getInternalTimerService("order-decisions", StringSerializer.INSTANCE, this);
        stamped = new StreamRecord<>(null);
        timers = new OrderScreen.Timers() {
            @Override
            public void at(long time) {
                decisions.registerEventTimeTimer(order, time);
            }

            @Override
            public void cancel(long time) {
                decisions.deleteEventTimeTimer(order, time);
            }
        };
    }

    /** Sends an event on to CEP, stamped with the time of the element or timer being handled. */
    protected final void forward(PaymentEvent e) {
        output.collect(stamped.replace(e, stamp));
    }

    /** Sends a value to a side output, stamped like {@link #forward}. */
    protected final <X> void sideOutput(OutputTag<X> tag, X value) {
        output.collect(tag, new StreamRecord<>(value, stamp));
    }

    @Override
    public void processElement(StreamRecord<PaymentEvent> element) throws Exception {
        PaymentEvent e = element.getValue();
        order = orderOf(e);
        stamp = element.getTimestamp();
        tracks.setCurrentNamespace(order);
        T t = tracks.value();
        if (t == null) {
            t = newTrack();
        }
        if (onEvent(t, e, decisions.currentWatermark())) {
            tracks.update(t);
        }
    }

    @Override
    public void onEventTime(InternalTimer<String, String> timer) throws Exception {
        order = timer.getNamespace();
        stamp = timer.getTimestamp();
        tracks.setCurrentNamespace(order);
        T t = tracks.value();
        if (t == null) {
            return; // a dropped event's decision time: nothing left to decide
        }
        onTime(t, stamp);
        if (t.isEmpty()) {
            tracks.clear();
        } else {
            tracks.update(t);
        }
    }

    /** What {@link #forEachTable} does with one merchant's table. */
    @FunctionalInterface
    protected interface TableAction {
        void accept(PaymentTrackTable table) throws Exception;
    }

    /**
     * Calls {@code action} with each merchant's table in the value state {@code name}, with the
     * merchant as the current key (a restore moving tables over, when the operator opens).
     */
    protected final void forEachTable(String name, ValueState<PaymentTrackTable> tables, TableAction action)
            throws Exception {
        List<String> merchants = new ArrayList<>();
        try (Stream<String> s = this.<String>getKeyedStateBackend().getKeys(name, VoidNamespace.INSTANCE)) {
            s.forEach(merchants::add);
        }
        for (String merchant : merchants) {
            setCurrentKey(merchant);
            PaymentTrackTable table = tables.value();
            if (table != null) {
                action.accept(table);
            }
        }
    }

    @Override
    public void onProcessingTime(InternalTimer<String, String> timer) {
        // decisions are made in event time only
    }
}
