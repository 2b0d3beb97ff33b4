package io.paywatch.bench;

import io.paywatch.jobs.runtime.StateBackendSettings;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * {@code ./paywatch bench [--events N] [--state heap|rocksdb] [--repetitions 3]}: PayWatch against
 * the Flink alternatives on the same pre-serialised events, one after the other in this JVM, each
 * on an embedded Flink at parallelism 2 with checkpoints every 10 s. Two warm-up runs of each first,
 * then the repetitions in rounds (every job once per round), and the median of each job's runs.
 * The last line is
 * {@code bench: parse=<eps> pipeline=<eps> pipeline_rates=<eps> pipeline_slow=<eps> baseline_windows=<eps> baseline_sql=<eps>}.
 */
public final class PayWatchBench {
    /** The pipeline over events whose fulfilments come late (BenchEvents, slow fulfilment). */
    static final String SLOW = "pipeline_slow";
    /** The pipeline at parallelism 1 (one source reader, one subtask per operator). */
    static final String P1 = "pipeline_p1";
    /** The pipeline on RocksDB, on at most {@link #ROCKSDB_EVENTS} of the events (it is ~4x slower). */
    static final String ROCKSDB = "pipeline_rocksdb";
    static final int ROCKSDB_EVENTS = 200_000;

    /** One measured job: builds its topology on the environment it is given. */
    interface Job {
        void build(StreamExecutionEnvironment env, long checksumUpTo);
    }

    /** What one run measured. */
    static final class Run {
        /**
         * The events over the time from the first event read to the job's end (BenchSource.ReadClock):
         * the net runtime without the tasks' deployment.
         */
        final double eventsPerSecond;
        /** Events over the job's net runtime: deployment, the last watermark and the teardown included. */
        double netEventsPerSecond;
        final long peakHeapBytes;
        final long checkpointBytes;
        final long rateRecords;
        final long rateChecksum;
        /** CEP matches counted by {@code baseline_cep}, else 0. */
        long patternMatches;
        /**
         * CPU time of the whole process (every task, GC, JIT) per event while the job ran. On a
         * shared machine whose neighbours take cores away it moves far less than events/s.
         */
        double cpuMicrosPerEvent;
        /**
         * The JIT compilers' time while the job ran (summed over the compiler threads): how far
         * from compiled the process still was (with two cores, one C2 thread works off a long queue).
         */
        long jitMillis;
        /** The process's CPU time by thread group ({@link ThreadCpu}), as shares of the whole. */
        Map<String, Double> cpuShares = Map.of();
        /** The process's CPU time over the job's wall time, submission to end: the cores it kept busy. */
        double busyCores;

        Run(double eventsPerSecond, long peakHeapBytes, long checkpointBytes, long rateRecords, long rateChecksum) {
            this.eventsPerSecond = eventsPerSecond;
            this.peakHeapBytes = peakHeapBytes;
            this.checkpointBytes = checkpointBytes;
            this.rateRecords = rateRecords;
            this.rateChecksum = rateChecksum;
        }
    }

    /** As {@code run}'s default: a production-like checkpoint cost, the same for every job. */
    static final int CHECKPOINT_INTERVAL_S = 10;
    /**
     * Warm-up runs of each job before the measured ones (none in the correctness test). Two: on
     * two cores the JIT's one C2 thread is still compiling the jobs' hot methods in the run after
     * a single warm-up (each embedded cluster's start queues Flink's own code first), and the
     * first job of the JVM gained 20-60 % from its second run to its fifth (docs/performance.md).
     */
    int warmUps = 2;
    /** Measure only these jobs and measurements (for profiling), or null for all. */
    java.util.Set<String> only;

    private boolean selected(String name) {
        return only == null || only.contains(name);
    }
    private final PrintStream out;
    private final String state;
    private final int repetitions;
    /** The embedded clusters the measured jobs share (closed when {@link #run} ends). */
    private final WarmClusters clusters = new WarmClusters();

    PayWatchBench(PrintStream out, String state, int repetitions) {
        this.out = out;
        this.state = state;
        this.repetitions = repetitions;
    }

