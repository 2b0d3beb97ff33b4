package io.paywatch.jobs.rates;

import io.paywatch.model.OwnSerializerSnapshot;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * The serializer of a rate key's bookkeeping ({@link RateKeyState}), read at every payment on
 * RocksDB. Layout (version 1): next evaluation, firing since, partial window's time, a byte of
 * flags (bit 0: severity present, bit 1: partial window present), the severity, the partial
 * window as {@link FailureCountsSerializer} writes it; with bit 2, the adaptive rules' state follows
 * (minute ring, then the two incidents), and with bit 3 its channel list; with bit 4 the key's
 * buckets (on the heap backend: their number, then each one's index and counts as
 * {@link FailureCountsSerializer} writes them). Bits 2 to 4 are absent from older state, which therefore reads
 * as it was written. State written with Flink's POJO serializer
 * restores by migration, as for {@link FailureCountsSerializer}.
 */
public final class RateKeyStateSerializer extends TypeSerializer<RateKeyState> {
    private static final long serialVersionUID = 1L;
    public static final RateKeyStateSerializer INSTANCE = new RateKeyStateSerializer();

    private static final int SEVERITY = 1;
    private static final int PARTIAL_WINDOW = 1 << 1;
    private static final int ADAPTIVE = 1 << 2;
    /** The adaptive state's channel list follows it (absent from state written before). */
    private static final int ADAPTIVE_CHANNELS = 1 << 3;
    /** The key's buckets follow ({@link RateKeyState#buckets}, absent from state written before). */
    private static final int BUCKETS = 1 << 4;

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public TypeSerializer<RateKeyState> duplicate() {
        return this;
    }

    @Override
    public RateKeyState createInstance() {
        return new RateKeyState();
    }

    @Override
    public RateKeyState copy(RateKeyState from) {
        return copy(from, new RateKeyState());
    }

    @Override
    public RateKeyState copy(RateKeyState from, RateKeyState to) {
        to.nextEvaluation = from.nextEvaluation;
        to.firingSeverity = from.firingSeverity;
        to.firingSince = from.firingSince;
        to.partialWindow = from.partialWindow == null ? null : FailureCountsSerializer.INSTANCE.copy(from.partialWindow);
        to.partialWindowFor = from.partialWindowFor;
        to.adaptive = from.adaptive == null ? null : from.adaptive.copy();
        to.buckets = from.buckets == null ? null : from.buckets.copy();
        return to;
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(RateKeyState s, DataOutputView out) throws IOException {
        out.writeLong(s.nextEvaluation);
        out.writeLong(s.firingSince);
        out.writeLong(s.partialWindowFor);
        out.writeByte((s.firingSeverity != null ? SEVERITY : 0) | (s.partialWindow != null ? PARTIAL_WINDOW : 0)
                | (s.adaptive != null ? ADAPTIVE | ADAPTIVE_CHANNELS : 0) | (s.buckets != null ? BUCKETS : 0));
        if (s.firingSeverity != null) {
            StringValue.writeString(s.firingSeverity, out);
        }
        if (s.partialWindow != null) {
            FailureCountsSerializer.write(s.partialWindow, out);
        }
        if (s.adaptive != null) {
            writeAdaptive(s.adaptive, out);
            out.writeShort(s.adaptive.channels.length);
            for (int i = 0; i < s.adaptive.channels.length; i++) {
                StringValue.writeString(s.adaptive.channels[i], out);
                out.writeLong(s.adaptive.channelLastMinute[i]);
            }
        }
        if (s.buckets != null) {
            out.writeInt(s.buckets.size());
            s.buckets.forEach((index, counts) -> {
                out.writeLong(index);
                FailureCountsSerializer.write(counts, out);
            });
        }
    }

    private static void writeAdaptive(AdaptiveKeyState a, DataOutputView out) throws IOException {
        TrailingMinutes h = a.history;
        out.writeInt(h.capacity);
        out.writeLong(h.newestMinute);
        out.writeLong(h.firstMinute);
        for (int i = 0; i < h.capacity; i++) {
            out.writeInt(h.total[i]);
            out.writeInt(h.failed[i]);
            out.writeInt(h.systemFailed[i]);
            out.writeByte(h.flags[i]);
        }
        writeIncident(a.anomaly, out);
        writeIncident(a.drop, out);
    }

    private static void writeIncident(AdaptiveIncident i, DataOutputView out) throws IOException {
        out.writeBoolean(i.severity != null);
        if (i.severity != null) {
            StringValue.writeString(i.severity, out);
        }
        out.writeLong(i.since);
        out.writeDouble(i.baseline);
        out.writeLong(i.lastHeld);
    }

    private static AdaptiveKeyState readAdaptive(DataInputView in) throws IOException {
        TrailingMinutes h = new TrailingMinutes(in.readInt());
        h.newestMinute = in.readLong();
        h.firstMinute = in.readLong();
        for (int i = 0; i < h.capacity; i++) {
            h.total[i] = in.readInt();
            h.failed[i] = in.readInt();
            h.systemFailed[i] = in.readInt();
            h.flags[i] = in.readByte();
        }
        AdaptiveKeyState a = new AdaptiveKeyState();
        a.history = h;
        readIncident(a.anomaly, in);
        readIncident(a.drop, in);
        return a;
    }

    private static void readIncident(AdaptiveIncident i, DataInputView in) throws IOException {
        i.severity = in.readBoolean() ? StringValue.readString(in) : null;
        i.since = in.readLong();
        i.baseline = in.readDouble();
        i.lastHeld = in.readLong();
    }

    @Override
    public RateKeyState deserialize(DataInputView in) throws IOException {
        return deserialize(new RateKeyState(), in);
    }

    @Override
    public RateKeyState deserialize(RateKeyState s, DataInputView in) throws IOException {
        s.nextEvaluation = in.readLong();
        s.firingSince = in.readLong();
        s.partialWindowFor = in.readLong();
        int flags = in.readByte();
        s.firingSeverity = (flags & SEVERITY) != 0 ? StringValue.readString(in) : null;
        s.partialWindow = (flags & PARTIAL_WINDOW) != 0 ? FailureCountsSerializer.read(new FailureCounts(), in) : null;
        s.adaptive = (flags & ADAPTIVE) != 0 ? readAdaptive(in) : null;
        if ((flags & ADAPTIVE_CHANNELS) != 0) {
            int n = in.readShort();
            s.adaptive.channels = new String[n];
            s.adaptive.channelLastMinute = new long[n];
            for (int i = 0; i < n; i++) {
                s.adaptive.channels[i] = StringValue.readString(in);
                s.adaptive.channelLastMinute[i] = in.readLong();
            }
        }
        s.buckets = null;
        if ((flags & BUCKETS) != 0) {
            s.buckets = new RateBucketTable();
            for (int n = in.readInt(); n > 0; n--) {
                long index = in.readLong();
                s.buckets.put(index, FailureCountsSerializer.read(new FailureCounts(), in));
            }
        }
        return s;
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof RateKeyStateSerializer;
    }

    @Override
    public int hashCode() {
        return RateKeyStateSerializer.class.hashCode();
    }

    @Override
    public TypeSerializerSnapshot<RateKeyState> snapshotConfiguration() {
        return new Snapshot();
    }

    /** The serializer's snapshot in checkpoints ({@link OwnSerializerSnapshot}). */
    public static final class Snapshot extends OwnSerializerSnapshot<RateKeyState> {
        public Snapshot() {
            super(INSTANCE, RateKeyState.class);
        }
    }
}
