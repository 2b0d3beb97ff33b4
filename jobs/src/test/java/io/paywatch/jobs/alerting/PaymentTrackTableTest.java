package io.paywatch.jobs.alerting;

import static io.paywatch.jobs.testing.Events.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.paywatch.model.PaymentEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * The screen's payment table against a {@link HashMap} doing the same work (puts, removals in
 * the middle of probe runs, forgetting by time, growth and shrinking), colliding hashes, its copy
 * and its serializer.
 */
class PaymentTrackTableTest {
    /** What a {@link HashMap} holds per payment: the value and its expiry. */
    private record Entry(Object value, long expiresAt) {}

    private static Map<String, Entry> contents(PaymentTrackTable table) {
        Map<String, Entry> out = new HashMap<>();
        table.forEach((id, value, expiresAt) -> assertThat(out.put(id, new Entry(value, expiresAt))).isNull());
        return out;
    }

    private static PaymentPairScreen.Track track(PaymentEvent... held) {
        PaymentPairScreen.Track t = new PaymentPairScreen.Track();
        t.held = held;
        t.openUntil = held.length;
        return t;
    }

    @Test
    void holdsWhatAHashMapHoldsThroughPutsRemovalsAndForgetting() {
        Random random = new Random(11);
        PaymentTrackTable table = new PaymentTrackTable();
        Map<String, Entry> expected = new HashMap<>();
        // few distinct ids in a small table: long probe runs, removals inside them
        String[] ids = new String[600];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = "p-" + random.nextInt(1_000_000);
        }
        long time = 0;
        for (int round = 0; round < 30_000; round++) {
            String id = ids[random.nextInt(ids.length)];
            time += random.nextInt(10);
            int op = random.nextInt(10);
            if (op < 5) {
                PaymentEvent e = FailedButChargedScreenTest.event(random.nextBoolean(), time, id, round);
                table.putLone(id, e, time + 1_000);
                expected.put(id, new Entry(e, time + 1_000));
            } else if (op < 7) {
                PaymentPairScreen.Track t = track();
                table.putTrack(id, t);
                expected.put(id, new Entry(t, PaymentTrackTable.NEVER));
            } else {
                assertThat(table.remove(id)).isEqualTo(expected.remove(id) != null);
            }
            if (round % 2_000 == 1_999) {
                long cutoff = time;
                expected.values().removeIf(v -> v.expiresAt() <= cutoff);
                assertThat(table.forgetUpTo(cutoff)).isEqualTo(expected.size());
            }
            assertThat(table.size()).isEqualTo(expected.size());
            Entry want = expected.get(id);
            assertThat(table.get(id)).isSameAs(want == null ? null : want.value());
        }
        for (String id : ids) {
            Entry want = expected.get(id);
            assertThat(table.get(id)).as(id).isSameAs(want == null ? null : want.value());
        }
        assertThat(contents(table)).isEqualTo(expected);
    }

    @Test
    void paymentsWithTheSameHashCodeAreKeptApartAndRemovedOneByOne() {
        PaymentTrackTable table = new PaymentTrackTable();
        // "Aa" and "BB" share String.hashCode, so do all their concatenations: one probe run
        List<String> ids = new ArrayList<>();
        for (String a : new String[] {"Aa", "BB"}) {
            for (String b : new String[] {"Aa", "BB"}) {
                for (String c : new String[] {"Aa", "BB"}) {
                    ids.add(a + b + c);
                }
            }
        }
        for (int i = 0; i < ids.size(); i++) {
            table.putLone(ids.get(i), FailedButChargedScreenTest.event(true, T0, ids.get(i), i), i);
        }
        for (int i = 0; i < ids.size(); i += 2) {
            assertThat(table.remove(ids.get(i))).isTrue();
            assertThat(table.remove(ids.get(i))).isFalse();
        }
        for (int i = 0; i < ids.size(); i++) {
            Object v = table.get(ids.get(i));
            if (i % 2 == 0) {
                assertThat(v).isNull();
            } else {
                assertThat(((PaymentEvent) v).paymentId).isEqualTo(ids.get(i));
            }
        }
        assertThat(table.size()).isEqualTo(ids.size() / 2);
    }

    @Test
    void forgettingTimedOutLoneEventsKeepsTracksAndShrinksTheTable() {
        PaymentTrackTable table = new PaymentTrackTable();
        for (int i = 0; i < 1_000; i++) {
            table.putLone("p-" + i, FailedButChargedScreenTest.event(false, T0 + i, "p-" + i, i), T0 + i);
        }
        PaymentPairScreen.Track kept = track();
        table.putTrack("p-7", kept);
        int grown = table.capacity();
        assertThat(table.forgetUpTo(T0 + 989)).as("the track and ten lone events").isEqualTo(11);
        assertThat(table.capacity()).isLessThan(grown / 8);
        assertThat(table.get("p-7")).isSameAs(kept);
        assertThat(table.get("p-995")).isNotNull();
        assertThat(table.forgetUpTo(Long.MAX_VALUE - 1)).isEqualTo(1);
    }

    @Test
    void aCopyIsIndependentOfTheTrackTheScreenChangesInPlace() {
        PaymentTrackTable table = new PaymentTrackTable();
        PaymentEvent e = FailedButChargedScreenTest.event(true, T0, "p-1", 1);
        PaymentPairScreen.Track t = track(e);
        table.putTrack("p-1", t);
        table.putLone("p-2", FailedButChargedScreenTest.event(false, T0, "p-2", 2), T0 + 5);
        table.expiryTimer = T0 + 9;
        PaymentTrackTable copy = PaymentTrackTableSerializer.INSTANCE.copy(table);
        t.openUntil = 42;
        t.held = new PaymentEvent[0];
        table.remove("p-2");
        PaymentPairScreen.Track copied = (PaymentPairScreen.Track) copy.get("p-1");
        assertThat(copied.openUntil).isEqualTo(1);
        assertThat(copied.held).containsExactly(e);
        assertThat(copy.get("p-2")).isNotNull();
        assertThat(copy.expiryTimer).isEqualTo(T0 + 9);
    }

    @Test
    void theSerializerWritesAndReadsBackEveryPaymentTheExpiryTimerAndCopiesBetweenViews() throws Exception {
        PaymentTrackTable table = new PaymentTrackTable();
        PaymentEvent lone = FailedButChargedScreenTest.event(false, T0, "p-1", 1);
        lone.message = "réseau indisponible"; // a wide char survives
        table.putLone("p-1", lone, T0 + 600_000);
        PaymentPairScreen.Track t = new PaymentPairScreen.Track();
        t.arrived = new PaymentEvent[] {FailedButChargedScreenTest.event(true, T0 + 1, "p-2", 2)};
        t.held = new PaymentEvent[] {FailedButChargedScreenTest.event(false, T0, "p-2", 3),
                FailedButChargedScreenTest.event(false, T0 + 2, "p-2", 4)};
        t.openUntil = T0 + 7;
        table.putTrack("p-2", t);
        table.expiryTimer = T0 + 900_000;

        DataOutputSerializer out = new DataOutputSerializer(256);
        PaymentTrackTableSerializer.INSTANCE.serialize(table, out);
        PaymentTrackTable back = PaymentTrackTableSerializer.INSTANCE.deserialize(
                new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(back.expiryTimer).isEqualTo(T0 + 900_000);
        assertThat(back.size()).isEqualTo(2);
        PaymentEvent readLone = (PaymentEvent) back.get("p-1");
        assertThat(readLone.eventId).isEqualTo(lone.eventId);
        assertThat(readLone.message).isEqualTo("réseau indisponible");
        assertThat(contents(back).get("p-1").expiresAt()).isEqualTo(T0 + 600_000);
        PaymentPairScreen.Track readTrack = (PaymentPairScreen.Track) back.get("p-2");
        assertThat(readTrack.arrived).extracting(e -> e.eventId).containsExactly("charge-p-2-2");
        assertThat(readTrack.held).extracting(e -> e.eventId).containsExactly("failed-p-2-3", "failed-p-2-4");
        assertThat(readTrack.openUntil).isEqualTo(T0 + 7);
        assertThat(contents(back).get("p-2").expiresAt()).isEqualTo(PaymentTrackTable.NEVER);

        DataOutputSerializer copied = new DataOutputSerializer(256);
        PaymentTrackTableSerializer.INSTANCE.copy(new DataInputDeserializer(out.getCopyOfBuffer()), copied);
        assertThat(copied.getCopyOfBuffer()).isEqualTo(out.getCopyOfBuffer());
    }

    /**
     * A table of thousands of payments, lone and tracked (one larger than a chunk), spans many of the
     * serializer's 16 KB chunks: the bytes are those written field by field (the layout the class
     * comment gives), they read back, and the checkpoint's stream gets one write per chunk, neither
     * several per field nor one for the whole table.
     */
    @Test
    void aLargeTableIsWrittenInChunksWithTheSameBytesAsFieldByField() throws Exception {
        PaymentTrackTable table = new PaymentTrackTable();
        Random random = new Random(5);
        for (int i = 0; i < 3_000; i++) {
            String id = "p-" + i + "-" + Long.toHexString(random.nextLong());
            if (i % 7 == 3) {
                PaymentPairScreen.Track t = track(FailedButChargedScreenTest.event(false, T0 + i, id, 1));
                t.arrived = new PaymentEvent[] {FailedButChargedScreenTest.event(true, T0 + i + 1, id, 2)};
                table.putTrack(id, t);
            } else {
                PaymentEvent lone = FailedButChargedScreenTest.event(i % 2 == 0, T0 + i, id, 1);
                if (i % 11 == 0) {
                    lone.message = "交易超时未确认 " + i; // wide chars
                }
                table.putLone(id, lone, T0 + i + 600_000);
            }
        }
        // one payment whose held events alone are larger than a chunk
        PaymentEvent[] many = new PaymentEvent[400];
        for (int i = 0; i < many.length; i++) {
            many[i] = FailedButChargedScreenTest.event(false, T0 + i, "p-many", i);
        }
        table.putTrack("p-many", track(many));
        table.expiryTimer = T0 + 900_000;

        DataOutputSerializer expected = new DataOutputSerializer(1 << 20);
        expected.writeLong(table.expiryTimer);
        expected.writeInt(table.size());
        table.forEach((id, value, expiresAt) -> {
            org.apache.flink.types.StringValue.writeString(id, expected);
            expected.writeLong(expiresAt);
            if (value instanceof PaymentEvent) {
                expected.writeByte(0);
                io.paywatch.model.PaymentEventSerializer.INSTANCE.serialize((PaymentEvent) value, expected);
            } else {
                PaymentPairScreen.Track t = (PaymentPairScreen.Track) value;
                expected.writeByte(1);
                for (PaymentEvent[] events : List.of(t.arrived, t.held)) {
                    expected.writeInt(events.length);
                    for (PaymentEvent e : events) {
                        io.paywatch.model.PaymentEventSerializer.INSTANCE.serialize(e, expected);
                    }
                }
                expected.writeLong(t.openUntil);
            }
        });

        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        int[] writes = {0};
        java.io.OutputStream counting = new java.io.OutputStream() {
            @Override
            public void write(int b) {
                writes[0]++;
                bytes.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                writes[0]++;
                bytes.write(b, off, len);
            }
        };
        PaymentTrackTableSerializer.INSTANCE.serialize(table,
                new org.apache.flink.core.memory.DataOutputViewStreamWrapper(counting));
        assertThat(bytes.toByteArray()).isEqualTo(expected.getCopyOfBuffer());
        // in chunks: each write but the last holds at least 16 KB, and the table takes many of them
        assertThat(expected.length()).isGreaterThan(10 * 16 * 1024);
        assertThat(writes[0]).isLessThanOrEqualTo(expected.length() / (16 * 1024) + 1)
                .isGreaterThanOrEqualTo(expected.length() / (48 * 1024));
        PaymentTrackTable back = PaymentTrackTableSerializer.INSTANCE.deserialize(
                new DataInputDeserializer(bytes.toByteArray()));
        assertThat(back.size()).isEqualTo(table.size());
        table.forEach((id, value, expiresAt) -> {
            if (value instanceof PaymentEvent) {
                assertThat(back.get(id)).isEqualTo(value);
                assertThat(((PaymentEvent) back.get(id)).message).isEqualTo(((PaymentEvent) value).message);
            } else {
                PaymentPairScreen.Track read = (PaymentPairScreen.Track) back.get(id);
                assertThat(read.arrived).containsExactly(((PaymentPairScreen.Track) value).arrived);
                assertThat(read.held).containsExactly(((PaymentPairScreen.Track) value).held);
            }
        });
    }
}
