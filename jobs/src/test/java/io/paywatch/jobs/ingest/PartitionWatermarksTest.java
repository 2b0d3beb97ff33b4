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

    /** Ticks every 200 ms from {@code from} (exclusive) to {@code to}; the last watermark. */
    private static Long tick(PartitionWatermarks w, long from, long to, boolean othersReading) {
        Long wm = null;
        for (long t = from + 200; t <= to; t += 200) {
            wm = w.watermark(t, othersReading);
        }
        return wm;
    }

    /** As {@link #tick}, with a record of partition 0 at each tick, its event time keeping pace. */
    private static Long readingPartition0(PartitionWatermarks w, long from, long to) {
        Long wm = null;
        for (long t = from + 200; t <= to; t += 200) {
            w.observe(0, 700_000 + (t - 600_000), t);
            wm = w.watermark(t, false);
        }
        return wm;
    }

    @Test
    void whenEverythingFallsSilentTogetherNoPartitionTurnsIdle() {
        PartitionWatermarks w = new PartitionWatermarks(5_000, 30_000);
        w.observe(0, 100_000, 0);
        w.observe(1, 90_000, 0);
        assertThat(w.readingWindowMs()).isEqualTo(10_000);
        // a broker outage: nothing for ten minutes, nobody else reading either
        assertThat(tick(w, 0, 600_000, false)).isEqualTo(84_999);
        assertThat(w.allSilent(600_000)).isTrue();
        assertThat(w.isReading(600_000)).isFalse();
        // partition 0 is back first, far ahead; partition 1 still holds event time back: its
        // clock counted the first 10 s of the outage, so it has 20 s of partition 0's reading
        w.observe(0, 700_000, 600_000);
        assertThat(w.allSilent(600_000)).isFalse();
        assertThat(readingPartition0(w, 600_000, 619_800)).isEqualTo(84_999);
        // it was not just slow to reconnect: after those 20 s it no longer holds anything back
        assertThat(readingPartition0(w, 619_800, 620_000)).isEqualTo(700_000 + 20_000 - 5_001);
    }

    @Test
    void anotherReaderKeepsTheIdleClockRunningAndItsSilenceStopsIt() {
        PartitionWatermarks w = new PartitionWatermarks(5_000, 30_000);
        w.observe(0, 100_000, 0);
        // another subtask reads for 15 s, then it falls silent too
        assertThat(tick(w, 0, 15_000, true)).isEqualTo(94_999);
        assertThat(tick(w, 15_000, 100_000, false)).isEqualTo(94_999);
        // it reads again: 15 s counted, 15 s to go
        assertThat(tick(w, 100_000, 114_800, true)).isEqualTo(94_999);
        assertThat(tick(w, 114_800, 115_000, true)).isNull();
        // a record of its own starts its clock afresh
        w.observe(0, 200_000, 115_100);
        assertThat(w.watermark(115_200, true)).isEqualTo(194_999);
        assertThat(tick(w, 115_200, 145_000, true)).isEqualTo(194_999);
        assertThat(tick(w, 145_000, 145_200, true)).isNull();
    }

    @Test
    void withoutAnIdleTimeoutNothingIsEverSilentOrIdle() {
        PartitionWatermarks w = new PartitionWatermarks(5_000, 0);
        w.observe(0, 100_000, 0);
        assertThat(tick(w, 0, 100_000, true)).isEqualTo(94_999);
        assertThat(w.allSilent(100_000)).isFalse();
    }
}
