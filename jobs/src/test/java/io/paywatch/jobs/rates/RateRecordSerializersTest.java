package io.paywatch.jobs.rates;

import static io.paywatch.jobs.testing.Events.T0;
import static io.paywatch.jobs.testing.Events.failed;
import static io.paywatch.jobs.testing.Events.ok;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * The records the rate operators exchange use PayWatch's serializers wherever Flink meets their
 * type, and every field survives a round trip — nulls included — with deep copies.
 */
class RateRecordSerializersTest {
    private static FailureCounts bucket() {
        FailureCounts c = new FailureCounts(T0);
        c.add(ok(T0 + 1, "m-1", "card"));
        c.add(failed(T0 + 2, "m-1", "card", "101"));
        c.add(failed(T0 + 3, "m-1", "wallet", "202"));
        return c;
    }

    private static <T> T roundTrip(TypeSerializer<T> s, T value) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        s.serialize(value, out);
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        T read = s.deserialize(in);
        assertThat(in.available()).isZero();
        DataOutputSerializer copied = new DataOutputSerializer(64);
        s.copy(new DataInputDeserializer(out.getCopyOfBuffer()), copied);
        assertThat(copied.getCopyOfBuffer()).isEqualTo(out.getCopyOfBuffer());
        return read;
    }

    @Test
    void flinkUsesTheOwnSerializersForBothRecords() {
        assertThat(TypeInformation.of(RatePartial.class).createSerializer(new SerializerConfigImpl()))
                .isSameAs(RateRecordSerializers.Partials.INSTANCE);
        assertThat(TypeInformation.of(RateSnapshot.class).createSerializer(new SerializerConfigImpl()))
                .isSameAs(RateRecordSerializers.Snapshots.INSTANCE);
    }

    @Test
    void aPartialSurvivesARoundTripWithAndWithoutItsFields() throws Exception {
        RatePartial full = new RatePartial("m-1", bucket());
        for (RatePartial p : List.of(full, new RatePartial(null, null), new RatePartial("中文-m", null))) {
            assertThat(roundTrip(RateRecordSerializers.Partials.INSTANCE, p)).usingRecursiveComparison().isEqualTo(p);
        }
        RatePartial copy = RateRecordSerializers.Partials.INSTANCE.copy(full);
        assertThat(copy).usingRecursiveComparison().isEqualTo(full);
        copy.counts.byCategory[0]++;
        assertThat(full.counts.byCategory[0]).isNotEqualTo(copy.counts.byCategory[0]);
    }

    @Test
    void aSnapshotSurvivesARoundTripWithAndWithoutItsFields() throws Exception {
        RateSnapshot full = new RateSnapshot();
        full.scope = RateSnapshot.CHANNEL;
        full.key = "wallet";
        full.time = T0 + 300_000;
        full.windowMs = 300_000;
        full.counts = bucket();
        full.firingSeverity = "critical";
        full.baselineFailureRate = 0.0125;
        full.baselineVolume = 1_234.5;
        RateSnapshot empty = new RateSnapshot();
        empty.time = -1;
        RateSnapshot someNulls = RateRecordSerializers.Snapshots.INSTANCE.copy(full);
        someNulls.scope = "other";
        someNulls.firingSeverity = null;
        someNulls.baselineVolume = null;
        for (RateSnapshot r : List.of(full, empty, someNulls)) {
            assertThat(roundTrip(RateRecordSerializers.Snapshots.INSTANCE, r)).usingRecursiveComparison().isEqualTo(r);
        }
        assertThat(roundTrip(RateRecordSerializers.Snapshots.INSTANCE, full).scope).isSameAs(RateSnapshot.CHANNEL);
        RateSnapshot copy = RateRecordSerializers.Snapshots.INSTANCE.copy(full);
        copy.counts.codeCounts[0]++;
        assertThat(full.counts.codeCounts[0]).isNotEqualTo(copy.counts.codeCounts[0]);
    }
}
