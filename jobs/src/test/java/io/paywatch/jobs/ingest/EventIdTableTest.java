package io.paywatch.jobs.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * The dedup's id table against a {@link HashMap} doing the same work, its edge cases (colliding
 * hashes, the fingerprint that marks empty slots, overwrites), the whole-slice forgetting, and its
 * serializer, including the tables of older builds, which kept the ids as text.
 */
class EventIdTableTest {

    @Test
    void holdsWhatAHashMapHoldsThroughGrowthOverwritesAndForgetting() {
        Random random = new Random(7);
        EventIdTable table = new EventIdTable();
        Map<String, Long> expected = new HashMap<>();
        String[] ids = new String[5_000];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = new UUID(random.nextLong(), random.nextLong()).toString();
        }
        long time = 0;
        for (int round = 0; round < 20_000; round++) {
            String id = ids[random.nextInt(ids.length)];
            time += random.nextInt(100);
            table.remember(id, time);
            expected.put(id, time);
            if (round % 3_000 == 2_999) {
                long cutoff = time - 50_000;
                expected.values().removeIf(t -> t <= cutoff);
                assertThat(table.forgetUpTo(cutoff)).isEqualTo(expected.size());
            }
            assertThat(table.size()).isEqualTo(expected.size());
        }
        for (String id : ids) {
            assertThat(table.firstSeen(id)).as(id).isEqualTo(expected.getOrDefault(id, EventIdTable.ABSENT));
        }
        Map<String, Long> visited = new HashMap<>();
        table.forEach((high, low, at) -> visited.put(high + "/" + low, at));
        Map<String, Long> expectedByFingerprint = new HashMap<>();
        expected.forEach((id, at) -> {
            EventIdFingerprint f = new EventIdFingerprint().of(id);
            expectedByFingerprint.put(f.high + "/" + f.low, at);
        });
        assertThat(visited).isEqualTo(expectedByFingerprint);
    }

    @Test
    void theFingerprintThatMarksAnEmptySlotIsStillAnId() {
        EventIdTable table = new EventIdTable();
        table.remember(0, 0, 7);
        table.remember(0, 2, 8);
        assertThat(table.size()).isEqualTo(2);
        assertThat(table.firstSeen(0, 0)).isEqualTo(7);
        assertThat(table.firstSeen(0, 2)).isEqualTo(8);
        assertThat(table.firstSeen(0, 3)).isEqualTo(EventIdTable.ABSENT);
        // slots that share their first probe (the high half's low bits) are kept apart
        table.remember(1L << 40, 5, 9);
        assertThat(table.firstSeen(1L << 40, 5)).isEqualTo(9);
        assertThat(table.firstSeen(0, 5)).isEqualTo(EventIdTable.ABSENT);
    }

    @Test
    void idsWithTheSameHashCodeAndTheEmptyIdAreKeptApart() {
        EventIdTable table = new EventIdTable();
        // "Aa" and "BB" share String.hashCode; "" is the shortest id
        table.remember("Aa", 1);
        table.remember("BB", 2);
        table.remember("", 3);
        assertThat(table.firstSeen("Aa")).isEqualTo(1);
        assertThat(table.firstSeen("BB")).isEqualTo(2);
        assertThat(table.firstSeen("")).isEqualTo(3);
        assertThat(table.firstSeen("AaBB")).isEqualTo(EventIdTable.ABSENT);
        table.remember("BB", 5);
        assertThat(table.size()).isEqualTo(3);
        assertThat(table.firstSeen("BB")).isEqualTo(5);
        assertThat(table.forgetUpTo(2)).isEqualTo(2);
        assertThat(table.firstSeen("Aa")).isEqualTo(EventIdTable.ABSENT);
        assertThat(table.firstSeen("BB")).isEqualTo(5);
        assertThat(table.firstSeen("")).isEqualTo(3);
    }

    @Test
    void forgettingASliceShrinksTheTableAndForgettingAllEmptiesIt() {
        EventIdTable table = new EventIdTable();
        for (int i = 0; i < 1_000; i++) {
            table.remember("pay-" + i, i);
        }
        int full = table.capacity();
        assertThat(full).isGreaterThanOrEqualTo(2_000);
        assertThat(table.forgetUpTo(989)).isEqualTo(10);
        assertThat(table.capacity()).isLessThan(full / 32);
        assertThat(table.firstSeen("pay-995")).isEqualTo(995);
        assertThat(table.forgetUpTo(-1)).isEqualTo(10); // nothing that old: unchanged
        assertThat(table.forgetUpTo(Long.MAX_VALUE)).isZero();
        assertThat(table.firstSeen("pay-995")).isEqualTo(EventIdTable.ABSENT);
    }

    @Test
    void aCopyIsIndependentOfItsOriginal() {
        EventIdTable table = new EventIdTable();
        table.remember("pay-1", 10);
        table.cleanupAt = 300_000;
        EventIdTable copy = EventIdTableSerializer.INSTANCE.copy(table);
        assertThat(copy).isEqualTo(table);
        copy.remember("pay-1", 20);
        copy.remember("pay-2", 30);
        copy.cleanupAt = 600_000;
        for (int i = 0; i < 100; i++) {
            copy.remember("grow-" + i, i); // the copy's arrays grow; the original's stay
        }
        assertThat(table.firstSeen("pay-1")).isEqualTo(10);
        assertThat(table.firstSeen("pay-2")).isEqualTo(EventIdTable.ABSENT);
        assertThat(table.size()).isEqualTo(1);
        assertThat(table.cleanupAt).isEqualTo(300_000);
        assertThat(copy).isNotEqualTo(table);
    }

    @Test
    void theSerializerRoundTripsEveryIdAndTheCleanupTimeAndCopiesBytesAsWritten() throws Exception {
        EventIdTable table = new EventIdTable();
        for (int i = 0; i < 300; i++) {
            table.remember("pay-" + i + "-ü€", 1_700_000_000_000L + i); // ids are any string
        }
        table.cleanupAt = 1_700_000_600_000L;
        EventIdTableSerializer s = EventIdTableSerializer.INSTANCE;
        DataOutputSerializer out = new DataOutputSerializer(64);
        s.serialize(table, out);
        EventIdTable read = s.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(read).isEqualTo(table);
        assertThat(read.hashCode()).isEqualTo(table.hashCode());
        assertThat(read.firstSeen("pay-299-ü€")).isEqualTo(1_700_000_000_299L);
        DataOutputSerializer copied = new DataOutputSerializer(64);
        s.copy(new DataInputDeserializer(out.getCopyOfBuffer()), copied);
        assertThat(copied.getCopyOfBuffer()).isEqualTo(out.getCopyOfBuffer());
        assertThat(out.length()).as("three longs per id after the header").isEqualTo(12 + 300 * 24);
        // an empty table too
        DataOutputSerializer empty = new DataOutputSerializer(16);
        s.serialize(new EventIdTable(), empty);
        assertThat(s.deserialize(new DataInputDeserializer(empty.getCopyOfBuffer())))
                .isEqualTo(new EventIdTable());
    }

    /**
     * Layout 1, the tables of builds before fingerprints: each id as text. They are read into
     * fingerprints, and the snapshot tells Flink to write the state again in layout 2.
     */
    @Test
    void tablesOfOlderBuildsAreReadIntoFingerprintsAndMigrated() throws Exception {
        DataOutputSerializer old = new DataOutputSerializer(64);
        old.writeLong(1_700_000_600_000L); // the cleanup timer
        old.writeInt(3);
        for (String id : new String[] {"pay-1", "pay-2-ü€", ""}) {
            org.apache.flink.types.StringValue.writeString(id, old);
            old.writeLong(1_700_000_000_000L + id.length());
        }
        byte[] written = old.getCopyOfBuffer();

        var oldSnapshot = new EventIdTableSerializer.Snapshot();
        oldSnapshot.readSnapshot(1, new DataInputDeserializer(new byte[0]), getClass().getClassLoader());
        var restore = oldSnapshot.restoreSerializer();
        EventIdTable read = restore.deserialize(new DataInputDeserializer(written));
        assertThat(read.size()).isEqualTo(3);
        assertThat(read.cleanupAt).isEqualTo(1_700_000_600_000L);
        assertThat(read.firstSeen("pay-1")).isEqualTo(1_700_000_000_005L);
        assertThat(read.firstSeen("pay-2-ü€")).isEqualTo(1_700_000_000_008L);
        assertThat(read.firstSeen("")).isEqualTo(1_700_000_000_000L);
        DataOutputSerializer copied = new DataOutputSerializer(64);
        restore.copy(new DataInputDeserializer(written), copied);
        assertThat(copied.getCopyOfBuffer()).isEqualTo(written);
        assertThatThrownBy(() -> restore.serialize(read, new DataOutputSerializer(64)))
                .hasMessageContaining("read only");

        var current = EventIdTableSerializer.INSTANCE.snapshotConfiguration();
        assertThat(current.getCurrentVersion()).isEqualTo(2);
        assertThat(current.resolveSchemaCompatibility(oldSnapshot).isCompatibleAfterMigration()).isTrue();
        assertThat(current.resolveSchemaCompatibility(EventIdTableSerializer.INSTANCE.snapshotConfiguration())
                .isCompatibleAsIs()).isTrue();
        assertThatThrownBy(() -> new EventIdTableSerializer.Snapshot()
                .readSnapshot(3, new DataInputDeserializer(new byte[0]), getClass().getClassLoader()))
                .hasMessageContaining("unknown snapshot version 3");
    }
}
