package io.paywatch.jobs.ingest;

import io.paywatch.model.OwnSerializerSnapshot;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * The serializer of a merchant's {@link EventIdTable} in checkpoints and savepoints. Layout
 * (version 1): the cleanup timer's time, the number of ids, then each id and its first
 * delivery's event time. {@link #copy} is deep (the heap backend copies a table that a running
 * snapshot still holds before the dedup changes it).
 */
public final class EventIdTableSerializer extends TypeSerializer<EventIdTable> {
    private static final long serialVersionUID = 1L;
    public static final EventIdTableSerializer INSTANCE = new EventIdTableSerializer();

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public TypeSerializer<EventIdTable> duplicate() {
        return this;
    }

    @Override
    public EventIdTable createInstance() {
        return new EventIdTable();
    }

    @Override
    public EventIdTable copy(EventIdTable from) {
        return from.copy();
    }

    @Override
    public EventIdTable copy(EventIdTable from, EventIdTable reuse) {
        return from.copy();
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(EventIdTable table, DataOutputView out) throws IOException {
        out.writeLong(table.cleanupAt);
        out.writeInt(table.size());
        table.writeIds(out);
    }

    @Override
    public EventIdTable deserialize(DataInputView in) throws IOException {
        long cleanupAt = in.readLong();
        int n = in.readInt();
        if (n < 0) {
            throw new IOException("event id table: negative size " + n);
        }
        EventIdTable table = new EventIdTable(n);
        for (int i = 0; i < n; i++) {
            String id = StringValue.readString(in);
            table.remember(id, in.readLong());
        }
        table.cleanupAt = cleanupAt;
        return table;
    }

    @Override
    public EventIdTable deserialize(EventIdTable reuse, DataInputView in) throws IOException {
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
        }
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof EventIdTableSerializer;
    }

    @Override
    public int hashCode() {
        return EventIdTableSerializer.class.hashCode();
    }

    @Override
    public TypeSerializerSnapshot<EventIdTable> snapshotConfiguration() {
        return new Snapshot();
    }

    /** The serializer's snapshot in checkpoints ({@link OwnSerializerSnapshot}). */
    public static final class Snapshot extends OwnSerializerSnapshot<EventIdTable> {
        public Snapshot() {
            super(INSTANCE, EventIdTable.class);
        }
    }
}
