package io.paywatch.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The benchmark compares equals: on the same events, PayWatch, the sliding-window job and the
 * Flink SQL job compute the same failure rates (same windows, same counts). Speed is not
 * asserted here (that is what {@code ./paywatch bench} reports), only that every measurement
 * runs, counts the events and prints the contract's last line.
 */
class PayWatchBenchTest {
    @Test
    void theThreeRateJobsComputeTheSameRatesAndTheLastLineNamesEveryMeasurement() throws Exception {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PayWatchBench bench = new PayWatchBench(new PrintStream(buffer, true, StandardCharsets.UTF_8), "heap", 1);
        bench.warmUps = 0;
        // 7 minutes of event time: windows well inside the data for the checksum
        Map<String, Double> medians = bench.run(210_000);
        String printed = buffer.toString(StandardCharsets.UTF_8);

        assertThat(medians).containsOnlyKeys("parse", "pipeline", "pipeline_rates", "pipeline_rocksdb", "pipeline_slow",
                "pipeline_p1", "baseline_windows", "baseline_sql", "baseline_cep");
        assertThat(medians.values()).allSatisfy(eps -> assertThat(eps).isPositive());
        // pipeline_slow runs other events (late fulfilments), so its rates are not compared
        assertThat(bench.lastChecksums).containsOnlyKeys("pipeline", "pipeline_rates", "pipeline_p1",
                "baseline_windows", "baseline_sql", "baseline_cep");
        assertThat(bench.lastChecksums.values()).doesNotContain(0L).hasSize(6);
        assertThat(bench.lastChecksums.values().stream().distinct()).hasSize(1);
        assertThat(printed).contains("same failure rates from pipeline, pipeline_rates, pipeline_p1,"
                + " baseline_windows, baseline_sql, baseline_cep: yes");
        assertThat(printed).containsPattern("baseline_cep .* CEP matches [1-9]");
        // pipeline_rocksdb runs on 200,000 of its own events, compared with the heap pipeline on them
        assertThat(bench.rocksdbChecksums).hasSize(2).doesNotContain(0L);
        assertThat(bench.rocksdbChecksums[0]).isEqualTo(bench.rocksdbChecksums[1]);
        assertThat(printed).contains("bench: pipeline_rocksdb: the pipeline on RocksDB, 200,000 events",
                "same failure rates from pipeline_rocksdb and the pipeline on heap over its events: yes",
                "bench: pipeline_rocksdb = ");
        assertThat(printed).contains("bench: ratio pipeline_rates / baseline_sql = ");
        // beside the scaling ratio: who keeps the cores busy, the ceiling that leaves, and what a second
        // core gives on this machine without Flink
        assertThat(printed).containsPattern("bench: pipeline_p1 kept \\d+\\.\\d\\d cores busy \\(median run: CPU time over"
                + " wall time\\), by thread: .*task dedup by event_id \\d+\\.\\d\\d");
        assertThat(printed).containsPattern("bench: pipeline kept \\d+\\.\\d\\d cores busy .*task Source: pre-serialised events");
        assertThat(printed).containsPattern("bench: pipeline_p1 kept \\d+\\.\\d\\d of this machine's \\d+ cores busy,"
                + " and pipeline needed .* so here pipeline could run at most");
        assertThat(printed).containsPattern("bench: this machine: (\\d+ threads of cache-resident work give \\d+\\.\\d\\d×"
                + " one thread's throughput, of arithmetic alone \\d+\\.\\d\\d×|1 core seen by the JVM)");
        assertThat(PayWatchBench.finalLine(medians)).matches("bench: parse=\\d+ pipeline=\\d+ pipeline_rates=\\d+ pipeline_rocksdb=\\d+"
                + " pipeline_slow=\\d+ pipeline_p1=\\d+ baseline_windows=\\d+ baseline_sql=\\d+ baseline_cep=\\d+");
    }

