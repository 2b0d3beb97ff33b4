package io.paywatch.jobs.alerting;

import io.paywatch.model.PaymentEvent;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Flink shell around {@link PaymentPairScreen}, keyed like the {@code failed_but_charged} CEP
 * operator it feeds (merchant and payment) and chained to it: a payment's lone charge or lone
 * failure never reaches CEP. A key's state and timers are gone once nothing can pair with it.
 */
public class FailedButChargedScreen extends KeyedProcessFunction<String, PaymentEvent, PaymentEvent> {
    private static final long serialVersionUID = 1L;

    private final long withinMs;
    private transient PaymentPairScreen screen;
    private transient ValueState<PaymentPairScreen.Track> track;

    public FailedButChargedScreen(long withinMs) {
        this.withinMs = withinMs;
        new PaymentPairScreen(withinMs); // fails here, when the job is built, on bad settings
    }

    @Override
    public void open(OpenContext openContext) {
        screen = new PaymentPairScreen(withinMs);
        track = getRuntimeContext().getState(
                new ValueStateDescriptor<>("payment", TypeInformation.of(PaymentPairScreen.Track.class)));
    }

    @Override
    public void processElement(PaymentEvent e, Context ctx, Collector<PaymentEvent> out) throws Exception {
        if (e.eventTime <= ctx.timerService().currentWatermark()) {
            out.collect(e); // behind the watermark: CEP reports it late, as it would unscreened
            return;
        }
        PaymentPairScreen.Track t = track.value();
        if (t == null) {
            t = new PaymentPairScreen.Track();
        }
        screen.onEvent(t, e, ctx.timerService()::registerEventTimeTimer);
        track.update(t);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<PaymentEvent> out) throws Exception {
        PaymentPairScreen.Track t = track.value();
        if (t == null) {
            return;
        }
        // what is forwarded here carries the timer's time: the stamp CEP must see
        screen.onTime(t, timestamp, out::collect, ctx.timerService()::registerEventTimeTimer);
        if (t.isEmpty()) {
            track.clear();
        } else {
            track.update(t);
        }
    }
}
