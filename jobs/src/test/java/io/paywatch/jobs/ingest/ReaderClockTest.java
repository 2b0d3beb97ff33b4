package io.paywatch.jobs.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ReaderClockTest {
    private final AtomicLong wall = new AtomicLong(1_000);
    private final ReaderClock clock = new ReaderClock(wall::get);

    @Test
    void followsTheWallClockWhileNotBackpressured() {
        assertThat(clock.millis()).isEqualTo(1_000);
        wall.set(4_500);
        assertThat(clock.millis()).isEqualTo(4_500);
    }

    @Test
    void standsStillWhileBackpressuredAndGoesOnFromWhereItStopped() {
        wall.set(2_000);
        clock.markStart();
        wall.set(5_000);
        assertThat(clock.millis()).isEqualTo(2_000); // a stretch in progress is left out already
        clock.markEnd();
        wall.set(6_000);
        assertThat(clock.millis()).isEqualTo(3_000);
        clock.markStart();
        wall.set(9_000);
        clock.markEnd();
        assertThat(clock.millis()).isEqualTo(3_000);
    }

    @Test
    void overlappingSoftAndHardBackpressureCountOnceAndAnUnmatchedEndIsIgnored() {
        clock.markEnd(); // told the end of a stretch it never saw begin
        wall.set(2_000);
        assertThat(clock.millis()).isEqualTo(2_000);
        clock.markStart(); // soft
        wall.set(3_000);
        clock.markStart(); // hard, within the soft stretch
        wall.set(4_000);
        clock.markEnd(); // hard ends, soft goes on
        wall.set(5_000);
        assertThat(clock.millis()).isEqualTo(2_000);
        clock.markEnd();
        wall.set(7_000);
        assertThat(clock.millis()).isEqualTo(4_000);
    }
}
