package io.paywatch.bench;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.flink.runtime.checkpoint.Checkpoints;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.state.IncrementalRemoteKeyedStateHandle;
import org.apache.flink.runtime.state.filesystem.FileStateHandle;
import org.apache.flink.shaded.guava33.com.google.common.hash.Hashing;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.rocksdb.Options;
import org.rocksdb.SstFileReader;
import org.rocksdb.TableProperties;

/**
 * State size on a backend (the bench's {@code --state}, and RocksDB, the target's, when that is heap), read
 * from the checkpoints' metadata per operator: after 1× and 10× the
 * events (flat checkpoints: the state follows the traffic of the windows and horizons, not the
 * length of the run), and per active merchant-channel key.
 */
final class StateGrowth {
    /** The stateful operators of the pipeline, by uid. */
    static final String[] UIDS = {"dedup-by-merchant", "failure-rate-merchant", "failure-rate-channel",
        "cep-timeout-burst", "cep-risk-block", "cep-charged-unfulfilled-screen-by-merchant", "cep-charged-unfulfilled-screened-last-1000ms",
        "cep-failed-but-charged-screen-by-merchant", "cep-failed-but-charged-screened",
        "pattern-incidents", "alert-routing", "input-health", "event-time-gate"};
    /**
     * A tenth of the bench's pace, so that 1× already spans more than the longest window or
     * horizon of the rules (30 min) at 100,000 events, and 10× runs for hours of event time.
     */
    static final int EVENTS_PER_SECOND = 50;
    /**
     * Events per second of processing, below what the backend sustains (heap ~90,000, RocksDB
     * ~6,000), so that checkpoints are spread over the run and the job keeps up. Fed faster, a job
     * runs behind: its two source readers drift apart in event time, the watermark follows the
     * slower one, and everything waiting for it (CEP's element queues, pending incident signals,
     * rate buckets) grows with the drift — that, not the state itself, made RocksDB's checkpoints
     * grow at 20,000 events/s (2.7× after 30× the events; 1.03× after 10× at 4,000 events/s).
     * {@code BENCH_STATE_PACE} overrides it.
     */
    static double pace(String backend) {
        String pace = System.getenv("BENCH_STATE_PACE");
        return pace != null ? Double.parseDouble(pace) : backend.equals("rocksdb") ? 4_000 : 20_000;
    }
    /** Checkpoints often enough that the last one is close to the end of the events. */
    static final int CHECKPOINT_INTERVAL_S = 2;

    private StateGrowth() {}

    /** Runs the pipeline over {@code base} and 10 × {@code base} events on {@code backend}; prints sizes. */
    static void measure(int base, String backend, PrintStream out) throws Exception {
        // BENCH_STATE_FACTORS=1,10,30: a longer run, to see whether the size levels off
        int[] factors = Arrays.stream(System.getenv().getOrDefault("BENCH_STATE_FACTORS", "1,10")
                .split(",")).mapToInt(f -> Integer.parseInt(f.trim())).toArray();
        long[] totals = new long[factors.length];
        for (int i = 0; i < factors.length; i++) {
            BenchEvents set = BenchEvents.generate(base * factors[i], 42, EVENTS_PER_SECOND);
            BenchEvents.current = set.lines;
            Map<String, Long> sizes = lastCheckpoint(set, backend);
            long total = sizes.values().stream().mapToLong(Long::longValue).sum();
            totals[i] = total;
            long dedup = sizes.getOrDefault("dedup-by-merchant", 0L);
            int keys = set.activeMerchantChannels(Measurements.WINDOW_MS);
            StringBuilder per = new StringBuilder();
            sizes.forEach((uid, bytes) -> per.append(String.format(Locale.ROOT, " %s=%.0fKB", uid, bytes / 1e3)));
            out.printf(Locale.ROOT, "bench: state after %,d events (%.0f min of event time, fed at %,.0f events/s),"
                            + " %s: %,.0f KB in the last checkpoint;%s%n", set.lines.length,
                    (set.newest - BenchEvents.T0) / 60_000.0, pace(backend), backend, total / 1e3, per);
            out.printf(Locale.ROOT, "bench: state per active merchant-channel key on %s (%,d keys): %,.0f bytes in all,"
                            + " %,.0f bytes without dedup's event ids (target on RocksDB ≤ 2,048)%n",
                    backend, keys, (double) total / keys, (double) (total - dedup) / keys);
        }
        for (int i = 1; i < factors.length; i++) {
            // one checkpoint each: what is in flight when it is taken moves either one by tens of percent
            out.printf(Locale.ROOT, "bench: checkpoint on %s after %d× the events / after %d×: %.2f (target: flat; state"
                    + " that grew with the length of the run would give about %d)%n", backend, factors[i], factors[0],
                    (double) totals[i] / Math.max(1, totals[0]), factors[i] / factors[0]);
        }
    }

    /**
     * State size per operator in the last checkpoint taken while the events were flowing: the
     * newest but one (the newest follows the end of input, when every window has been flushed).
     */
    private static Map<String, Long> lastCheckpoint(BenchEvents set, String backend) throws Exception {
        Path checkpoints = Files.createTempDirectory("paywatch-bench-state");
        try {
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(
                    PayWatchBench.configuration(backend, CHECKPOINT_INTERVAL_S, checkpoints));
            BenchSource.eventsPerSecond = pace(backend);
            Measurements.pipeline(env, set.newest - 60_000);
            MetadataCollector collector = new MetadataCollector(checkpoints);
            collector.start();
            try {
                env.execute("paywatch-bench-state");
            } finally {
                BenchSource.eventsPerSecond = 0;
                collector.stop();
            }
            return collector.beforeLast;
        } finally {
            EndToEnd.deleteTree(checkpoints);
        }
    }

