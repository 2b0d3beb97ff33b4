package io.paywatch.model;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The payment event's serializer: every exchange and every piece of keyed state that holds
 * events (CEP's buffers above all) goes through it. Flink's POJO serializer, which it replaces,
 * reads and writes each field by reflection behind a null flag of its own; this one writes the
 * null fields as one bit mask, then the fields in a fixed order, with Flink's string encoding.
 *
 * <p>Layout (version 1): {@code int} null mask (bit i = nullable field i below is null), {@code
 * long} event time, {@code boolean} failed, then each non-null field: event id, kind (ordinal
 * byte), payment id, order id, merchant id, channel, code, category (ordinal byte), message,
 * amount (long), currency, user id, card fingerprint, device id, latency (long). The enums are
 * written by ordinal: a constant added to {@link EventKind} or {@link Category} goes at the end,
 * and reordering them needs a new version.
 *
 * <p>Checkpoints written with the POJO serializer restore: the snapshot declares them
 * compatible after migration, so Flink reads them with the POJO serializer and writes them with
 * this one.
 *
 * <p>Strings are written and read by {@link FlinkStrings} (the same encoding), taken once per event rather
 * than Flink's thread-local buffer once per field (eleven lookups showed in the profile), and
 * the short, repeating ones (merchant, channel, code, currency) come back as the same
 * {@code String} each time, with its hash already computed for every keyBy and map lookup after
 * it.
 */
public final class PaymentEventSerializer extends TypeSerializer<PaymentEvent> {
    private static final long serialVersionUID = 1L;
    public static final PaymentEventSerializer INSTANCE = new PaymentEventSerializer();

    /** One reader and writer per thread, for a thread that finds this serializer's taken. */
    private static final ThreadLocal<FlinkStrings> STRINGS = ThreadLocal.withInitial(FlinkStrings::new);

    /**
     * This serializer's reader and writer, owned by the thread that first used it. A task's
     * network inputs and outputs each get their own serializer (deserialised from the task's
     * configuration), and state gets its own through {@link #duplicate}, so on the per-event paths
     * the owner is the only user, and finding the reader costs one comparison instead of a
     * thread-local lookup per event (1–2 % of the source's and dedup's threads in JFR). Any other
     * thread (one that meets a shared instance such as {@link #INSTANCE}) takes its thread-local
     * reader: a reader's buffers and cache are never used by two threads.
     */
    private transient volatile FlinkStrings own;

    private static final EventKind[] KINDS = EventKind.values();
    private static final Category[] CATEGORIES = Category.values();

    private static final int EVENT_ID = 1;
    private static final int KIND = 1 << 1;
    private static final int PAYMENT_ID = 1 << 2;
    private static final int ORDER_ID = 1 << 3;
    private static final int MERCHANT_ID = 1 << 4;
    private static final int CHANNEL = 1 << 5;
    private static final int CODE = 1 << 6;
    private static final int CATEGORY = 1 << 7;
    private static final int MESSAGE = 1 << 8;
    private static final int AMOUNT = 1 << 9;
    private static final int CURRENCY = 1 << 10;
    private static final int USER_ID = 1 << 11;
    private static final int CARD = 1 << 12;
    private static final int DEVICE_ID = 1 << 13;
    private static final int LATENCY = 1 << 14;

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public TypeSerializer<PaymentEvent> duplicate() {
        return new PaymentEventSerializer(); // its own reader, for the thread that asked
    }

    private FlinkStrings strings() {
        FlinkStrings s = own;
        if (s != null && s.owner == Thread.currentThread()) {
            return s;
        }
        return claimed();
    }

    private FlinkStrings claimed() {
        if (own == null) {
            synchronized (this) {
                if (own == null) {
                    own = new FlinkStrings();
                    return own;
                }
            }
        }
        return STRINGS.get();
    }

    @Override
    public PaymentEvent createInstance() {
        return new PaymentEvent();
    }

    @Override
    public PaymentEvent copy(PaymentEvent from) {
        return copy(from, new PaymentEvent());
    }

    @Override
    public PaymentEvent copy(PaymentEvent from, PaymentEvent to) {
        // strings, enums and boxed longs are immutable: a field copy is a deep copy
        to.eventId = from.eventId;
        to.eventTime = from.eventTime;
        to.kind = from.kind;
        to.paymentId = from.paymentId;
        to.orderId = from.orderId;
        to.merchantId = from.merchantId;
        to.channel = from.channel;
        to.failed = from.failed;
        to.code = from.code;
        to.category = from.category;
        to.message = from.message;
        to.amountMinor = from.amountMinor;
        to.currency = from.currency;
        to.userId = from.userId;
        to.cardFingerprint = from.cardFingerprint;
        to.deviceId = from.deviceId;
        to.latencyMs = from.latencyMs;
        to.copyEventIdHash(from);
        return to;
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(PaymentEvent e, DataOutputView out) throws IOException {
        int nulls = (e.eventId == null ? EVENT_ID : 0) | (e.kind == null ? KIND : 0)
                | (e.paymentId == null ? PAYMENT_ID : 0) | (e.orderId == null ? ORDER_ID : 0)
                | (e.merchantId == null ? MERCHANT_ID : 0) | (e.channel == null ? CHANNEL : 0)
                | (e.code == null ? CODE : 0) | (e.category == null ? CATEGORY : 0)
                | (e.message == null ? MESSAGE : 0) | (e.amountMinor == null ? AMOUNT : 0)
                | (e.currency == null ? CURRENCY : 0) | (e.userId == null ? USER_ID : 0)
                | (e.cardFingerprint == null ? CARD : 0) | (e.deviceId == null ? DEVICE_ID : 0)
                | (e.latencyMs == null ? LATENCY : 0);
        FlinkStrings w = strings();
        out.writeInt(nulls);
        out.writeLong(e.eventTime);
        out.writeBoolean(e.failed);
        string(w, out, e.eventId);
        if (e.kind != null) {
            out.writeByte(e.kind.ordinal());
        }
        string(w, out, e.paymentId);
        string(w, out, e.orderId);
        string(w, out, e.merchantId);
        string(w, out, e.channel);
        string(w, out, e.code);
        if (e.category != null) {
            out.writeByte(e.category.ordinal());
        }
        string(w, out, e.message);
        if (e.amountMinor != null) {
            out.writeLong(e.amountMinor);
        }
        string(w, out, e.currency);
        string(w, out, e.userId);
        string(w, out, e.cardFingerprint);
        string(w, out, e.deviceId);
        if (e.latencyMs != null) {
            out.writeLong(e.latencyMs);
        }
    }

    private static void string(FlinkStrings w, DataOutputView out, String s) throws IOException {
        if (s != null) {
            w.write(out, s);
        }
    }

    @Override
    public PaymentEvent deserialize(DataInputView in) throws IOException {
        return deserialize(new PaymentEvent(), in);
    }

    @Override
    public PaymentEvent deserialize(PaymentEvent e, DataInputView in) throws IOException {
        FlinkStrings r = strings();
        int nulls = in.readInt();
        e.eventTime = in.readLong();
        e.failed = in.readBoolean();
        e.eventId = (nulls & EVENT_ID) != 0 ? null : r.read(in, false);
        if (e.eventId != null) {
            e.knowEventIdHash(e.eventId, r.lastHash());
        }
        e.kind = (nulls & KIND) != 0 ? null : KINDS[in.readByte()];
        e.paymentId = (nulls & PAYMENT_ID) != 0 ? null : r.read(in, false);
        e.orderId = (nulls & ORDER_ID) != 0 ? null : r.read(in, false);
        e.merchantId = (nulls & MERCHANT_ID) != 0 ? null : r.read(in, true);
        e.channel = (nulls & CHANNEL) != 0 ? null : r.read(in, true);
        e.code = (nulls & CODE) != 0 ? null : r.read(in, true);
        e.category = (nulls & CATEGORY) != 0 ? null : CATEGORIES[in.readByte()];
        e.message = (nulls & MESSAGE) != 0 ? null : r.read(in, false);
        e.amountMinor = (nulls & AMOUNT) != 0 ? null : in.readLong();
        e.currency = (nulls & CURRENCY) != 0 ? null : r.read(in, true);
        e.userId = (nulls & USER_ID) != 0 ? null : r.read(in, false);
        e.cardFingerprint = (nulls & CARD) != 0 ? null : r.read(in, false);
        e.deviceId = (nulls & DEVICE_ID) != 0 ? null : r.read(in, false);
        e.latencyMs = (nulls & LATENCY) != 0 ? null : in.readLong();
        return e;
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof PaymentEventSerializer;
    }

    @Override
    public int hashCode() {
        return PaymentEventSerializer.class.hashCode();
    }

    @Override
    public TypeSerializerSnapshot<PaymentEvent> snapshotConfiguration() {
        return new Snapshot();
    }

    /** The serializer's snapshot in checkpoints ({@link OwnSerializerSnapshot}). */
    public static final class Snapshot extends OwnSerializerSnapshot<PaymentEvent> {
        public Snapshot() {
            super(INSTANCE, PaymentEvent.class);
        }
    }
}
