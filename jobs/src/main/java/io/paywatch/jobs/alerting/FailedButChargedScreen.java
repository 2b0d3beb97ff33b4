package io.paywatch.jobs.alerting;

import io.paywatch.model.PaymentEvent;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * Flink shell around {@link PaymentPairScreen}, run in dedup's chain keyed by merchant, each
 * payment's track in its own namespace ({@link MerchantKeyedScreen}), in front of the
 * {@code failed_but_charged} CEP operator (keyed by merchant and payment): a payment's lone
 * charge or lone failure never leaves dedup's task. A payment's state and timers are gone once
 * nothing can pair with it.
 */
public class FailedButChargedScreen extends MerchantKeyedScreen<PaymentPairScreen.Track> {
    private static final long serialVersionUID = 1L;

    private final long withinMs;
    private transient PaymentPairScreen screen;

    public FailedButChargedScreen(long withinMs) {
        super("payment", TypeInformation.of(PaymentPairScreen.Track.class));
        this.withinMs = withinMs;
        new PaymentPairScreen(withinMs); // fails here, when the job is built, on bad settings
    }

    @Override
    public void open() throws Exception {
        super.open();
        screen = new PaymentPairScreen(withinMs);
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
}
