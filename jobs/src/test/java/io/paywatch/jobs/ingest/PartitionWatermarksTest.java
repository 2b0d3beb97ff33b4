package io.paywatch.jobs.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PartitionWatermarksTest {
    @Test
    void anEventMoreThanTheBoundBehindItsPartitionIsLate() {
        PartitionWatermarks w = new PartitionWatermarks(5_000, 0);
        assertThat(w.observe(0, 100_000, 0)).isFalse();
        assertThat(w.observe(0, 95_000, 0)).isFalse(); // exactly the bound: on time
        assertThat(w.observe(0, 94_999, 0)).isTrue();
        assertThat(w.maxTimestamp(0)).isEqualTo(100_000);
        // another partition keeps its own line
        assertThat(w.observe(1, 50_000, 0)).isFalse();
        assertThat(w.watermark(0)).isEqualTo(50_000 - 5_000 - 1);
    }

    @Test
    void idlePartitionsStopHoldingTheWatermarkBack() {
        PartitionWatermarks w = new PartitionWatermarks(5_000, 30_000);
        assertThat(w.watermark(0)).isNull(); // no partition at all: nothing to wait for
        w.expect(0, 0);
        assertThat(w.watermark(0)).isEqualTo(Long.MIN_VALUE); // an expected partition holds back
        w.observe(0, 100_000, 0);
        w.observe(1, 50_000, 0);
        assertThat(w.watermark(10_000)).isEqualTo(44_999);
        w.observe(0, 200_000, 31_000);
        assertThat(w.watermark(31_000)).isEqualTo(194_999); // partition 1 idle since 0
        assertThat(w.watermark(70_000)).isNull(); // all idle
    }
}
