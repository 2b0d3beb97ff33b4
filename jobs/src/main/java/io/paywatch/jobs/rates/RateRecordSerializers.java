package io.paywatch.jobs.rates;

import io.paywatch.model.OwnSerializerSnapshot;
import io.paywatch.model.OwnTypeInfo;
import java.io.IOException;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * The serializers of the records the rate operators exchange: {@link RatePartial} (dedup's task →
 * the failure-rate functions) and {@link RateSnapshot} (the rate functions → the metric sinks),
 * named by {@code @TypeInfo} on each class. About one of each per key and bucket — 0.4 per
 * event in the bench — and Flink's POJO serializer made each one by reflection (a constructor,
 * then a field set per field, their buckets' arrays element by element): a third of the rate
 * sink's task and most of what the merchant rates spent sending. The buckets inside them use
 * {@link FailureCountsSerializer}'s layout. Neither record is kept in state; the snapshots only
 * serve Flink's checks.
 */
public final class RateRecordSerializers {
    private RateRecordSerializers() {}

    private static final int NULL_KEY = 1;
    private static final int NULL_COUNTS = 2;
    private static final int NULL_SCOPE = 4;
    private static final int NULL_SEVERITY = 8;
    private static final int NULL_BASELINE_RATE = 16;
    private static final int NULL_BASELINE_VOLUME = 32;

    /** Serializes {@link RatePartial}: a null mask, the key, the bucket. */
    public static final class Partials extends Base<RatePartial> {
        private static final long serialVersionUID = 1L;
        public static final Partials INSTANCE = new Partials();

        @Override
        public RatePartial createInstance() {
            return new RatePartial();
        }

        @Override
        public RatePartial copy(RatePartial from, RatePartial to) {
            to.key = from.key;
            to.counts = from.counts == null ? null : FailureCountsSerializer.INSTANCE.copy(from.counts);
            return to;
        }

        @Override
        public void serialize(RatePartial p, DataOutputView out) throws IOException {
            out.writeByte((p.key == null ? NULL_KEY : 0) | (p.counts == null ? NULL_COUNTS : 0));
            if (p.key != null) {
                StringValue.writeString(p.key, out);
            }
            if (p.counts != null) {
                FailureCountsSerializer.write(p.counts, out);
            }
        }

        @Override
        public RatePartial deserialize(RatePartial p, DataInputView in) throws IOException {
            int nulls = in.readUnsignedByte();
            p.key = (nulls & NULL_KEY) != 0 ? null : StringValue.readString(in);
            p.counts = (nulls & NULL_COUNTS) != 0 ? null : FailureCountsSerializer.read(new FailureCounts(), in);
            return p;
        }

        @Override
        public TypeSerializerSnapshot<RatePartial> snapshotConfiguration() {
            return new PartialsSnapshot();
        }
    }

    /** Serializes {@link RateSnapshot}: a null mask, the strings, the two times, the doubles, the window. */
    public static final class Snapshots extends Base<RateSnapshot> {
        private static final long serialVersionUID = 1L;
        public static final Snapshots INSTANCE = new Snapshots();

        @Override
        public RateSnapshot createInstance() {
            return new RateSnapshot();
        }

        @Override
        public RateSnapshot copy(RateSnapshot from, RateSnapshot to) {
            to.scope = from.scope;
            to.key = from.key;
            to.time = from.time;
            to.windowMs = from.windowMs;
            to.counts = from.counts == null ? null : FailureCountsSerializer.INSTANCE.copy(from.counts);
            to.firingSeverity = from.firingSeverity;
            to.baselineFailureRate = from.baselineFailureRate;
            to.baselineVolume = from.baselineVolume;
            return to;
        }

        @Override
        public void serialize(RateSnapshot r, DataOutputView out) throws IOException {
            out.writeByte((r.key == null ? NULL_KEY : 0) | (r.counts == null ? NULL_COUNTS : 0)
                    | (r.scope == null ? NULL_SCOPE : 0) | (r.firingSeverity == null ? NULL_SEVERITY : 0)
                    | (r.baselineFailureRate == null ? NULL_BASELINE_RATE : 0)
                    | (r.baselineVolume == null ? NULL_BASELINE_VOLUME : 0));
            if (r.scope != null) {
                StringValue.writeString(r.scope, out);
            }
            if (r.key != null) {
                StringValue.writeString(r.key, out);
            }
            out.writeLong(r.time);
            out.writeLong(r.windowMs);
            if (r.counts != null) {
                FailureCountsSerializer.write(r.counts, out);
            }
            if (r.firingSeverity != null) {
                StringValue.writeString(r.firingSeverity, out);
            }
            if (r.baselineFailureRate != null) {
                out.writeDouble(r.baselineFailureRate);
            }
            if (r.baselineVolume != null) {
                out.writeDouble(r.baselineVolume);
            }
        }

