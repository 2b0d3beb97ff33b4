package io.paywatch.jobs.alerting;

import io.paywatch.model.EventKind;
import io.paywatch.model.PatternSignal;
import io.paywatch.model.PaymentEvent;
import io.paywatch.patterns.ChargedUnfulfilledPattern;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Flink shell around {@link OrderScreen}, keyed like the {@code charged_unfulfilled} CEP
 * operator it feeds (merchant and order) and chained to it: charges completed within the hold
 * never reach CEP, and only the fulfilments and refunds that may resolve an incident reach the
 * incidents ({@link #RESOLVER_SIGNALS}). A key's state and timers are gone once its order is
 * decided and no incident of it can be open any more.
 */
public class ChargedUnfulfilledScreen extends KeyedProcessFunction<String, PaymentEvent, PaymentEvent> {
    private static final long serialVersionUID = 1L;
    /**
     * The resolvers that may resolve an incident of their order, as signals for the incidents:
     * all the others find none open (most fulfilments come seconds after their charge).
     */
    public static final OutputTag<PatternSignal> RESOLVER_SIGNALS = new OutputTag<>(
            "charged-unfulfilled-resolver-signals", TypeInformation.of(PatternSignal.class));

    private final long holdMs;
    private final long withinMs;
    private transient OrderScreen screen;
    private transient ValueState<OrderScreen.Track> track;

    public ChargedUnfulfilledScreen(long holdMs, long withinMs) {
        this.holdMs = holdMs;
        this.withinMs = withinMs;
        new OrderScreen(holdMs, withinMs); // fails here, when the job is built, on bad settings
    }

    @Override
    public void open(OpenContext openContext) {
        screen = new OrderScreen(holdMs, withinMs);
        track = getRuntimeContext().getState(
                new ValueStateDescriptor<>("order", TypeInformation.of(OrderScreen.Track.class)));
    }

    @Override
    public void processElement(PaymentEvent e, Context ctx, Collector<PaymentEvent> out) throws Exception {
        OrderScreen.Track t = track.value();
        if (t == null) {
            t = new OrderScreen.Track();
        }
        OrderScreen.Timers timers = ctx.timerService()::registerEventTimeTimer;
        if (e.kind == EventKind.CHARGE) {
            if (!screen.onCharge(t, e, timers)) {
                return; // completed within the hold: nothing to remember of it
            }
        } else {
            screen.onResolver(t, e, timers);
        }
        track.update(t);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<PaymentEvent> out) throws Exception {
        OrderScreen.Track t = track.value();
        if (t == null) {
            return; // a dropped charge's decision time: nothing left to decide
        }
        // what is forwarded here carries the timer's time: exactly the stamp CEP must see
        screen.onTime(t, timestamp, out::collect,
                r -> ctx.output(RESOLVER_SIGNALS, ChargedUnfulfilledPattern.resolverSignal(r)),
                ctx.timerService()::registerEventTimeTimer);
        if (t.isEmpty()) {
            track.clear();
        } else {
            track.update(t);
        }
    }
}
