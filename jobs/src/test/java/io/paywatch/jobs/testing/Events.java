package io.paywatch.jobs.testing;

import io.paywatch.model.EventKind;
import io.paywatch.model.PaymentEvent;
import io.paywatch.model.ReturnCodeCatalog;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

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

    /**
     * Payments on channel card as JSON lines, second by second from {@code start}: {@code failing}
     * merchants at two a second, one in two declined for insufficient balance (no timeout burst)
     * before second {@code failingUntil}, and ten healthy merchants at one a second, so the
     * channel itself stays healthy (its alert would inhibit the merchants').
     */
    public static List<String> cardTraffic(long start, int fromSecond, int toSecond, List<String> failing,
            int failingUntil) {
        List<String> lines = new ArrayList<>();
        for (int s = fromSecond; s < toSecond; s++) {
            for (int k = 0; k < 2; k++) {
                for (String m : failing) {
                    boolean failed = s < failingUntil && k == 0;
                    lines.add(cardPaymentLine(start + s * 1000L + k * 500, m + "-" + s + "-" + k, m, failed));
                }
            }
            for (int h = 0; h < 10; h++) {
                lines.add(cardPaymentLine(start + s * 1000L + 100 + h, "h" + h + "-" + s, "m-healthy-" + h, false));
            }
        }
        return lines;
    }

    /** One card payment as the contract's JSON line; a failed one has code 101. */
    public static String cardPaymentLine(long time, String id, String merchant, boolean failed) {
        return String.format(Locale.ROOT, "{\"event_id\":\"e-%s\",\"event_time\":%d,\"kind\":\"payment\","
                + "\"payment_id\":\"p-%s\",\"order_id\":\"o-%s\",\"merchant_id\":\"%s\",\"channel\":\"card\","
                + "\"status\":\"%s\"%s,\"amount_minor\":1000,\"currency\":\"CNY\"}", id, time, id, id, merchant,
                failed ? "failed" : "succeeded", failed ? ",\"code\":\"101\"" : "");
    }
}