        @Override
        public RateSnapshot deserialize(RateSnapshot r, DataInputView in) throws IOException {
            int nulls = in.readUnsignedByte();
            r.scope = (nulls & NULL_SCOPE) != 0 ? null : scope(StringValue.readString(in));
            r.key = (nulls & NULL_KEY) != 0 ? null : StringValue.readString(in);
            r.time = in.readLong();
            r.windowMs = in.readLong();
            r.counts = (nulls & NULL_COUNTS) != 0 ? null : FailureCountsSerializer.read(new FailureCounts(), in);
            r.firingSeverity = (nulls & NULL_SEVERITY) != 0 ? null : StringValue.readString(in);
            r.baselineFailureRate = (nulls & NULL_BASELINE_RATE) != 0 ? null : in.readDouble();
            r.baselineVolume = (nulls & NULL_BASELINE_VOLUME) != 0 ? null : in.readDouble();
            return r;
        }

        /** One instance per scope, as the rate functions set it, not a new string per record. */
        private static String scope(String s) {
            return RateSnapshot.MERCHANT.equals(s) ? RateSnapshot.MERCHANT
                    : RateSnapshot.CHANNEL.equals(s) ? RateSnapshot.CHANNEL : s;
        }

        @Override
        public TypeSerializerSnapshot<RateSnapshot> snapshotConfiguration() {
            return new SnapshotsSnapshot();
        }
    }

    /** What both serializers share: stateless, mutable records, variable length. */
    abstract static class Base<T> extends TypeSerializer<T> {
        private static final long serialVersionUID = 1L;

        @Override
        public boolean isImmutableType() {
            return false;
        }

        @Override
        public TypeSerializer<T> duplicate() {
            return this; // stateless
        }

        @Override
        public T copy(T from) {
            return copy(from, createInstance());
        }

        @Override
        public int getLength() {
            return -1;
        }

        @Override
        public T deserialize(DataInputView in) throws IOException {
            return deserialize(createInstance(), in);
        }

        @Override
        public void copy(DataInputView source, DataOutputView target) throws IOException {
            serialize(deserialize(source), target);
        }

        @Override
        public boolean equals(Object obj) {
            return obj != null && obj.getClass() == getClass();
        }

        @Override
        public int hashCode() {
            return getClass().hashCode();
        }
    }

    /** {@link RatePartial}'s snapshot in checkpoints ({@link OwnSerializerSnapshot}). */
    public static final class PartialsSnapshot extends OwnSerializerSnapshot<RatePartial> {
        public PartialsSnapshot() {
            super(Partials.INSTANCE, RatePartial.class);
        }
    }

    /** {@link RateSnapshot}'s snapshot in checkpoints ({@link OwnSerializerSnapshot}). */
    public static final class SnapshotsSnapshot extends OwnSerializerSnapshot<RateSnapshot> {
        public SnapshotsSnapshot() {
            super(Snapshots.INSTANCE, RateSnapshot.class);
        }
    }

    /** Named by {@code @TypeInfo} on {@link RatePartial}. */
    public static final class PartialType extends TypeInfoFactory<RatePartial> {
        @Override
        public TypeInformation<RatePartial> createTypeInfo(Type t, Map<String, TypeInformation<?>> generics) {
            return new OwnTypeInfo<>(RatePartial.class, Partials.INSTANCE);
        }
    }

    /** Named by {@code @TypeInfo} on {@link RateSnapshot}. */
    public static final class SnapshotType extends TypeInfoFactory<RateSnapshot> {
        @Override
        public TypeInformation<RateSnapshot> createTypeInfo(Type t, Map<String, TypeInformation<?>> generics) {
            return new OwnTypeInfo<>(RateSnapshot.class, Snapshots.INSTANCE);
        }
    }
}
