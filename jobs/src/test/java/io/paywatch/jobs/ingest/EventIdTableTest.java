package io.paywatch.jobs.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * The dedup's id table against a {@link HashMap} doing the same work, its edge cases (colliding
 * hashes, an id whose hash is 0, overwrites), the whole-slice forgetting, and its serializer.
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
            if (round % 2 == 0) {
                table.remember(id, time);
            } else { // as dedup does: an equal string, with the hash its deserialiser computed
                table.remember(new String(id), id.hashCode(), time);
            }
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
            assertThat(table.firstSeen(new String(id), id.hashCode())).as(id)
                    .isEqualTo(expected.getOrDefault(id, EventIdTable.ABSENT));
        }
        Map<String, Long> visited = new HashMap<>();
        table.forEach(visited::put);
        assertThat(visited).isEqualTo(expected);
    }

    /**
     * Forgetting places the ids that stay again in place: after every forget, every id (held or
     * not) is found exactly as a map says, with long probe paths from ids that share a hash
     * (blocks of "Aa" and "BB" hash alike) and tables as full as they get before growing.
     */
    @Test
    void everyIdIsFoundAfterEachForgetThoughProbePathsRunThroughRemovedIds() {
        Random random = new Random(11);
        java.util.List<String> ids = new java.util.ArrayList<>();
        for (int bits = 0; bits < 256; bits++) { // 256 ids with one String.hashCode
            StringBuilder id = new StringBuilder();
            for (int b = 0; b < 8; b++) {
                id.append((bits >> b & 1) == 0 ? "Aa" : "BB");
            }
            ids.add(id.toString());
        }
        for (int i = 0; i < 3_000; i++) {
            ids.add("e-" + i);
        }
        EventIdTable table = new EventIdTable();
        Map<String, Long> expected = new HashMap<>();
        long time = 0;
        for (int round = 0; round < 40; round++) {
            for (int k = 0; k < 400; k++) {
                String id = ids.get(random.nextInt(ids.size()));
                long t = time + random.nextInt(1_000); // out of order within a second
                table.remember(id, t);
                expected.put(id, t);
                time += 5;
            }
            long cutoff = time - 500 - random.nextInt(2_000);
            expected.values().removeIf(t -> t <= cutoff);
            assertThat(table.forgetUpTo(cutoff)).as("round " + round).isEqualTo(expected.size());
            for (String id : ids) {
                if (table.firstSeen(id) != expected.getOrDefault(id, EventIdTable.ABSENT)) {
                    assertThat(table.firstSeen(id)).as(id + " after round " + round)
                            .isEqualTo(expected.getOrDefault(id, EventIdTable.ABSENT));
                }
            }
        }
        Map<String, Long> visited = new HashMap<>();
        table.forEach(visited::put);
        assertThat(visited).isEqualTo(expected);
    }

    /**
     * Ids are kept as characters, not strings: ASCII, Latin-1 and wider ids (one and two bytes per
     * char), ids that differ only in a char's high byte, surrogate pairs, a prefix of another id, and
     * ids long enough for a header of several bytes are each found as themselves through forgetting,
     * compaction of the characters and copies.
     */
    @Test
    void idsOfAnyCharactersAreKeptExactlyThroughCompactionAndCopies() {
        Random random = new Random(5);
        String[] alphabet = {"a", "Z", "-", "\u00e9", "\u00ff", "\u0100", "\u01ff", "\u20ac", "\u4e2d",
                "\ud83d\ude00", "\u0000", "\"", " "};
        java.util.List<String> ids = new java.util.ArrayList<>(java.util.List.of("\u0101", "\u0001", "\u00ff",
                "\u01ff", "pay-1", "pay-1\u00e9", "pay-1\u0100",
                // lengths whose headers take one, two and three bytes
                "x".repeat(63), "x".repeat(64), "\u0100".repeat(64), "y".repeat(8_200), "\u00e9".repeat(8_191)));
        for (int i = 0; i < 2_000; i++) {
            StringBuilder id = new StringBuilder();
            for (int n = random.nextInt(40); n >= 0; n--) {
                id.append(alphabet[random.nextInt(random.nextInt(8) == 0 ? alphabet.length : 3)]);
            }
            ids.add(id.toString());
        }
        EventIdTable table = new EventIdTable();
        Map<String, Long> expected = new HashMap<>();
        long time = 0;
        boolean compacted = false;
        for (int round = 0; round < 30; round++) {
            for (int k = 0; k < 300; k++) {
                String id = ids.get(random.nextInt(ids.size()));
                table.remember(new String(id), ++time);
                expected.put(id, time);
            }
            int usedBefore = table.charsUsed();
            long cutoff = time - 200 - random.nextInt(200);
            expected.values().removeIf(t -> t <= cutoff);
            assertThat(table.forgetUpTo(cutoff)).isEqualTo(expected.size());
            compacted |= table.charsUsed() < usedBefore;
            EventIdTable copy = table.copy();
            for (String id : ids) {
                long want = expected.getOrDefault(id, EventIdTable.ABSENT);
                if (table.firstSeen(id) != want || copy.firstSeen(id, id.hashCode()) != want) {
                    assertThat(table.firstSeen(id)).as("%s after round %d", id, round).isEqualTo(want);
                    assertThat(copy.firstSeen(id)).as("the copy: %s after round %d", id, round).isEqualTo(want);
                }
            }
        }
        assertThat(compacted).as("forgotten ids' characters were compacted away").isTrue();
        Map<String, Long> visited = new HashMap<>();
        table.forEach(visited::put);
        assertThat(visited).isEqualTo(expected);
        // forgetting everything leaves no characters behind
        table.forgetUpTo(Long.MAX_VALUE);
        assertThat(table.charsUsed()).isZero();
    }

    @Test
    void idsWithTheSameHashCodeAndTheEmptyIdAreKeptApart() {
        EventIdTable table = new EventIdTable();
        // "Aa" and "BB" share String.hashCode; "" hashes to 0, which marks empty slots
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

    /** An id the table refuses (longer than any record) leaves it as it was: no slot taken, none written. */
    @Test
    void aRefusedIdLeavesTheTableAsItWas() throws Exception {
        EventIdTable table = new EventIdTable();
        table.remember("pay-1", 10);
        String huge = "x".repeat(EventIdTable.LONGEST_ID + 1);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> table.remember(huge, 20))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(table.size()).isEqualTo(1);
        assertThat(table.firstSeen("pay-1")).isEqualTo(10);
        EventIdTableSerializer s = EventIdTableSerializer.INSTANCE;
        DataOutputSerializer out = new DataOutputSerializer(64);
        s.serialize(table, out);
        assertThat(s.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()))).isEqualTo(table);
    }

    /** The ids are written from their characters exactly as {@code StringValue.writeString} writes them. */
    @Test
    void theIdsAreWrittenAsStringValueWritesThem() throws Exception {
        EventIdTable table = new EventIdTable();
        String[] ids = {"", "pay-1", "caf\u00e9", "\u00ff\u0080\u007f", "\u20ac\u4e2d", "\ud83d\ude00x", "\u0000",
                "a".repeat(126), "b".repeat(127), "\u00e9".repeat(200), "\u0100".repeat(20_000),
                "c".repeat(16 * 1024), "d".repeat(16 * 1024 - 13), "\u00e9".repeat(6_000)};
        for (int i = 0; i < ids.length; i++) {
            table.remember(ids[i], 1_700_000_000_000L + i);
        }
        // enough ids for the bytes to cross the writer's chunks many times, at every offset
        for (int i = 0; i < 5_000; i++) {
            table.remember((i % 7 == 0 ? "caf\u00e9-" : i % 11 == 0 ? "\u20ac-" : "pay-") + "x".repeat(i % 40) + i,
                    -i * 1_000_003L);
        }
        DataOutputSerializer written = new DataOutputSerializer(64);
        table.writeIds(written);
        DataOutputSerializer expected = new DataOutputSerializer(64);
        table.forEach((id, time) -> {
            org.apache.flink.types.StringValue.writeString(id, expected);
            expected.writeLong(time);
        });
        assertThat(written.getCopyOfBuffer()).isEqualTo(expected.getCopyOfBuffer());
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
        // an empty table too
        DataOutputSerializer empty = new DataOutputSerializer(16);
        s.serialize(new EventIdTable(), empty);
        assertThat(s.deserialize(new DataInputDeserializer(empty.getCopyOfBuffer())))
                .isEqualTo(new EventIdTable());
    }
}