    /**
     * The repetitions run in rounds, every job once per round, so that a neighbour's load falls on a
     * job and its baseline alike; the ratio line gives the ratio within each round beside the
     * ratio of the medians, and the ratio over the jobs' net runtimes.
     */
    @Test
    void repetitionsRunInRoundsOfEveryJobAndTheRatioLineGivesEachRoundsRatio() throws Exception {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PayWatchBench bench = new PayWatchBench(new PrintStream(buffer, true, StandardCharsets.UTF_8), "heap", 2);
        bench.warmUps = 0;
        bench.only = new java.util.LinkedHashSet<>(java.util.List.of("pipeline_rates", "baseline_sql"));
        Map<String, Double> medians = bench.run(20_000);
        String printed = buffer.toString(StandardCharsets.UTF_8);

        assertThat(medians).containsOnlyKeys("pipeline_rates", "baseline_sql");
        java.util.List<String> runs = printed.lines().filter(l -> l.matches("bench: \\w+: run \\d/2: .*"))
                .map(l -> l.substring(0, l.indexOf(" run ") + 8)).toList();
        assertThat(runs).containsExactly("bench: pipeline_rates: run 1/2", "bench: baseline_sql: run 1/2",
                "bench: pipeline_rates: run 2/2", "bench: baseline_sql: run 2/2");
        double[] rates = bench.perRound.get("pipeline_rates");
        double[] sql = bench.perRound.get("baseline_sql");
        assertThat(rates).hasSize(2);
        assertThat(sql).hasSize(2);
        assertThat(printed).contains(String.format(java.util.Locale.ROOT,
                "bench: ratio pipeline_rates / baseline_sql = %.2f (target ≥ 2.00): ", medians.get("pipeline_rates") / medians.get("baseline_sql")));
        assertThat(printed).contains(String.format(java.util.Locale.ROOT, "; by round %.2f, %.2f",
                rates[0] / sql[0], rates[1] / sql[1]));
        // the events/s leave the tasks' deployment out; the net runtime's rate beside them
        assertThat(bench.netMedians).containsOnlyKeys("pipeline_rates", "baseline_sql");
        assertThat(bench.netMedians.values()).allSatisfy(eps -> assertThat(eps).isPositive());
        assertThat(printed).contains(String.format(java.util.Locale.ROOT, "; over the net runtime %.2f",
                bench.netMedians.get("pipeline_rates") / bench.netMedians.get("baseline_sql")));
        assertThat(printed).containsPattern("bench: pipeline_rates: run 1/2: [\\d,]+ events/s \\([\\d,]+ over the net runtime\\)");
    }

    /** Parallelism 1 pipelined over both cores leaves parallelism 2 little to win: the line says how little. */
    @Test
    void theScalingCeilingIsTheCoresOverWhatParallelismOneKeptBusyTimesTheirCpuPerEvent() {
        assertThat(PayWatchBench.scalingCeiling(1.84, 6.06, 6.90, 2)).isEqualTo("bench: pipeline_p1 kept 1.84 of"
                + " this machine's 2 cores busy, and pipeline needed 6.90 µs CPU per event against its 6.06 (1.14×),"
                + " so here pipeline could run at most 2 / 1.84 × 6.06 / 6.90 = 0.95× as fast as pipeline_p1");
        // a parallelism 2 that needs less CPU per event (its halves of the state in two cores' caches) wins that too
        assertThat(PayWatchBench.scalingCeiling(1.73, 6.03, 5.43, 2)).endsWith("= 1.28× as fast as pipeline_p1");
        // a p=1 job keeping one core of four busy leaves room for the target's 1.7
        assertThat(PayWatchBench.scalingCeiling(1.0, 10, 10, 4)).contains("at most 4 / 1.00 × 10.00 / 10.00 = 4.00×");
        assertThat(PayWatchBench.scalingCeiling(1.0, 10, 11, 1)).contains("kept 1.00 of this machine's 1 core busy");
    }

    /** The rate from the first event any reader read (the earliest) to the job's end. */
    @Test
    void theReadClockDividesTheEventsByTheTimeFromTheFirstReadToTheEnd() {
        BenchSource.ReadClock.reset();
        assertThat(BenchSource.ReadClock.eventsPerSecond(1_000, 5_000_000_000L)).as("nothing read").isZero();
        BenchSource.ReadClock.first(1_500_000_000L);
        BenchSource.ReadClock.first(1_000_000_000L); // the other reader started first
        BenchSource.ReadClock.first(2_000_000_000L);
        assertThat(BenchSource.ReadClock.firstNanos()).isEqualTo(1_000_000_000L);
        assertThat(BenchSource.ReadClock.eventsPerSecond(3_000, 3_000_000_000L)).isEqualTo(1_500.0);
        BenchSource.ReadClock.reset();
        assertThat(BenchSource.ReadClock.eventsPerSecond(3_000, 3_000_000_000L)).isZero();
    }
}
