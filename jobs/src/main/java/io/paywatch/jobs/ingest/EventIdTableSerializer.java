package io.paywatch.jobs.ingest;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * The serializer of a merchant's {@link EventIdTable} in checkpoints and savepoints.
 *
 * <ul>
 *   <li>Layout 2 (written now): the cleanup timer's time, the number of ids, then each id's
 *       fingerprint (high, low) and its first delivery's event time.
 *   <li>Layout 1 (builds before 2026-12-07, which kept the ids themselves): the same with each id
 *       as a string. It is only read: {@link #IDS} fingerprints each id as it reads it, and Flink
 *       writes the state again in layout 2 (the snapshot declares it compatible after migration).
 * </ul>
 *
 * {@link #copy} is deep (the heap backend copies a table that a running snapshot still holds
 * before the dedup changes it).
 */
public final class EventIdTableSerializer extends TypeSerializer<EventIdTable> {
    private static final long serialVersionUID = 1L;
    static final int FINGERPRINTS = 2;
    static final int IDS_AS_TEXT = 1;

    /** Layout 2: what every build from this one writes. */
    public static final EventIdTableSerializer INSTANCE = new EventIdTableSerializer(FINGERPRINTS);
    /** Layout 1, read only: state of older builds. */
    static final EventIdTableSerializer IDS = new EventIdTableSerializer(IDS_AS_TEXT);

    private final int layout;

    private EventIdTableSerializer(int layout) {
        this.layout = layout;
    }

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
        if (layout != FINGERPRINTS) {
            throw new IOException("event id table: layout " + layout + " is read only (it needs the ids, a table keeps their fingerprints)");
        }
        out.writeLong(table.cleanupAt);
        out.writeInt(table.size());
        table.forEach((high, low, time) -> {
            out.writeLong(high);
            out.writeLong(low);
            out.writeLong(time);
        });
    }

    @Override
    public EventIdTable deserialize(DataInputView in) throws IOException {
        long cleanupAt = in.readLong();
        int n = in.readInt();
        if (n < 0) {
            throw new IOException("event id table: negative size " + n);
        }
        EventIdTable table = new EventIdTable(n);
        EventIdFingerprint id = new EventIdFingerprint();
        for (int i = 0; i < n; i++) {
            if (layout == FINGERPRINTS) {
                long high = in.readLong();
                long low = in.readLong();
                table.remember(high, low, in.readLong());
            } else {
                id.of(StringValue.readString(in));
                table.remember(id.high, id.low, in.readLong());
            }
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
            if (layout == FINGERPRINTS) {
                target.writeLong(source.readLong());
                target.writeLong(source.readLong());
            } else {
                StringValue.copyString(source, target);
            }
            target.writeLong(source.readLong());
        }
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof EventIdTableSerializer && ((EventIdTableSerializer) obj).layout == layout;
    }

    @Override
    public int hashCode() {
        return EventIdTableSerializer.class.hashCode() * 31 + layout;
    }

    @Override
    public TypeSerializerSnapshot<EventIdTable> snapshotConfiguration() {
        return new Snapshot(layout);
    }

    /**
     * The serializer's snapshot in checkpoints: its version is the layout of the tables written
     * with it. Flink instantiates it by name (the public no-argument constructor) on restore.
     */
    public static final class Snapshot implements TypeSerializerSnapshot<EventIdTable> {
        private int layout;

        public Snapshot() {
            this(FINGERPRINTS);
        }

        Snapshot(int layout) {
            this.layout = layout;
        }

        @Override
        public int getCurrentVersion() {
            return layout;
        }

        @Override
        public void writeSnapshot(DataOutputView out) {}

        @Override
        public void readSnapshot(int readVersion, DataInputView in, ClassLoader classLoader) throws IOException {
            if (readVersion != FINGERPRINTS && readVersion != IDS_AS_TEXT) {
                throw new IOException("EventIdTableSerializer: unknown snapshot version " + readVersion);
            }
            layout = readVersion;
        }

        @Override
        public TypeSerializer<EventIdTable> restoreSerializer() {
            return layout == FINGERPRINTS ? INSTANCE : IDS;
        }

        @Override
        public TypeSerializerSchemaCompatibility<EventIdTable> resolveSchemaCompatibility(
                TypeSerializerSnapshot<EventIdTable> old) {
            if (!(old instanceof Snapshot)) {
                return TypeSerializerSchemaCompatibility.incompatible();
            }
            return ((Snapshot) old).layout == layout ? TypeSerializerSchemaCompatibility.compatibleAsIs()
                    : TypeSerializerSchemaCompatibility.compatibleAfterMigration();
        }
    }
}
