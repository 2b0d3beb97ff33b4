package io.paywatch.jobs.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** RocksDB's memory in an embedded Flink when the user gives none. */
class StateBackendSettingsTest {
    private static final long GB = 1L << 30;

    private static long megabytes(int parallelism, long physicalBytes) {
        return StateBackendSettings.defaultEmbeddedStateMemory(parallelism, physicalBytes).getMebiBytes();
    }

    @Test
    void twoHundredFiftySixMegabytesPerSlotButNoMoreThanAQuarterOfTheMachine() {
        assertThat(megabytes(1, 16 * GB)).isEqualTo(256);
        assertThat(megabytes(2, 16 * GB)).isEqualTo(512);
        assertThat(megabytes(64, 256 * GB)).isEqualTo(16_384);
        // many cores, little memory (a container): a quarter of it
        assertThat(megabytes(64, 8 * GB)).isEqualTo(2_048);
        // never below the smallest size the flag accepts; unknown memory: per slot
        assertThat(megabytes(4, 128L << 20)).isEqualTo(64);
        assertThat(megabytes(3, 0)).isEqualTo(768);
    }
}
