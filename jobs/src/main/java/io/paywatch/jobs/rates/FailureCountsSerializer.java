package io.paywatch.jobs.rates;

import io.paywatch.model.OwnSerializerSnapshot;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * The serializer of a rate bucket ({@link FailureCounts}) in keyed state. On RocksDB every
 * payment reads and writes its bucket, and Flink's POJO serializer (reflection per field, a null
 * flag per field and per array element) was most of the rate functions' cost after CEP's was
 * screened away. Layout (version 1): start, total, failed, then each array as a length ({@code -1}
 * for null) and its elements: by category, codes, code counts, code categories, sample ids,
 * sample times, channels, channel failures. Strings in Flink's encoding (a null element allowed).
 *
 * <p>State written with the POJO serializer restores: the snapshot declares it compatible after
 * migration, so Flink reads it with the POJO serializer and writes it with this one.
 */
public final class FailureCountsSerializer extends TypeSerializer<FailureCounts> {
    private static final long serialVersionUID = 1L;
    public static final FailureCountsSerializer INSTANCE = new FailureCountsSerializer();

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public TypeSerializer<FailureCounts> duplicate() {
        return this; // stateless
    }

    @Override
    public FailureCounts createInstance() {
        return new FailureCounts();
    }

    @Override
    public FailureCounts copy(FailureCounts from) {
        return copy(from, new FailureCounts());
    }

    @Override
    public FailureCounts copy(FailureCounts from, FailureCounts to) {
        to.start = from.start;
        to.total = from.total;
        to.failed = from.failed;
        to.byCategory = from.byCategory == null ? null : from.byCategory.clone();
        to.codes = from.codes == null ? null : from.codes.clone(); // strings are immutable
        to.codeCounts = from.codeCounts == null ? null : from.codeCounts.clone();
        to.codeCategories = from.codeCategories == null ? null : from.codeCategories.clone();
        to.sampleIds = from.sampleIds == null ? null : from.sampleIds.clone();
        to.sampleTimes = from.sampleTimes == null ? null : from.sampleTimes.clone();
        to.channels = from.channels == null ? null : from.channels.clone();
        to.channelFailed = from.channelFailed == null ? null : from.channelFailed.clone();
        return to;
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(FailureCounts c, DataOutputView out) throws IOException {
        write(c, out);
    }

    /** The layout above, also inside {@link RateKeyStateSerializer}. */
    static void write(FailureCounts c, DataOutputView out) throws IOException {
        out.writeLong(c.start);
        out.writeInt(c.total);
        out.writeInt(c.failed);
        ints(out, c.byCategory);
        strings(out, c.codes);
        ints(out, c.codeCounts);
        if (c.codeCategories == null) {
            out.writeInt(-1);
        } else {
            out.writeInt(c.codeCategories.length);
            out.write(c.codeCategories);
        }
        strings(out, c.sampleIds);
        if (c.sampleTimes == null) {
            out.writeInt(-1);
        } else {
            out.writeInt(c.sampleTimes.length);
            for (long t : c.sampleTimes) {
                out.writeLong(t);
            }
        }
        strings(out, c.channels);
        ints(out, c.channelFailed);
    }

    static FailureCounts read(FailureCounts c, DataInputView in) throws IOException {
        c.start = in.readLong();
        c.total = in.readInt();
        c.failed = in.readInt();
        c.byCategory = ints(in);
        c.codes = strings(in);
        c.codeCounts = ints(in);
        int n = in.readInt();
        if (n < 0) {
            c.codeCategories = null;
        } else {
            c.codeCategories = n == 0 ? FailureCounts.NO_BYTES : new byte[n];
            in.readFully(c.codeCategories);
        }
        c.sampleIds = strings(in);
        n = in.readInt();
        if (n < 0) {
            c.sampleTimes = null;
        } else {
            c.sampleTimes = n == 0 ? FailureCounts.NO_LONGS : new long[n];
            for (int i = 0; i < n; i++) {
                c.sampleTimes[i] = in.readLong();
            }
        }
        c.channels = strings(in);
        c.channelFailed = ints(in);
        return c;
    }

    private static void ints(DataOutputView out, int[] a) throws IOException {
        if (a == null) {
            out.writeInt(-1);
            return;
        }
        out.writeInt(a.length);
        for (int v : a) {
            out.writeInt(v);
        }
    }

    private static int[] ints(DataInputView in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            return null;
        }
        int[] a = n == 0 ? FailureCounts.NO_INTS : new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = in.readInt();
        }
        return a;
    }

    private static void strings(DataOutputView out, String[] a) throws IOException {
        if (a == null) {
            out.writeInt(-1);
            return;
        }
        out.writeInt(a.length);
        for (String s : a) {
            StringValue.writeString(s, out); // writes null as null
        }
    }

    private static String[] strings(DataInputView in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            return null;
        }
        String[] a = n == 0 ? FailureCounts.NO_STRINGS : new String[n];
        for (int i = 0; i < n; i++) {
            a[i] = StringValue.readString(in);
        }
        return a;
    }

    @Override
    public FailureCounts deserialize(DataInputView in) throws IOException {
        return read(new FailureCounts(), in);
    }

    @Override
    public FailureCounts deserialize(FailureCounts reuse, DataInputView in) throws IOException {
        return read(reuse, in);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        write(deserialize(source), target);
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof FailureCountsSerializer;
    }

    @Override
    public int hashCode() {
        return FailureCountsSerializer.class.hashCode();
    }

    @Override
    public TypeSerializerSnapshot<FailureCounts> snapshotConfiguration() {
        return new Snapshot();
    }

    /** The serializer's snapshot in checkpoints ({@link OwnSerializerSnapshot}). */
    public static final class Snapshot extends OwnSerializerSnapshot<FailureCounts> {
        public Snapshot() {
            super(INSTANCE, FailureCounts.class);
        }
    }
}