    static Map<String, Job> jobs() {
        Map<String, Job> jobs = new LinkedHashMap<>();
        jobs.put("parse", (env, upTo) -> Measurements.parse(env));
        jobs.put("pipeline", Measurements::pipeline);
        jobs.put("pipeline_rates", Measurements::pipelineRates);
        // the same job on RocksDB, the backend run uses in production, on fewer events
        jobs.put(ROCKSDB, Measurements::pipeline);
        // the same job on the same mix with fulfilments 5 s to 10 min after their charges
        jobs.put(SLOW, Measurements::pipeline);
        // the same job at parallelism 1: how it scales from one core to two
        jobs.put(P1, Measurements::pipeline);
        jobs.put("baseline_windows", Measurements::baselineWindows);
        jobs.put("baseline_sql", Measurements::baselineSql);
        jobs.put("baseline_cep", Measurements::baselineCep);
        return jobs;
    }

    static String usage() {
        return String.join("\n",
            "Usage: paywatch bench [--events N] [--state heap|rocksdb] [--repetitions N] [--only JOB,…]",
            "                      [--latency-rate EVENTS_PER_S] | --jmh [NAME]",
            "PayWatch against sliding windows, Flink SQL and a plain CEP job on the same events",
            "(docs/performance.md); the last line sums the medians up. A run's events/s counts from the",
            "first event read to the job's end (the net runtime's figure is printed beside it).",
            "      --events N            events per measurement (1000000)",
            "      --state heap|rocksdb  state backend of the PayWatch jobs and the latency run (heap); the state growth runs on it and, if heap, on RocksDB too",
            "      --repetitions N       runs per measurement, in rounds of every job; the median is reported (3)",
            "      --warm-ups N          runs of each job before its measured ones (2; 0 for none)",
            "      --only JOB,…          only these measurements: " + String.join(", ", jobs().keySet()),
            "                              or " + String.join(", ", EXTRAS),
            "      --latency-rate N      the detection-latency run's event rate (default: half of what producer, broker and run carry together here, measured first)",
            "      --duration 30m        (--only soak) how long the soak runs",
            "      --soak-rate N         (--only soak) payments per second (450, about 950 records/s with their fulfilments and refunds: half of what run sustains on RocksDB here)",
            "      --jmh [NAME]          microbenchmarks (JMH) of the parser, the bucket ring, the open buckets, the event serializer, the rate lines, dedup's id table and the screens' payment table; NAME runs one (a method of MicroBenchmarks)",
            "  -h, --help                this help",
            "");
    }

