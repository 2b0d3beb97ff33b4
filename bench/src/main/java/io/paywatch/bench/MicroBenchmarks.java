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
 * the bucket ring (one payment in, one 5-minute window out) and the event's serializer against
 * Flink's POJO serializer (one event written and read back, as at every exchange and every CEP
 * state access on RocksDB), and the line protocol of a rate snapshot (the busiest output).
 * {@code ./paywatch bench --jmh}.
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

    @Benchmark
    public java.util.List<String> renderOneRateSnapshotAsLineProtocol() {
        return io.paywatch.jobs.metrics.MetricLines.of(snapshots[next++ % snapshots.length], null);
    }

    @Benchmark
    public ParsedRecord parseOneEvent() {
        byte[] line = lines[next++ % lines.length];
        return parser.parse(line, "jmh", 0);
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
}
