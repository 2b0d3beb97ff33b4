package io.paywatch.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class PaymentEventSerializerTest {
    private static final PaymentEventSerializer S = PaymentEventSerializer.INSTANCE;

    /** An event with each optional field present or absent at random, and awkward strings. */
    static PaymentEvent random(Random r) {
        String[] strings = {"", "m-17", "card\n**bold**", "商户-北京", "\u0000", "x".repeat(70_000), "e-\uD83D\uDE00"};
        PaymentEvent e = new PaymentEvent();
        e.eventId = r.nextInt(8) == 0 ? null : strings[r.nextInt(strings.length)] + r.nextInt();
        e.eventTime = r.nextLong();
        e.kind = r.nextInt(8) == 0 ? null : EventKind.values()[r.nextInt(EventKind.values().length)];
        e.paymentId = r.nextBoolean() ? null : "p-" + r.nextInt();
        e.orderId = r.nextBoolean() ? null : "o-" + r.nextInt();
        e.merchantId = r.nextInt(8) == 0 ? null : strings[r.nextInt(strings.length)];
        e.channel = r.nextInt(8) == 0 ? null : strings[r.nextInt(strings.length)];
        e.failed = r.nextBoolean();
        e.code = r.nextBoolean() ? null : String.valueOf(100 + r.nextInt(400));
        e.category = r.nextBoolean() ? null : Category.ALL[r.nextInt(Category.ALL.length)];
        e.message = r.nextBoolean() ? null : strings[r.nextInt(strings.length)];
        e.amountMinor = r.nextBoolean() ? null : r.nextLong();
        e.currency = r.nextBoolean() ? null : "CNY";
        e.userId = r.nextBoolean() ? null : "u-" + r.nextInt();
        e.cardFingerprint = r.nextBoolean() ? null : "fp-" + r.nextInt();
        e.deviceId = r.nextBoolean() ? null : "d-" + r.nextInt();
        e.latencyMs = r.nextBoolean() ? null : (long) r.nextInt();
        return e;
    }

    /**
     * Field for field, and the id's hash that the read computed on the way (not a field of the
     * event) is its {@code String.hashCode}: dedup's table is probed with it.
     */
    private static void assertSameEvent(PaymentEvent actual, PaymentEvent expected) {
        assertThat(actual).usingRecursiveComparison().ignoringFields("hashedEventId", "eventIdHash")
                .isEqualTo(expected);
        if (expected.eventId != null) {
            assertThat(actual.eventIdHash()).isEqualTo(expected.eventId.hashCode());
        }
    }

    @Test
    void theIdsHashIsForgottenWhenTheIdChanges() throws Exception {
        PaymentEvent e = random(new Random(3));
        e.eventId = "e-1";
        DataOutputSerializer out = new DataOutputSerializer(64);
        S.serialize(e, out);
        PaymentEvent back = S.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(back.eventIdHash()).isEqualTo("e-1".hashCode());
        back.eventId = "e-2";
        assertThat(back.eventIdHash()).isEqualTo("e-2".hashCode());
    }

    @Test
    void everyEventComesBackEqualFieldForField() throws Exception {
        Random r = new Random(7);
        DataOutputSerializer out = new DataOutputSerializer(256);
        for (int i = 0; i < 1_000; i++) {
            PaymentEvent e = random(r);
            out.clear();
            S.serialize(e, out);
            PaymentEvent back = S.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
            assertSameEvent(back, e);
            // into a reused instance: every field overwritten, nulls included
            PaymentEvent reused = S.deserialize(random(r), new DataInputDeserializer(out.getCopyOfBuffer()));
            assertSameEvent(reused, e);
            assertSameEvent(S.copy(e), e);
            assertThat(S.copy(e)).isNotSameAs(e);
            assertSameEvent(S.copy(back), e); // the copy of a read event keeps the id's hash right
            // copy between views: the same bytes
            DataOutputSerializer copied = new DataOutputSerializer(256);
            S.copy(new DataInputDeserializer(out.getCopyOfBuffer()), copied);
            assertThat(copied.getCopyOfBuffer()).isEqualTo(out.getCopyOfBuffer());
        }
    }

    @Test
    void consecutiveEventsReadBackInOrderFromOneStream() throws Exception {
        Random r = new Random(11);
        PaymentEvent[] events = new PaymentEvent[50];
        DataOutputSerializer out = new DataOutputSerializer(256);
        for (int i = 0; i < events.length; i++) {
            events[i] = random(r);
            S.serialize(events[i], out);
        }
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        for (PaymentEvent e : events) {
            assertSameEvent(S.deserialize(in), e);
        }
        assertThat(in.available()).isZero();
    }

    /**
     * The serializer keeps a reader for the thread that used it first; a shared instance used by
     * other threads at the same time (as {@link PaymentEventSerializer#INSTANCE} is, by every task
     * that asks Flink for the type's serializer) gives each of them correct events, and so does a
     * duplicate.
     */
    @Test
    void threadsSharingOneSerializerEachReadTheirOwnEvents() throws Exception {
        PaymentEventSerializer shared = (PaymentEventSerializer) S.duplicate();
        assertThat(shared).isNotSameAs(S).isEqualTo(S);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            java.util.List<java.util.concurrent.Future<Integer>> done = new java.util.ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int seed = t;
                done.add(pool.submit(() -> {
                    Random r = new Random(seed);
                    DataOutputSerializer out = new DataOutputSerializer(256);
                    int checked = 0;
                    for (int i = 0; i < 3_000; i++) {
                        PaymentEvent e = random(r);
                        e.merchantId = "m-" + seed + "-" + r.nextInt(50); // repeating, kept by each reader
                        out.clear();
                        (i % 2 == 0 ? shared : S).serialize(e, out);
                        assertSameEvent((i % 3 == 0 ? S : shared)
                                .deserialize(new DataInputDeserializer(out.getCopyOfBuffer())), e);
                        checked++;
                    }
                    return checked;
                }));
            }
            for (java.util.concurrent.Future<Integer> f : done) {
                assertThat(f.get()).isEqualTo(3_000);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void flinkUsesItWhereverItMeetsTheType() {
        assertThat(TypeInformation.of(PaymentEvent.class)).isSameAs(PaymentEventTypeInfo.INSTANCE);
        assertThat(TypeInformation.of(PaymentEvent.class)
                .createSerializer(new org.apache.flink.api.common.serialization.SerializerConfigImpl()))
                .isSameAs(S);
    }

    @Test
    void itsSnapshotRestoresItAndRefusesStateOfAnotherType() {
        var snapshot = S.snapshotConfiguration();
        assertThat(snapshot.restoreSerializer()).isSameAs(S);
        assertThat(snapshot.resolveSchemaCompatibility(new PaymentEventSerializer.Snapshot()).isCompatibleAsIs()).isTrue();
        @SuppressWarnings({"unchecked", "rawtypes"})
        var other = snapshot.resolveSchemaCompatibility((org.apache.flink.api.common.typeutils.TypeSerializerSnapshot)
                org.apache.flink.api.common.typeutils.base.StringSerializer.INSTANCE.snapshotConfiguration());
        assertThat(other.isIncompatible()).isTrue();
    }
}