    public static void main(String[] args) throws Exception {
        if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
            System.out.print(usage());
            return;
        }
        int jmh = Arrays.asList(args).indexOf("--jmh");
        if (jmh >= 0) {
            // the hot paths alone, all or the one named (JMH forks its own JVM, with these flags)
            String benchmark = "";
            if (jmh + 1 < args.length && !args[jmh + 1].startsWith("-")) {
                String name = args[jmh + 1];
                java.util.List<String> names = Arrays.stream(MicroBenchmarks.class.getMethods())
                        .filter(m -> m.isAnnotationPresent(org.openjdk.jmh.annotations.Benchmark.class))
                        .map(java.lang.reflect.Method::getName).sorted().toList();
                if (!names.contains(name)) {
                    fail("bench: --jmh " + name + ": no such benchmark (one of " + String.join(", ", names) + ")");
                }
                benchmark = "\\." + java.util.regex.Pattern.quote(name) + "$";
            }
            org.openjdk.jmh.Main.main(new String[] {MicroBenchmarks.class.getName() + benchmark,
                "-jvmArgsAppend", String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments())});
            return;
        }
        int events = 1_000_000;
        String state = "heap";
        int repetitions = 3;
        int warmUps = 2;
        java.util.Set<String> only = null;
        int latencyRate = 0;
        long soakMs = 30 * 60_000L;
        double soakRate = SOAK_RATE;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (a) {
                case "bench":
                    continue;
                case "--events":
                    events = positive(a, v);
                    i++;
                    break;
                case "--repetitions":
                    repetitions = positive(a, v);
                    i++;
                    break;
                case "--warm-ups":
                    warmUps = whole(a, v);
                    i++;
                    break;
                case "--only":
                    only = new java.util.LinkedHashSet<>();
                    for (String name : (v == null ? "" : v).split(",")) {
                        if (!jobs().containsKey(name) && !EXTRAS.contains(name)) {
                            fail("bench: --only takes one or more (comma-separated) of "
                                    + String.join(", ", jobs().keySet()) + ", " + String.join(", ", EXTRAS)
                                    + ", got '" + name + "'");
                        }
                        only.add(name);
                    }
                    i++;
                    break;
                case "--state":
                    if (!"heap".equals(v) && !"rocksdb".equals(v)) {
                        fail("bench: --state must be heap or rocksdb, got '" + v + "'");
                    }
                    state = v;
                    i++;
                    break;
                case "--latency-rate":
                    latencyRate = positive(a, v);
                    i++;
                    break;
                case "--duration":
                    try {
                        soakMs = io.paywatch.model.Durations.parseMillis(v == null ? "" : v);
                    } catch (IllegalArgumentException e) {
                        fail("bench: --duration: " + e.getMessage());
                    }
                    i++;
                    break;
                case "--soak-rate":
                    soakRate = positive(a, v);
                    i++;
                    break;
                default:
                    fail("bench: unknown flag '" + a + "' (flags: --events N, --state heap|rocksdb, --repetitions N, --warm-ups N,"
                            + " --only JOB, --latency-rate EVENTS_PER_S, --duration D, --soak-rate N; see ./paywatch bench --help)");
            }
        }
        PayWatchBench bench = new PayWatchBench(System.out, state, repetitions);
        bench.only = only;
        bench.warmUps = warmUps;
        bench.soakMs = soakMs;
        bench.soakRate = soakRate;
        Map<String, Double> medians = bench.run(events);
        bench.extras(events, medians, latencyRate);
        System.out.println(finalLine(medians));
        System.exit(0);
    }

    /** A count that may be 0. */
    private static int whole(String flag, String v) {
        int n = number(v);
        if (n < 0) {
            fail("bench: " + flag + " must be a whole number (0 or more), got '" + v + "'");
        }
        return n;
    }

    private static int positive(String flag, String v) {
        int n = number(v);
        if (n <= 0) {
            fail("bench: " + flag + " must be a positive whole number, got '" + v + "'");
        }
        return n;
    }

    /** The number {@code v} spells (1_000 allowed), or -1. */
    private static int number(String v) {
        try {
            return Math.max(-1, Integer.parseInt(v == null ? "" : v.replace("_", "")));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static void fail(String message) {
        System.err.println(message);
        System.exit(2);
    }

    static String finalLine(Map<String, Double> medians) {
        StringBuilder b = new StringBuilder("bench:");
        medians.forEach((k, v) -> b.append(' ').append(k).append('=').append(Math.round(v)));
        return b.toString();
    }

    /** Runs every job (warm-up, then the repetitions) and returns the median events/s of each. */
    Map<String, Double> run(int events) throws Exception {
        try (clusters) {
            return measure(events);
        }
    }

    private Map<String, Double> measure(int events) throws Exception {
        if (only != null && only.stream().allMatch(EXTRAS::contains)) {
            return new LinkedHashMap<>();
        }
        out.printf(Locale.ROOT, "bench: generating %,d events…%n", events);
        BenchEvents set = BenchEvents.generate(events, 42);
        BenchEvents.current = set.lines;
        // only windows well inside the data count: PayWatch stops where the data does at the end
        long checksumUpTo = set.newest - 60_000;
        out.printf(Locale.ROOT, "bench: %,d events, %.1f MB of JSON, %d merchants (Zipf), %d channels,"
                        + " 6%% of payments failed; parallelism %d, %s state, checkpoints every %d s, %d cores seen by the JVM%n",
                set.lines.length, set.bytes() / 1e6, BenchEvents.MERCHANTS, BenchEvents.CHANNELS.length,
                BenchSource.PARALLELISM, state, CHECKPOINT_INTERVAL_S, Runtime.getRuntime().availableProcessors());
        // every job's warm-ups first, in order; then the repetitions in rounds, each job once per
        // round: a neighbour's load on this shared machine then falls on every job alike, and the
        // ratios of one run compare like with like (run one after the other, a job's three runs
        // and its baseline's could be minutes and a different neighbour apart)
        List<Measured> measured = new ArrayList<>();
        for (Map.Entry<String, Job> job : jobs().entrySet()) {
            String name = job.getKey();
            if (!selected(name)) {
                continue;
            }
            Measured m = new Measured(name, job.getValue(), set, checksumUpTo, state);
            // a job on events of its own makes them for each of its runs and drops them after: held
            // for the whole measurement beside the shared ones, they filled the heap every job ran in
            if (name.equals(ROCKSDB)) {
                m.state = "rocksdb";
                if (set.lines.length > ROCKSDB_EVENTS) {
                    m.own = () -> BenchEvents.generate(ROCKSDB_EVENTS, 42);
                    m.ownChecksumWindow = true;
                }
                out.printf(Locale.ROOT, "bench: %s: the pipeline on RocksDB, %,d events%n", name,
                        Math.min(set.lines.length, ROCKSDB_EVENTS));
            }
            if (name.equals(SLOW)) {
                int n = set.lines.length;
                m.own = () -> BenchEvents.generate(n, 42, BenchEvents.EVENTS_PER_SECOND, true);
                out.printf(Locale.ROOT, "bench: %s: the same mix with each fulfilment 5 s to 10 min after its charge%n",
                        name);
            }
            m.parallelism = name.equals(P1) ? 1 : BenchSource.PARALLELISM;
            measured.add(m);
            BenchEvents warmUpEvents = warmUps > 0 ? m.events() : null;
            for (int w = 1; w <= warmUps; w++) {
                out.printf("bench: %s: warm-up %d/%d…%n", name, w, warmUps);
                Run warm = m.once(warmUpEvents);
                out.printf(Locale.ROOT, "bench: %s: warm-up %d/%d: %,.0f events/s, JIT compilers %,d ms%n",
                        name, w, warmUps, warm.eventsPerSecond, warm.jitMillis);
            }
        }
        for (int r = 0; r < repetitions; r++) {
            for (Measured m : measured) {
                Run run = m.once();
                out.printf(Locale.ROOT, "bench: %s: run %d/%d: %,.0f events/s (%,.0f over the net runtime),"
                                + " %.2f µs CPU per event, JIT compilers %,d ms%n",
                        m.name, r + 1, repetitions, run.eventsPerSecond, run.netEventsPerSecond,
                        run.cpuMicrosPerEvent, run.jitMillis);
                m.runs.add(run);
            }
        }
        Map<String, Double> medians = new LinkedHashMap<>();
        Map<String, Long> checksums = new LinkedHashMap<>();
        netMedians.clear();
        cpuMedians.clear();
        busyCores.clear();
        for (Measured m : measured) {
            String name = m.name;
            List<Run> runs = new ArrayList<>(m.runs);
            runs.sort((a, b) -> Double.compare(a.eventsPerSecond, b.eventsPerSecond));
            Run median = runs.get(runs.size() / 2);
            medians.put(name, median.eventsPerSecond);
            double[] net = runs.stream().mapToDouble(x -> x.netEventsPerSecond).sorted().toArray();
            netMedians.put(name, net[net.length / 2]);
            long peak = runs.stream().mapToLong(x -> x.peakHeapBytes).max().orElse(0);
            long checkpoint = runs.stream().mapToLong(x -> x.checkpointBytes).max().orElse(0);
            double[] cpu = runs.stream().mapToDouble(x -> x.cpuMicrosPerEvent).sorted().toArray();
            cpuMedians.put(name, cpu[cpu.length / 2]);
            if (name.equals(P1) || name.equals("pipeline")) {
                // who keeps the cores busy: the question of the scaling ratio
                busyCores.put(name, median.busyCores);
                out.printf(Locale.ROOT, "bench: %s kept %.2f cores busy (median run: CPU time over wall time), by thread: %s%n",
                        name, median.busyCores, ThreadCpu.describe(median.cpuShares, median.busyCores, 0.02));
            }
            out.printf(Locale.ROOT, "bench: %-16s %,12.0f events/s  %,10.0f per core  %6.2f µs CPU per event"
                            + "  peak heap %,6.0f MB  checkpoint %,8.1f KB%s%s  (%,.0f events/s over the net runtime)%n",
                    name, median.eventsPerSecond, median.eventsPerSecond / m.parallelism,
                    cpu[cpu.length / 2], peak / 1e6, checkpoint / 1e3,
                    median.rateRecords > 0 ? String.format(Locale.ROOT, "  rates %,d (checksum %d)",
                            median.rateRecords, median.rateChecksum) : "",
                    median.patternMatches > 0 ? String.format(Locale.ROOT, "  CEP matches %,d", median.patternMatches) : "",
                    netMedians.get(name));
            if (median.rateRecords > 0 && m.own == null) {
                checksums.put(name, median.rateChecksum);
            } else if (name.equals(ROCKSDB) && median.rateRecords > 0) {
                // its own events: the same job on heap over them gives the rates to compare with
                BenchEvents own = m.events();
                Run heap = once(m.job, own, m.checksumUpTo(own), "heap");
                out.println("bench: same failure rates from " + ROCKSDB + " and the pipeline on heap over its events: "
                        + (heap.rateChecksum == median.rateChecksum ? "yes"
                                : "NO " + median.rateChecksum + " against " + heap.rateChecksum));
                rocksdbChecksums = new long[] {median.rateChecksum, heap.rateChecksum};
            }
        }
        perRound = new LinkedHashMap<>();
        for (Measured m : measured) {
            perRound.put(m.name, m.runs.stream().mapToDouble(x -> x.eventsPerSecond).toArray());
        }
        boolean same = checksums.values().stream().distinct().count() <= 1;
        if (checksums.isEmpty() && rocksdbChecksums != null) {
            // pipeline_rocksdb alone: compared with the heap pipeline over its events above
        } else if (checksums.isEmpty()) {
            out.println("bench: same failure rates: nothing to compare (no window ends well inside so few events)");
        } else {
            out.println("bench: same failure rates from " + String.join(", ", checksums.keySet()) + ": "
                    + (same ? "yes" : "NO " + checksums));
        }
        atLeast(medians, "pipeline", 200_000);
        atLeast(medians, ROCKSDB, 30_000);
        ratio(medians, "pipeline", "baseline_sql", 0.75);
        ratio(medians, "pipeline_rates", "baseline_sql", 2);
        ratio(medians, "pipeline_rates", "baseline_windows", 3);
        ratio(medians, SLOW, "pipeline", 0.8);
        ratio(medians, "pipeline", "baseline_cep", 2);
        ratio(medians, "pipeline", P1, 1.7);
        if (medians.containsKey("pipeline") && medians.containsKey(P1)) {
            out.println(scalingCeiling(busyCores.get(P1), cpuMedians.get(P1), cpuMedians.get("pipeline"),
                    Runtime.getRuntime().availableProcessors()));
            out.println(CoreScaling.describe());
        }
        lastChecksums = checksums;
        return medians;
    }

    /** Prints a measurement against its target in events/s when it was measured in this run. */
    private void atLeast(Map<String, Double> medians, String name, double target) {
        if (medians.containsKey(name)) {
            double v = medians.get(name);
            out.printf(Locale.ROOT, "bench: %s = %,.0f events/s (target ≥ %,.0f): %s; over the net runtime %,.0f%n",
                    name, v, target, v >= target ? "met" : "missed", netMedians.getOrDefault(name, 0.0));
        }
    }

    /**
     * Prints a / b (of the medians) against its target when both were measured in this run, and
     * the ratio within each round: two jobs of one round ran minutes apart at most, so the spread of
     * these says how far the machine's noise moved the verdict.
     */
    private void ratio(Map<String, Double> medians, String a, String b, double target) {
        if (medians.containsKey(a) && medians.containsKey(b)) {
            double r = medians.get(a) / medians.get(b);
            StringBuilder rounds = new StringBuilder();
            double[] ra = perRound.get(a);
            double[] rb = perRound.get(b);
            if (ra != null && rb != null && ra.length > 1) {
                rounds.append("; by round");
                for (int i = 0; i < Math.min(ra.length, rb.length); i++) {
                    rounds.append(i == 0 ? " " : ", ").append(String.format(Locale.ROOT, "%.2f", ra[i] / rb[i]));
                }
            }
            if (netMedians.containsKey(a) && netMedians.containsKey(b)) {
                rounds.append(String.format(Locale.ROOT, "; over the net runtime %.2f",
                        netMedians.get(a) / netMedians.get(b)));
            }
            out.printf(Locale.ROOT, "bench: ratio %s / %s = %.2f (target ≥ %.2f): %s%s%n", a, b, r, target,
                    r >= target ? "met" : "missed", rounds);
        }
    }

    /**
     * What the machine leaves the scaling ratio. A job's rate is the cores it keeps busy over its CPU
     * time per event, so pipeline / pipeline_p1 = (busy₂ / busy₁) × (cpu₁ / cpu₂), and with at most
     * {@code cores} busy at parallelism 2 it is at most {@code cores / busy₁ × cpu₁ / cpu₂}: parallelism
     * 1 already keeps {@code p1BusyCores} busy (its tasks pipelined over several threads, with the
     * JVM's own), and what is left is won only by needing less CPU per event. A bound on the ratio over
     * the net runtime (busy cores and CPU are those of the whole run), about the same as the headline's.
     */
    static String scalingCeiling(double p1BusyCores, double p1CpuMicros, double p2CpuMicros, int cores) {
        return String.format(Locale.ROOT, "bench: %s kept %.2f of this machine's %d %s busy, and pipeline needed"
                        + " %.2f µs CPU per event against its %.2f (%.2f×), so here pipeline could run at most"
                        + " %d / %.2f × %.2f / %.2f = %.2f× as fast as %s",
                P1, p1BusyCores, cores, cores == 1 ? "core" : "cores", p2CpuMicros, p1CpuMicros,
                p2CpuMicros / p1CpuMicros, cores, p1BusyCores, p1CpuMicros, p2CpuMicros,
                cores / p1BusyCores * p1CpuMicros / p2CpuMicros, P1);
    }

    /** The cores {@code pipeline} and {@link #P1} kept busy in their median runs (of the last {@link #run}). */
    final Map<String, Double> busyCores = new LinkedHashMap<>();
    /** Each measured job's median CPU time per event, µs (of the last {@link #run}). */
    final Map<String, Double> cpuMedians = new LinkedHashMap<>();
    /** Each measured job's events/s by round, in the order the rounds ran (of the last {@link #run}). */
    Map<String, double[]> perRound = new LinkedHashMap<>();
    /** Each measured job's median events/s over the net runtime (of the last {@link #run}). */
    final Map<String, Double> netMedians = new LinkedHashMap<>();

    /** A job as it is measured: its events, state backend and parallelism, and its measured runs. */
    private final class Measured {
        final String name;
        final Job job;
        /** The shared events, unless the job has {@link #own} ones. */
        final BenchEvents events;
        /** Makes the job's own events (deterministic), or null. */
        java.util.function.Supplier<BenchEvents> own;
        /** Whether the rate checksum's window ends a minute before the own events' newest. */
        boolean ownChecksumWindow;
        final long checksumUpTo;
        String state;
        int parallelism;
        final List<Run> runs = new ArrayList<>();

        Measured(String name, Job job, BenchEvents events, long checksumUpTo, String state) {
            this.name = name;
            this.job = job;
            this.events = events;
            this.checksumUpTo = checksumUpTo;
            this.state = state;
        }

        /** The events the job reads: the shared ones or its own, made now. */
        BenchEvents events() {
            return own != null ? own.get() : events;
        }

        long checksumUpTo(BenchEvents read) {
            return ownChecksumWindow ? read.newest - 60_000 : checksumUpTo;
        }

        /** One run of the job on its events, backend and parallelism. */
        Run once() throws Exception {
            return once(events());
        }

        /** One run of the job on {@code read} (its events, made once for its warm-ups). */
        Run once(BenchEvents read) throws Exception {
            BenchSource.parallelism = parallelism;
            try {
                return PayWatchBench.this.once(job, read, checksumUpTo(read), state);
            } finally {
                BenchSource.parallelism = BenchSource.PARALLELISM;
            }
        }
    }

    /** Measured after the jobs, each on its own line: the end-to-end targets. */
    static final List<String> EXTRAS = List.of("replay", "state", "latency", "soak");

    /** The soak's length and rate (--duration, --soak-rate): half of what `run` sustains on RocksDB here. */
    long soakMs = 30 * 60_000L;
    double soakRate = SOAK_RATE;
    static final double SOAK_RATE = 450;

    /**
     * File replay end to end, then state size and growth (on the --state backend and on RocksDB, the
     * target's) and detection latency from a real Kafka broker on the --state backend (last: its live
     * job runs until the bench exits).
     */
    void extras(int events, Map<String, Double> medians, int latencyRate) throws Exception {
        if (selected("replay")) {
            BenchEvents set = BenchEvents.generate(events, 42);
            double eps = EndToEnd.replay(set, out);
            medians.put("replay", eps);
            out.printf(Locale.ROOT, "bench: replay of a file, end to end: %,.0f events/s (target ≥ 150,000)%n", eps);
        }
        if (selected("state")) {
            StateGrowth.measure(100_000, state, out); // 1x spans 33 min of event time: every horizon
            if (!state.equals("rocksdb")) {
                // the target is per key on RocksDB, whose checkpoints hold SST files, not the heap's values
                StateGrowth.measure(100_000, "rocksdb", out);
            }
        }
        if (only != null && only.contains("soak")) { // 30 minutes: only when asked for by name
            DetectionLatency.soak(soakRate, soakMs, out);
        }
        if (selected("latency")) {
            // 50 % load: half of what the producer, this broker and ./paywatch run carry together
            // (measured first, on the same traffic), not of `pipeline`, whose events come from memory
            double rate = Math.max(latencyRate, 0); // 0: measured on the backlog, once per bench
            if (rate == 0 && medians.containsKey("pipeline")) {
                out.printf(Locale.ROOT, "bench: latency: (half of `pipeline`, from memory, would be %,.0f events/s)%n",
                        medians.get("pipeline") / 2);
            }
            // a 200 ms lateness bound: event-time rules wait for it, so it is the latency's floor
            DetectionLatency.measure(rate, 200, 20, state, out);
        }
    }

    /** The rate checksums of the last {@link #run}, by job (the ones that compute rates). */
    Map<String, Long> lastChecksums;
    /** {@code pipeline_rocksdb}'s checksum and the heap pipeline's over the same events, when it ran on fewer. */
    long[] rocksdbChecksums;

    /** The embedded Flink of every measurement: parallelism 2, checkpoints as in {@code run}. */
    static Configuration configuration(String state, int checkpointIntervalS, Path checkpoints) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("pipeline.name", "paywatch-bench");
        c.put("parallelism.default", String.valueOf(BenchSource.parallelism));
        c.put("pipeline.object-reuse", "true");
        StateBackendSettings.put(c, state, BenchSource.parallelism, null); // as ./paywatch run
        c.put("execution.checkpointing.interval", checkpointIntervalS + " s");
        c.put("execution.checkpointing.dir", checkpoints.toUri().toString());
        c.put("execution.checkpointing.incremental", "true");
        // BENCH_REST_PORT=8089 opens the embedded Flink's REST API there: per-subtask busy and
        // back-pressured time (docs/performance.md) while a measurement runs
        c.put("rest.port", System.getenv().getOrDefault("BENCH_REST_PORT", "0"));
        return Configuration.fromMap(c);
    }

    private Run once(Job job, BenchEvents set, long checksumUpTo, String jobState) throws Exception {
        Path checkpoints = Files.createTempDirectory("paywatch-bench-cp");
        byte[][] reading = BenchEvents.current;
        BenchEvents.current = set.lines;
        try {
            Configuration jobConfiguration = configuration(jobState, CHECKPOINT_INTERVAL_S, checkpoints);
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(jobConfiguration);
            job.build(env, checksumUpTo);
            System.gc();
            Sampler sampler = new Sampler(checkpoints);
            sampler.start();
            JobExecutionResult result;
            long cpuBefore = processCpuNanos();
            long jitBefore = jitMillis();
            BenchSource.ReadClock.reset();
            long start = System.nanoTime();
            long end;
            try {
                result = clusters.execute(env, jobConfiguration);
                end = System.nanoTime();
            } finally {
                sampler.stop();
            }
            long cpuNanos = processCpuNanos() - cpuBefore;
            long jit = jitMillis() - jitBefore;
            double seconds = result.getNetRuntime() / 1000.0;
            double readRate = BenchSource.ReadClock.eventsPerSecond(set.lines.length, end);
            Long records = result.getAccumulatorResult(Measurements.RATE_RECORDS);
            Long checksum = result.getAccumulatorResult(Measurements.RATE_TOTAL);
            Run run = new Run(readRate > 0 ? readRate : set.lines.length / seconds, sampler.peakHeap.get(), sampler.checkpointBytes.get(),
                    records == null ? 0 : records, checksum == null ? 0 : checksum);
            Long matches = result.getAccumulatorResult(Measurements.PATTERN_MATCHES);
            run.patternMatches = matches == null ? 0 : matches;
            run.cpuMicrosPerEvent = cpuNanos / 1e3 / set.lines.length;
            run.netEventsPerSecond = set.lines.length / seconds;
            run.jitMillis = jit;
            run.cpuShares = sampler.threadCpu.shares(cpuNanos);
            run.busyCores = cpuNanos / (double) Math.max(1, end - start);
            return run;
        } finally {
            BenchEvents.current = reading;
            deleteTree(checkpoints);
        }
    }

    /** The JIT compilers' time so far (all compiler threads), or 0 where the JVM does not tell. */
    static long jitMillis() {
        java.lang.management.CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
    }

    /** The process's CPU time so far (all threads), or 0 where the JVM does not tell. */
    static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return Math.max(0, os.getProcessCpuTime());
        }
        return 0;
    }

    /** Peak heap and the largest completed checkpoint, sampled while a job runs. */
    static final class Sampler implements Runnable {
        private final Path checkpoints;
        private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        final AtomicLong peakHeap = new AtomicLong();
        final AtomicLong checkpointBytes = new AtomicLong();
        /** Every thread's CPU time from the sampler's start. */
        final ThreadCpu threadCpu = new ThreadCpu();
        private volatile boolean running = true;
        private Thread thread;

        Sampler(Path checkpoints) {
            this.checkpoints = checkpoints;
        }

        void start() {
            thread = new Thread(this, "bench-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        void stop() throws InterruptedException {
            running = false;
            thread.join();
            threadCpu.sample();
        }

        @Override
        public void run() {
            while (running) {
                peakHeap.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                checkpointBytes.accumulateAndGet(completedCheckpointSize(checkpoints), Math::max);
                threadCpu.sample();
                java.util.concurrent.locks.LockSupport.parkNanos(50_000_000);
            }
        }
    }

    /** Size of the newest completed checkpoint (a chk-N with its _metadata) under dir, in bytes. */
    static long completedCheckpointSize(Path dir) {
        try (Stream<Path> all = Files.walk(dir, 2)) {
            Path newest = all.filter(p -> p.getFileName().toString().startsWith("chk-"))
                    .filter(p -> Files.exists(p.resolve("_metadata")))
                    .max((a, b) -> Long.compare(number(a), number(b))).orElse(null);
            if (newest == null) {
                return 0;
            }
            // incremental checkpoints reference shared files; the state's full size is the
            // checkpoint's own files plus the shared ones
            long size = treeSize(newest);
            Path shared = newest.getParent().resolve("shared");
            return size + (Files.isDirectory(shared) ? treeSize(shared) : 0);
        } catch (IOException | java.io.UncheckedIOException e) {
            return 0; // a checkpoint being written or removed
        }
    }

    private static long number(Path chk) {
        return Long.parseLong(chk.getFileName().toString().substring(4));
    }

    private static long treeSize(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        }
    }

    /** Best effort: Flink may still be removing checkpoint files of a finished job. */
    static void deleteTree(Path dir) {
        for (int attempt = 0; attempt < 3 && Files.exists(dir); attempt++) {
            try (Stream<Path> all = Files.walk(dir)) {
                all.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
            } catch (IOException | java.io.UncheckedIOException removedMeanwhile) {
                // walk again
            }
        }
    }
}
