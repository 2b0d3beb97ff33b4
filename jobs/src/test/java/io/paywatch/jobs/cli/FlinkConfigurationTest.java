package io.paywatch.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.DBOptions;

/** What {@code run} asks of Flink beyond the defaults. */
class FlinkConfigurationTest {
    @TempDir
    Path dir;

    private Configuration run(int parallelism, String... extra) {
        return runOn("heap", parallelism, extra);
    }

    private Configuration runOn(String state, int parallelism, String... extra) {
        String[] argv = new String[4 + extra.length];
        argv[0] = "run";
        argv[1] = "--checkpoint-dir";
        argv[2] = dir.toString();
        argv[3] = "--quiet";
        System.arraycopy(extra, 0, argv, 4, extra.length);
        return new JobCommand("run", argv, new PrintStream(OutputStream.nullOutputStream()))
                .flinkConfiguration(parallelism, state);
    }

    @Test
    void oneNumberOfKeyGroupsForTheWholeJobAsFlinkWouldPickForTheParallelism() {
        assertThat(run(2).toMap()).containsEntry("pipeline.max-parallelism", "128");
        assertThat(run(85).toMap()).containsEntry("pipeline.max-parallelism", "128");
        assertThat(run(86).toMap()).containsEntry("pipeline.max-parallelism", "256");
        assertThat(run(1_000).toMap()).containsEntry("pipeline.max-parallelism", "2048");
    }

    @Test
    void thePrometheusPortTurnsOnFlinksReporterOrIsOneLineWhenItCannot() throws Exception {
        assertThat(run(2).toMap()).doesNotContainKey("metrics.reporter.prom.factory.class");
        int free = io.paywatch.jobs.testing.TestServices.freePort();
        assertThat(run(2, "--prometheus-port", String.valueOf(free)).toMap())
                .containsEntry("metrics.reporter.prom.factory.class",
                        "org.apache.flink.metrics.prometheus.PrometheusReporterFactory")
                .containsEntry("metrics.reporter.prom.port", String.valueOf(free));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> run(2, "--prometheus-port", "70000"))
                .isInstanceOf(UsageException.class)
                .hasMessage("run: --prometheus-port must be a port, 1 to 65535, got 70000");
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0)) {
            org.assertj.core.api.Assertions.assertThatThrownBy(
                    () -> run(2, "--prometheus-port", String.valueOf(taken.getLocalPort())))
                    .isInstanceOf(UsageException.class)
                    .hasMessageContaining("is in use on this machine");
        }
    }

    @Test
    void stateOfOperatorsThisBuildNoLongerHasIsSkippedOnlyWhenAskedFor() {
        assertThat(run(2).toMap()).doesNotContainKey("execution.state-recovery.ignore-unclaimed-state");
        assertThat(run(2, "--allow-non-restored-state").toMap())
                .containsEntry("execution.state-recovery.ignore-unclaimed-state", "true");
    }

    @Test
    void rocksDbsManifestDoesNotGrowWithTheLengthOfTheRun() {
        // the key is Flink's: its backend, configured from run's settings, uses the factory
        EmbeddedRocksDBStateBackend backend = new EmbeddedRocksDBStateBackend()
                .configure(runOn("rocksdb", 2), getClass().getClassLoader());
        assertThat(backend.getRocksDBOptions()).isInstanceOf(io.paywatch.jobs.runtime.RocksDBManifestLimit.class);

        try (DBOptions options = new DBOptions()) {
            backend.getRocksDBOptions().createDBOptions(options, new ArrayList<>());
            assertThat(options.maxManifestFileSize()).isEqualTo(64 * 1024);
        }
    }

    /** What the embedded Flink's TaskManager gets as managed memory (RocksDB's) from a configuration. */
    private static long managedMegabytes(Configuration c) {
        return org.apache.flink.runtime.taskexecutor.TaskExecutorResourceUtils
                .resourceSpecFromConfigForLocalExecution(c).getManagedMemorySize().getMebiBytes();
    }

    @Test
    void rocksDbGetsTwoHundredFiftySixMegabytesPerSlotOfTheEmbeddedFlinkUnlessToldOtherwise() {
        // Flink's own local default, which left a slot's RocksDB instances 32 MB of write buffers
        assertThat(managedMegabytes(new Configuration())).isEqualTo(128);
        assertThat(managedMegabytes(runOn("rocksdb", 2))).isEqualTo(512);
        assertThat(managedMegabytes(runOn("rocksdb", 6))).isEqualTo(1_536);
        assertThat(managedMegabytes(runOn("rocksdb", 2, "--state-memory", "2g"))).isEqualTo(2_048);
        assertThat(managedMegabytes(runOn("rocksdb", 8, "--state-memory", "300m"))).isEqualTo(300);
        // the heap backend uses no managed memory: nothing changes
        assertThat(run(2).toMap()).doesNotContainKey("taskmanager.memory.managed.size");
    }

    @Test
    void aStateMemoryThatIsNoSizeTooSmallOrForTheHeapIsOneLine() {
        for (String bad : new String[] {"lots", "-1g", "16m", "0"}) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> runOn("rocksdb", 2, "--state-memory", bad))
                    .isInstanceOf(UsageException.class)
                    .hasMessage("run: --state-memory must be a size of at least 64m, such as 512m or 2g, got '"
                            + bad + "'");
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> run(2, "--state-memory", "1g"))
                .isInstanceOf(UsageException.class)
                .hasMessage("run: --state-memory sizes RocksDB's memory; it needs --state rocksdb");
    }

    @Test
    void theStartLineSaysHowMuchMemoryRocksDbHasInTheEmbeddedFlinkOnly() {
        org.apache.flink.streaming.api.environment.StreamExecutionEnvironment local =
                org.apache.flink.streaming.api.environment.StreamExecutionEnvironment
                        .getExecutionEnvironment(runOn("rocksdb", 2, "--state-memory", "768m"));
        assertThat(JobCommand.embeddedStateMemory(new JobCommand.Prepared(local, false, null, 2, "rocksdb")))
                .isEqualTo(", 768 MB for RocksDB");
        org.apache.flink.streaming.api.environment.StreamExecutionEnvironment heap =
                org.apache.flink.streaming.api.environment.StreamExecutionEnvironment
                        .getExecutionEnvironment(run(2));
        assertThat(JobCommand.embeddedStateMemory(new JobCommand.Prepared(heap, false, null, 2, "heap"))).isEmpty();
        // submitted to a cluster: its TaskManagers' configuration decides
        org.apache.flink.streaming.api.environment.StreamExecutionEnvironment remote =
                org.apache.flink.streaming.api.environment.StreamExecutionEnvironment
                        .createRemoteEnvironment("localhost", 8081, runOn("rocksdb", 2));
        assertThat(JobCommand.embeddedStateMemory(new JobCommand.Prepared(remote, false, null, 2, "rocksdb"))).isEmpty();
    }
}