    /** Reads each completed checkpoint's metadata while the job runs (Flink removes subsumed ones). */
    static final class MetadataCollector implements Runnable {
        private final Path dir;
        private volatile boolean running = true;
        private Thread thread;
        private long seen = -1;
        volatile Map<String, Long> last = new LinkedHashMap<>();
        /** The one before the last: the last is the final checkpoint, after the end of input's flush. */
        volatile Map<String, Long> beforeLast = new LinkedHashMap<>();

        MetadataCollector(Path dir) {
            this.dir = dir;
        }

        void start() {
            thread = new Thread(this, "bench-checkpoint-metadata");
            thread.setDaemon(true);
            thread.start();
        }

        void stop() throws InterruptedException {
            running = false;
            thread.join();
            poll();
        }

        @Override
        public void run() {
            while (running) {
                poll();
                java.util.concurrent.locks.LockSupport.parkNanos(100_000_000);
            }
        }

        private void poll() {
            try (Stream<Path> all = Files.walk(dir, 2)) {
                for (Path chk : (Iterable<Path>) all.filter(p -> p.getFileName().toString().startsWith("chk-"))::iterator) {
                    long n = Long.parseLong(chk.getFileName().toString().substring(4));
                    Path metadata = chk.resolve("_metadata");
                    if (n > seen && Files.exists(metadata)) {
                        Map<String, Long> sizes = sizes(metadata);
                        seen = n;
                        if (sizes != null) {
                            if (System.getenv("BENCH_DEBUG") != null) {
                                System.out.printf(Locale.ROOT, "debug checkpoint %d: %,.0f KB%n", n,
                                        sizes.values().stream().mapToLong(Long::longValue).sum() / 1e3);
                            }
                            beforeLast = last;
                            last = sizes;
                        }
                    }
                }
            } catch (IOException | RuntimeException beingWrittenOrRemoved) {
                // the next poll sees it complete, or a newer one
            }
        }

        /** Per operator uid, or null when some operator had finished (its state is gone). */
        private static Map<String, Long> sizes(Path metadata) throws IOException {
            CheckpointMetadata m;
            try (InputStream in = Files.newInputStream(metadata)) {
                m = Checkpoints.loadCheckpointMetadata(new DataInputStream(in),
                        StateGrowth.class.getClassLoader(), metadata.getParent().toString());
            }
            Map<OperatorID, OperatorState> byId = new LinkedHashMap<>();
            for (OperatorState s : m.getOperatorStates()) {
                if (s.isFullyFinished()) {
                    return null;
                }
                byId.put(s.getOperatorID(), s);
            }
            Map<String, Long> sizes = new LinkedHashMap<>();
            for (String uid : UIDS) {
                OperatorState s = byId.get(operatorId(uid));
                if (s != null) {
                    sizes.put(uid, s.getStateSize());
                    if (System.getenv("BENCH_DEBUG") != null) {
                        long keyed = 0;
                        long op = 0;
                        for (var st : s.getStates()) {
                            for (var h : st.getManagedKeyedState()) {
                                if (h instanceof IncrementalRemoteKeyedStateHandle inc) {
                                    StringBuilder files = new StringBuilder();
                                    for (var f : inc.getSharedState()) {
                                        files.append(' ').append(f.getLocalPath()).append('=').append(f.getStateSize());
                                    }
                                    for (var f : inc.getPrivateState()) {
                                        files.append(' ').append(f.getLocalPath()).append('=').append(f.getStateSize());
                                    }
                                    System.out.println("debug files " + uid + " meta="
                                            + inc.getMetaDataStateHandle().getStateSize() + files);
                                    if (System.getenv("BENCH_SST") != null) {
                                        printColumnFamilies(uid, inc);
                                    }
                                }
                            }
                            keyed += st.getManagedKeyedState().getStateSize();
                            op += st.getManagedOperatorState().getStateSize();
                        }
                        System.out.println("debug " + uid + " keyed=" + keyed + " operator=" + op);
                    }
                }
            }
            return sizes;
        }

        /**
         * BENCH_SST=1: per RocksDB column family (one per state) of an instance, what its SST
         * files hold: live puts, deletions and merge operands (which of them make a size grow).
         */
        private static void printColumnFamilies(String uid, IncrementalRemoteKeyedStateHandle inc) {
            Map<String, long[]> byState = new TreeMap<>();
            for (var f : inc.getSharedState()) {
                if (!(f.getHandle() instanceof FileStateHandle file)) {
                    continue;
                }
                try (Options o = new Options(); SstFileReader reader = new SstFileReader(o)) {
                    reader.open(file.getFilePath().getPath());
                    TableProperties p = reader.getTableProperties();
                    long[] t = byState.computeIfAbsent(new String(p.getColumnFamilyName(), StandardCharsets.UTF_8),
                            k -> new long[5]);
                    t[0]++;
                    t[1] += file.getStateSize();
                    t[2] += p.getNumEntries();
                    t[3] += p.getNumDeletions();
                    t[4] += p.getNumMergeOperands();
                } catch (Exception | UnsatisfiedLinkError gone) {
                    // removed by a newer checkpoint meanwhile
                }
            }
            byState.forEach((cf, t) -> System.out.printf(Locale.ROOT,
                    "debug sst %s %s: files=%d bytes=%d entries=%d deletions=%d merges=%d%n",
                    uid, cf, t[0], t[1], t[2], t[3], t[4]));
        }
    }

    /** The operator id Flink derives from a uid (StreamGraphHasherV2). */
    static OperatorID operatorId(String uid) {
        return new OperatorID(Hashing.murmur3_128(0).newHasher().putString(uid, StandardCharsets.UTF_8)
                .hash().asBytes());
    }
}
