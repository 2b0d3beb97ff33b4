package io.paywatch.jobs.alerting;

import io.paywatch.model.EventKind;
import io.paywatch.model.PatternSignal;
import io.paywatch.model.PaymentEvent;
import io.paywatch.patterns.ChargedUnfulfilledPattern;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.util.OutputTag;

/**
 * Flink shell around {@link OrderScreen}, run in dedup's chain keyed by merchant, each order's
 * track in its own namespace ({@link MerchantKeyedScreen}), in front of the
 * {@code charged_unfulfilled} CEP operator (keyed by merchant and order): charges completed within
 * the hold never leave dedup's task, and only the fulfilments and refunds that may resolve an
 * incident reach the incidents ({@link #RESOLVER_SIGNALS}). An order's state and timers are gone
 * once it is decided and no incident of it can be open any more.
 */
public class ChargedUnfulfilledScreen extends MerchantKeyedScreen<OrderScreen.Track> {
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

    public ChargedUnfulfilledScreen(long holdMs, long withinMs) {
        super("order", TypeInformation.of(OrderScreen.Track.class));
        this.holdMs = holdMs;
        this.withinMs = withinMs;
        new OrderScreen(holdMs, withinMs); // fails here, when the job is built, on bad settings
    }

    @Override
    public void open() throws Exception {
        super.open();
        screen = new OrderScreen(holdMs, withinMs);
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
        if (e.kind == EventKind.CHARGE) {
            return screen.onCharge(t, e, timers); // false: completed within the hold, nothing to remember
        }
        screen.onResolver(t, e, timers);
        return true;
    }

    @Override
    protected void onTime(OrderScreen.Track t, long time) {
        // what is forwarded here carries the timer's time: exactly the stamp CEP must see
        screen.onTime(t, time, this::forward,
                r -> sideOutput(RESOLVER_SIGNALS, ChargedUnfulfilledPattern.resolverSignal(r)), timers);
    }
}
