package io.paywatch.bench;

import java.util.Arrays;

/**
 * How much a second core adds on this machine, measured with no Flink at all: the same fixed
 * work run by one thread, then by as many threads at once as the JVM sees cores, each on its own
 * data. Work that stays in a core's cache (the job's hash tables, buffers and strings) is the
 * kind that scales worst when cores are hyperthreads of one physical core or share it with
 * neighbours, as virtual machines' cores may; arithmetic alone shows what the cores give when
 * they do not compete. The cache-resident figure bounds what any parallelism-2 / parallelism-1
 * ratio of the job can reach here (target 6 of the bench asks for 1.7); it moves from run to run
 * with the neighbours' load.
 */
final class CoreScaling {
    /** Each thread's table: 512 KB, well inside one core's cache, and written all over. */
    private static final int TABLE = 1 << 16;
    private static volatile long sink;

    private CoreScaling() {}

    /** One thread's share: table updates in pseudo-random order (memory-touching work). */
    static long cacheWork(long[] table, long steps) {
        long h = 0;
        for (long i = 0; i < steps; i++) {
            int j = (int) ((i * 0x9E3779B97F4A7C15L) >>> 48);
            table[j] += i;
            h ^= table[(j * 31) & (TABLE - 1)] * 0x5DEECE66DL;
        }
        return h;
    }

    /** One thread's share: a dependent chain of multiplications (registers only). */
    static long arithmeticWork(long steps) {
        long h = 1;
        for (long i = 0; i < steps; i++) {
            h = h * 0x5DEECE66DL + i;
            h ^= h >>> 17;
        }
        return h;
    }

    /** Throughput of {@code threads} threads, each doing the whole work, over one thread's: the median of 3. */
    static double scaling(int threads, boolean cache, long steps) throws InterruptedException {
        double[] ratios = new double[3];
        run(1, cache, steps / 10); // warm-up: compiled before it is timed
        for (int r = 0; r < ratios.length; r++) {
            double one = run(1, cache, steps);
            double all = run(threads, cache, steps);
            ratios[r] = threads * one / all;
        }
        Arrays.sort(ratios);
        return ratios[1];
    }

    /** Seconds for {@code threads} threads each doing {@code steps}. */
    private static double run(int threads, boolean cache, long steps) throws InterruptedException {
        Thread[] t = new Thread[threads];
        long start = System.nanoTime();
        for (int i = 0; i < threads; i++) {
            t[i] = new Thread(() -> sink = cache ? cacheWork(new long[TABLE], steps) : arithmeticWork(steps),
                    "core-scaling-" + i);
            t[i].start();
        }
        for (Thread thread : t) {
            thread.join();
        }
        return (System.nanoTime() - start) / 1e9;
    }

    /** The line the bench prints beside its scaling ratio. */
    static String describe() throws InterruptedException {
        int cores = Runtime.getRuntime().availableProcessors();
        if (cores < 2) {
            return "bench: this machine: 1 core seen by the JVM, so no parallelism can scale";
        }
        double cache = scaling(cores, true, 100_000_000L);
        double arithmetic = scaling(cores, false, 200_000_000L);
        return String.format(java.util.Locale.ROOT, "bench: this machine: %d threads of cache-resident work give"
                + " %.2f× one thread's throughput, of arithmetic alone %.2f× (no Flink: the ceiling of any"
                + " parallelism %d / 1 ratio measured here)", cores, cache, arithmetic, cores);
    }
}
