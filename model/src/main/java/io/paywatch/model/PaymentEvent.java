package io.paywatch.model;

import java.util.Objects;

/**
 * One validated payment event (contract section 1). Optional fields are null when absent. Flink
 * serialises it with {@link PaymentEventSerializer} (never Kryo, nor the slower POJO serializer).
 */
@org.apache.flink.api.common.typeinfo.TypeInfo(PaymentEventTypeInfo.Factory.class)
public class PaymentEvent {
    public String eventId;
    /** Event time, epoch milliseconds. */
    public long eventTime;

    public EventKind kind;
    public String paymentId;
    public String orderId;
    public String merchantId;
    public String channel;
    /** Only for kind = payment: true when status = failed. */
    public boolean failed;
    /** Return code; set when failed. */
    public String code;
    /** Category of {@link #code} from the catalogue; set when failed. */
    public Category category;

    public String message;
    public Long amountMinor;
    public String currency;
    public String userId;
    public String cardFingerprint;
    public String deviceId;
    public Long latencyMs;

    /**
     * {@link #eventId}'s {@code String.hashCode}, computed while the serializer read it, and the
     * very string it belongs to: dedup hashes every event's id, and a freshly read string has no
     * hash of its own yet. Not part of the event (not serialised, not compared).
     */
    private transient String hashedEventId;
    private transient int eventIdHash;

    public PaymentEvent() {}

    /** {@code eventId.hashCode()} (not null), without reading the id again where that is known. */
    public int eventIdHash() {
        String id = eventId;
        return id == hashedEventId ? eventIdHash : id.hashCode();
    }

    /** What {@link #eventIdHash} returns while {@link #eventId} is {@code id}: its {@code String.hashCode}. */
    void knowEventIdHash(String id, int hash) {
        hashedEventId = id;
        eventIdHash = hash;
    }

    /** Whatever {@code from} knows of its id's hash (a copy computes nothing). */
    void copyEventIdHash(PaymentEvent from) {
        hashedEventId = from.hashedEventId;
        eventIdHash = from.eventIdHash;
    }

    public boolean isPayment() {
        return kind == EventKind.PAYMENT;
    }

    public boolean isFailedPayment() {
        return kind == EventKind.PAYMENT && failed;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof PaymentEvent)) {
            return false;
        }
        PaymentEvent e = (PaymentEvent) o;
        return eventTime == e.eventTime
                && failed == e.failed
                && Objects.equals(eventId, e.eventId)
                && kind == e.kind
                && Objects.equals(paymentId, e.paymentId)
                && Objects.equals(orderId, e.orderId)
                && Objects.equals(merchantId, e.merchantId)
                && Objects.equals(channel, e.channel)
                && Objects.equals(code, e.code)
                && category == e.category
                && Objects.equals(message, e.message)
                && Objects.equals(amountMinor, e.amountMinor)
                && Objects.equals(currency, e.currency)
                && Objects.equals(userId, e.userId)
                && Objects.equals(cardFingerprint, e.cardFingerprint)
                && Objects.equals(deviceId, e.deviceId)
                && Objects.equals(latencyMs, e.latencyMs);
    }

    @Override
    public int hashCode() {
        return Objects.hash(eventId, eventTime, kind, paymentId);
    }

    @Override
    public String toString() {
        return "PaymentEvent{"
                + eventId
                + " "
                + kind.wireName()
                + " @"
                + eventTime
                + " m="
                + merchantId
                + " ch="
                + channel
                + (failed ? " failed " + code : "")
                + "}";
    }
}
