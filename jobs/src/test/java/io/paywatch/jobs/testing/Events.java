package io.paywatch.jobs.testing;

import io.paywatch.model.EventKind;
import io.paywatch.model.PaymentEvent;
import io.paywatch.model.ReturnCodeCatalog;

/** Builders of payment events for tests. */
public final class Events {
    public static final long T0 = 1_795_428_000_000L; // 2026-11-23T10:00:00Z

    private static long counter;

    private Events() {}

    public static PaymentEvent payment(long time, String merchant, String channel, String failedCode) {
        PaymentEvent e = new PaymentEvent();
        e.eventId = "e-" + (++counter);
        e.eventTime = time;
        e.kind = EventKind.PAYMENT;
        e.paymentId = "p-" + counter;
        e.orderId = "o-" + counter;
        e.merchantId = merchant;
        e.channel = channel;
        e.amountMinor = 100L;
        e.currency = "CNY";
        if (failedCode != null) {
            e.failed = true;
            e.code = failedCode;
            e.category = ReturnCodeCatalog.defaultCatalog().categoryOf(failedCode);
        }
        return e;
    }

    public static PaymentEvent ok(long time, String merchant, String channel) {
        return payment(time, merchant, channel, null);
    }

    public static PaymentEvent failed(long time, String merchant, String channel, String code) {
        return payment(time, merchant, channel, code);
    }
}
