package io.paywatch.jobs.alerting;

import io.paywatch.model.OwnSerializerSnapshot;
import io.paywatch.model.PaymentEvent;
import io.paywatch.model.PaymentEventSerializer;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * The serializer of a merchant's {@link PaymentTrackTable} in checkpoints and savepoints. Layout
 * (version 1): the expiry timer's time, the number of payments, then for each its id, its expiry,
 * and either {@code 0} and its lone event, or {@code 1} and its track (the arrived events, the
 * held events, each a count and the events, then {@code openUntil}). Events are written by
 * {@link PaymentEventSerializer}. {@link #copy} is a copy the screen may change without touching
 * the original ({@link PaymentTrackTable#copy}).
 */
public final class PaymentTrackTableSerializer extends TypeSerializer<PaymentTrackTable> {
    private static final long serialVersionUID = 1L;
    public static final PaymentTrackTableSerializer INSTANCE = new PaymentTrackTableSerializer();
    private static final byte LONE = 0;
    private static final byte TRACK = 1;
    private static final PaymentEventSerializer EVENTS = PaymentEventSerializer.INSTANCE;

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public TypeSerializer<PaymentTrackTable> duplicate() {
        return this;
    }

    @Override
    public PaymentTrackTable createInstance() {
        return new PaymentTrackTable();
    }

    @Override
    public PaymentTrackTable copy(PaymentTrackTable from) {
        return from.copy();
    }

    @Override
    public PaymentTrackTable copy(PaymentTrackTable from, PaymentTrackTable reuse) {
        return from.copy();
    }

    @Override
    public int getLength() {
        return -1;
    }

    /** The bytes {@link #serialize} gathers before handing them to the checkpoint's stream. */
    private static final int WRITE_CHUNK = 16 * 1024;

    /**
     * Entries are gathered in memory and handed to {@code target} about 16 KB at a time: a
     * checkpoint's stream costs several calls down Flink's wrappers for each field written, which
     * made this table the second-largest cost of a heap checkpoint's asynchronous part after
     * dedup's ids (docs/performance.md). The bytes are the same as written field by field. Both
     * screens keep their tables with this serializer.
     */
    @Override
    public void serialize(PaymentTrackTable table, DataOutputView target) throws IOException {
        // room for a chunk and the entry that fills it, so that the buffer rarely grows
        DataOutputSerializer out = new DataOutputSerializer((int) Math.min(2 * WRITE_CHUNK, 64 + 128L * table.size()));
        out.writeLong(table.expiryTimer);
        out.writeInt(table.size());
        table.forEach((id, value, expiresAt) -> {
            StringValue.writeString(id, out);
            out.writeLong(expiresAt);
            if (value instanceof PaymentEvent) {
                out.writeByte(LONE);
                EVENTS.serialize((PaymentEvent) value, out);
            } else {
                PaymentPairScreen.Track t = (PaymentPairScreen.Track) value;
                out.writeByte(TRACK);
                writeEvents(t.arrived, out);
                writeEvents(t.held, out);
                out.writeLong(t.openUntil);
            }
            if (out.length() >= WRITE_CHUNK) {
                target.write(out.getSharedBuffer(), 0, out.length());
                out.clear();
            }
        });
        target.write(out.getSharedBuffer(), 0, out.length());
    }

    private static void writeEvents(PaymentEvent[] events, DataOutputView out) throws IOException {
        out.writeInt(events.length);
        for (PaymentEvent e : events) {
            EVENTS.serialize(e, out);
        }
    }

    private static PaymentEvent[] readEvents(DataInputView in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            throw new IOException("payment track table: negative event count " + n);
        }
        PaymentEvent[] events = new PaymentEvent[n];
        for (int i = 0; i < n; i++) {
            events[i] = EVENTS.deserialize(in);
        }
        return events;
    }

    @Override
    public PaymentTrackTable deserialize(DataInputView in) throws IOException {
        long expiryTimer = in.readLong();
        int n = in.readInt();
        if (n < 0) {
            throw new IOException("payment track table: negative size " + n);
        }
        PaymentTrackTable table = new PaymentTrackTable(n);
        for (int i = 0; i < n; i++) {
            String id = StringValue.readString(in);
            long expiresAt = in.readLong();
            byte tag = in.readByte();
            if (tag == LONE) {
                table.putLone(id, EVENTS.deserialize(in), expiresAt);
            } else if (tag == TRACK) {
                PaymentPairScreen.Track t = new PaymentPairScreen.Track();
                t.arrived = readEvents(in);
                t.held = readEvents(in);
                t.openUntil = in.readLong();
                table.putTrack(id, t);
            } else {
                throw new IOException("payment track table: unknown entry tag " + tag);
            }
        }
        table.expiryTimer = expiryTimer;
        return table;
    }

    @Override
    public PaymentTrackTable deserialize(PaymentTrackTable reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        target.writeLong(source.readLong());
        int n = source.readInt();
        target.writeInt(n);
        for (int i = 0; i < n; i++) {
            StringValue.copyString(source, target);
            target.writeLong(source.readLong());
            byte tag = source.readByte();
            target.writeByte(tag);
            if (tag == LONE) {
                EVENTS.copy(source, target);
            } else {
                copyEvents(source, target);
                copyEvents(source, target);
                target.writeLong(source.readLong());
            }
        }
    }

    private static void copyEvents(DataInputView source, DataOutputView target) throws IOException {
        int n = source.readInt();
        target.writeInt(n);
        for (int i = 0; i < n; i++) {
            EVENTS.copy(source, target);
        }
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof PaymentTrackTableSerializer;
    }

    @Override
    public int hashCode() {
        return PaymentTrackTableSerializer.class.hashCode();
    }

    @Override
    public TypeSerializerSnapshot<PaymentTrackTable> snapshotConfiguration() {
        return new Snapshot();
    }

    /** The serializer's snapshot in checkpoints ({@link OwnSerializerSnapshot}). */
    public static final class Snapshot extends OwnSerializerSnapshot<PaymentTrackTable> {
        public Snapshot() {
            super(INSTANCE, PaymentTrackTable.class);
        }
    }
}
