package io.paywatch.bench;

import io.paywatch.jobs.ingest.EventParser;
import io.paywatch.jobs.ingest.ParsedRecord;
import io.paywatch.jobs.rates.BucketRing;
import io.paywatch.jobs.rates.FailureCounts;
import io.paywatch.model.PaymentEvent;
import io.paywatch.model.ReturnCodeCatalog;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH microbenchmarks of the hot pure-Java paths: the event parser (bytes → validated event),
 * the bucket ring (one payment in, one 5-minute window out), the open buckets in front of it
 * (one payment counted per merchant and channel), and the event's serializer against
 * Flink's POJO serializer (one event written and read back, as at every exchange and every CEP
 * state access on RocksDB), the line protocol of a rate snapshot (the busiest output), and
 * dedup's id table over the bench's stream of event ids, and a horizon of those ids written as a
 * heap checkpoint writes them. {@code ./paywatch bench --jmh [NAME]}.
 *
 * <p>On a shared machine these single-thread figures move far less than the end-to-end ones, so
 * they are the place to judge a change to one of these paths (docs/performance.md).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class MicroBenchmarks {
    private byte[][] lines;
    private EventParser parser;
    private final EventParser ratesParser = new EventParser(ReturnCodeCatalog.defaultCatalog(),
            io.paywatch.jobs.ingest.EventProjection.RATES);
    private PaymentEvent[] events;
    private BucketRing ring;
    private MapStore store;
    private int next;
    private final org.apache.flink.core.memory.DataOutputSerializer out =
            new org.apache.flink.core.memory.DataOutputSerializer(512);
    private final org.apache.flink.core.memory.DataInputDeserializer in =
            new org.apache.flink.core.memory.DataInputDeserializer();
    private org.apache.flink.api.common.typeutils.TypeSerializer<PaymentEvent> pojo;
    private io.paywatch.jobs.rates.RateSnapshot[] snapshots;

    /** The ring's store as the Flink operator has it (keyed map state), on a plain map. */
    static final class MapStore implements BucketRing.Store {
        final Map<Long, FailureCounts> buckets = new HashMap<>();

        @Override
        public FailureCounts get(long index) {
            return buckets.get(index);
        }

        @Override
        public void put(long index, FailureCounts counts) {
            buckets.put(index, counts);
        }

        @Override
        public void remove(long index) {
            buckets.remove(index);
        }

        @Override
        public Iterable<Long> indexes() {
            return buckets.keySet();
        }
    }

    @Setup
    public void setUp() {
        lines = BenchEvents.generate(100_000, 7).lines;
        parser = new EventParser(ReturnCodeCatalog.defaultCatalog());
        java.util.List<PaymentEvent> payments = new java.util.ArrayList<>();
        for (byte[] l : lines) {
            ParsedRecord p = parser.parse(l, "jmh", 0);
            if (p.event != null && p.event.isPayment()) {
                payments.add(p.event);
            }
        }
        events = payments.toArray(new PaymentEvent[0]);
        // one instance per merchant and channel, as dedup's reader hands them to the rate buckets
        // (kept apart from the events, which the other benchmarks read as the parser made them)
        merchantKeys = new String[events.length];
        channelKeys = new String[events.length];
        for (int i = 0; i < events.length; i++) {
            merchantKeys[i] = events[i].merchantId.intern();
            channelKeys[i] = events[i].channel.intern();
        }
        ring = new BucketRing(10_000, 30);
        pojo = io.paywatch.model.PojoPaymentEvents.serializer();
        store = new MapStore();
        // a window of each channel and of some merchants, as the rate operators emit them
        Map<String, io.paywatch.jobs.rates.RateSnapshot> byKey = new java.util.LinkedHashMap<>();
        for (PaymentEvent e : events) {
            for (String scope : new String[] {io.paywatch.jobs.rates.RateSnapshot.CHANNEL,
                    io.paywatch.jobs.rates.RateSnapshot.MERCHANT}) {
                String key = scope.equals(io.paywatch.jobs.rates.RateSnapshot.CHANNEL) ? e.channel : e.merchantId;
                io.paywatch.jobs.rates.RateSnapshot s = byKey.computeIfAbsent(scope + "/" + key, k -> {
                    io.paywatch.jobs.rates.RateSnapshot n = new io.paywatch.jobs.rates.RateSnapshot();
                    n.scope = scope;
                    n.key = key;
                    n.time = e.eventTime;
                    n.windowMs = 300_000;
                    n.counts = new FailureCounts(e.eventTime);
                    return n;
                });
                s.counts.add(e);
            }
        }
        snapshots = byKey.values().toArray(new io.paywatch.jobs.rates.RateSnapshot[0]);
    }

    /**
     * The event ids of 1 M bench events (33 minutes of event time: three dedup horizons), each
     * with its merchant and time, and one id table per merchant, as dedup keeps them on the heap.
     */
    @State(Scope.Thread)
    public static class DedupStream {
        static final long HORIZON_MS = io.paywatch.jobs.PipelineSettings.DEFAULT_DEDUP_HORIZON_MS;
        String[] ids;
        int[] merchants;
        long[] times;
        io.paywatch.jobs.ingest.EventIdTable[] tables;
        long[] cleanupAt;
        int next;

        @Setup
        public void setUp() {
            byte[][] lines = BenchEvents.generate(1_000_000, 7).lines;
            EventParser parser = new EventParser(ReturnCodeCatalog.defaultCatalog(),
                    io.paywatch.jobs.ingest.EventProjection.RATES);
            ids = new String[lines.length];
            merchants = new int[lines.length];
            times = new long[lines.length];
            Map<String, Integer> merchantIndex = new HashMap<>();
            for (int i = 0; i < lines.length; i++) {
                PaymentEvent e = parser.parse(lines[i], "jmh", 0).event;
                ids[i] = e.eventId;
                merchants[i] = merchantIndex.computeIfAbsent(e.merchantId, m -> merchantIndex.size());
                times[i] = e.eventTime;
            }
            tables = new io.paywatch.jobs.ingest.EventIdTable[merchantIndex.size()];
            cleanupAt = new long[merchantIndex.size()];
        }
    }

    /**
     * One event through dedup's id table: its merchant's forgotten ids removed when the event is
     * past the merchant's cleanup time (the operator does it when the watermark passes that time),
     * the id looked up, and remembered unless it repeats. At the end of the stream the tables start
     * over.
     */
    @Benchmark
    public boolean dedupOneEventInItsMerchantsIdTable(DedupStream s) {
        int i = s.next++;
        if (i == s.ids.length - 1) {
            s.next = 0;
            java.util.Arrays.fill(s.tables, null);
        }
        int m = s.merchants[i];
        long time = s.times[i];
        io.paywatch.jobs.ingest.EventIdTable table = s.tables[m];
        if (table == null) {
            table = s.tables[m] = new io.paywatch.jobs.ingest.EventIdTable();
            s.cleanupAt[m] = Long.MIN_VALUE;
        }
        if (s.cleanupAt[m] != Long.MIN_VALUE && time >= s.cleanupAt[m]) {
            table.forgetUpTo(s.cleanupAt[m] - DedupStream.HORIZON_MS);
            s.cleanupAt[m] = Long.MIN_VALUE;
        }
        long seen = table.firstSeen(s.ids[i]);
        if (seen != io.paywatch.jobs.ingest.EventIdTable.ABSENT && seen + DedupStream.HORIZON_MS > time) {
            return false;
        }
        table.remember(s.ids[i], time);
        if (s.cleanupAt[m] == Long.MIN_VALUE) {
            s.cleanupAt[m] = io.paywatch.jobs.ingest.DuplicateFilter.cleanupTime(time, DedupStream.HORIZON_MS);
        }
        return true;
    }

    @Benchmark
    public java.util.List<String> renderOneRateSnapshotAsLineProtocol() {
        return io.paywatch.jobs.metrics.MetricLines.of(snapshots[next++ % snapshots.length], null);
    }

    @Benchmark
    public ParsedRecord parseOneEvent() {
        byte[] line = lines[next++ % lines.length];
        return parser.parse(line, "jmh", 0);
    }

    /** As {@link #parseOneEvent}, by the parser of a rates-only job (the pattern rules off). */
    @Benchmark
    public ParsedRecord parseOneEventForTheRatesOnly() {
        byte[] line = lines[next++ % lines.length];
        return ratesParser.parse(line, "jmh", 0);
    }

    @Benchmark
    public FailureCounts addOnePaymentAndEvaluateTheWindow() throws Exception {
        PaymentEvent e = events[next++ % events.length];
        if (next % events.length == 0) {
            store.buckets.clear(); // event time starts over: a fresh ring
        }
        ring.add(store, e);
        long evaluation = ring.bucketEnd(e.eventTime);
        ring.expireOldest(store, evaluation);
        return ring.window(store, evaluation);
    }

    private final io.paywatch.jobs.rates.OpenBuckets merchantBuckets = new io.paywatch.jobs.rates.OpenBuckets();
    private final io.paywatch.jobs.rates.OpenBuckets channelBuckets = new io.paywatch.jobs.rates.OpenBuckets();
    private String[] merchantKeys;
    private String[] channelKeys;
    private long drainedAt = Long.MIN_VALUE;
    private long handedOver;
    private final io.paywatch.jobs.rates.OpenBuckets.Sink countHandedOver = (key, end, c) -> handedOver += c.total;

    /**
     * One payment counted in its merchant's and its channel's open 10-s buckets, as dedup's task
     * does for the rate operators, with the closed buckets handed over at each second of event
     * time (a watermark 200 ms behind). At the end of the stream everything is handed over.
     */
    @Benchmark
    public long countOnePaymentInItsOpenBuckets() throws Exception {
        int i = next++ % events.length;
        if (i == 0) {
            merchantBuckets.drainAll(countHandedOver);
            channelBuckets.drainAll(countHandedOver);
            drainedAt = Long.MIN_VALUE;
        }
        PaymentEvent e = events[i];
        merchantBuckets.add(merchantKeys[i], 10_000, e);
        channelBuckets.add(channelKeys[i], 10_000, e);
        long watermark = e.eventTime - 200;
        if (watermark >= drainedAt + 1_000) {
            merchantBuckets.drainClosed(watermark, countHandedOver);
            channelBuckets.drainClosed(watermark, countHandedOver);
            drainedAt = watermark;
        }
        return handedOver;
    }

    @Benchmark
    public PaymentEvent writeAndReadOneEventWithItsOwnSerializer() throws Exception {
        return roundTrip(io.paywatch.model.PaymentEventSerializer.INSTANCE);
    }

    @Benchmark
    public PaymentEvent writeAndReadOneEventWithFlinksPojoSerializer() throws Exception {
        return roundTrip(pojo);
    }

    private PaymentEvent roundTrip(org.apache.flink.api.common.typeutils.TypeSerializer<PaymentEvent> s)
            throws Exception {
        out.clear();
        s.serialize(events[next++ % events.length], out);
        in.setBuffer(out.getSharedBuffer(), 0, out.length());
        return s.deserialize(in);
    }

    /**
     * The stream a heap checkpoint writes a key's value to: Flink's data view over its compression
     * decorator's forwarding stream over the checkpoint file's 4 KB buffer (here discarding what it
     * is given).
     */
    @State(Scope.Thread)
    public static class HeapCheckpoint {
        org.apache.flink.core.memory.DataOutputViewStreamWrapper stream;

        @Setup
        public void setUp() {
            stream = new org.apache.flink.core.memory.DataOutputViewStreamWrapper(
                    new org.apache.flink.runtime.util.ForwardingOutputStream(
                            new java.io.BufferedOutputStream(java.io.OutputStream.nullOutputStream(), 4096)));
        }
    }

    /** The ids of a dedup horizon of the bench's events (the first 300,000: ten minutes of event time) in one table. */
    @State(Scope.Thread)
    public static class IdHorizon {
        io.paywatch.jobs.ingest.EventIdTable table;

        @Setup
        public void setUp() {
            table = new io.paywatch.jobs.ingest.EventIdTable();
            forEachBenchEvent(300_000, io.paywatch.jobs.ingest.EventProjection.RATES,
                    e -> table.remember(e.eventId, e.eventTime));
        }
    }

    /**
     * A horizon of ids (300,000) written as a checkpoint's asynchronous part writes a merchant's
     * table on the heap backend: the job's largest state, written whole at every checkpoint.
     */
    @Benchmark
    public int writeAHorizonOfIdsAsACheckpointDoes(IdHorizon s, HeapCheckpoint checkpoint) throws Exception {
        io.paywatch.jobs.ingest.EventIdTableSerializer.INSTANCE.serialize(s.table, checkpoint.stream);
        return checkpoint.stream.size();
    }

    /** The bench's first {@code count} events (seed 7), parsed with {@code projection}. */
    static void forEachBenchEvent(int count, io.paywatch.jobs.ingest.EventProjection projection,
            java.util.function.Consumer<PaymentEvent> action) {
        EventParser parser = new EventParser(ReturnCodeCatalog.defaultCatalog(), projection);
        for (byte[] line : BenchEvents.generate(count, 7).lines) {
            action.accept(parser.parse(line, "jmh", 0).event);
        }
    }

    /**
     * Payments as the screens hold them on the heap backend, in one table: every payment of 200,000
     * of the bench's events, as if one large merchant's (a checkpoint writes many smaller tables).
     */
    @State(Scope.Thread)
    public static class HeldPayments {
        io.paywatch.jobs.alerting.PaymentTrackTable table;

        @Setup
        public void setUp() {
            table = new io.paywatch.jobs.alerting.PaymentTrackTable();
            forEachBenchEvent(200_000, io.paywatch.jobs.ingest.EventProjection.ALL, e -> {
                if (e.isPayment()) { // most of a table: lone charges and failures
                    table.putLone(e.paymentId, e, e.eventTime + 600_000);
                }
            });
        }
    }

    /**
     * A table of held payments written as a checkpoint's asynchronous part writes a merchant's on
     * the heap backend: after dedup's ids, the largest state written whole at every checkpoint.
     */
    @Benchmark
    public int writeAMerchantsPaymentsAsACheckpointDoes(HeldPayments s, HeapCheckpoint checkpoint) throws Exception {
        io.paywatch.jobs.alerting.PaymentTrackTableSerializer.INSTANCE.serialize(s.table, checkpoint.stream);
        return checkpoint.stream.size();
    }
}
