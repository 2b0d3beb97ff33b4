package io.paywatch.jobs.ingest;

import io.paywatch.model.PaymentEvent;

/**
 * Which of a valid event's fields travel past the parser. With every pattern rule switched off
 * (a rates-only job), nothing after the parser reads the payment's and order's ids, the amount,
 * the message or the risk fields: dedup reads the event id and time, the rate rules the merchant,
 * channel, kind, outcome, code and category (and the failed events' ids as samples). Dropping
 * the others before the exchange to dedup is what SQL's optimizer does when it pushes a
 * projection down: fewer bytes serialised, sent and read back for every event.
 *
 * <p>The fields are dropped after validation, so the same records are accepted and rejected,
 * with the same dead letters (they quote the raw record, not the event).
 */
public enum EventProjection {
    /** Every field: the pattern rules, their screens and their evidence read them. */
    ALL,
    /** The fields the rate rules and dedup read. */
    RATES;

    /** Drops from {@code e} the fields this projection does not keep; returns {@code e}. */
    public PaymentEvent apply(PaymentEvent e) {
        if (this == RATES) {
            e.paymentId = null;
            e.orderId = null;
            e.message = null;
            e.amountMinor = null;
            e.currency = null;
            e.userId = null;
            e.cardFingerprint = null;
            e.deviceId = null;
            e.latencyMs = null;
        }
        return e;
    }
}
