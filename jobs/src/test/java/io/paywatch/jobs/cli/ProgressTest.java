package io.paywatch.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The progress line says how far the rules have got, not only what was read: the case of the
 * issue, a source that has read the whole hour while the operators are 45 minutes behind it.
 */
class ProgressTest {
    private static final long NEWEST = 1_795_440_050_000L; // 2026-11-23T13:20:50Z

    @Test
    void aLiveRunShowsTheProcessedEventTimeAndBothLags() {
        String l = Progress.line("run", 136_823, 10, 20, 3, NEWEST, NEWEST - 2_740_000,
                NEWEST + 4_800_000, 0, 19);
        assertThat(l).isEqualTo("  … run: 136,823 records (10 rejected, 20 duplicates, 3 late),"
                + " newest event 2026-11-23T13:20:50Z, processed to 2026-11-23T12:35:10Z"
                + " (45m40s behind the newest, 2h05m behind now), 0 records/s, 19 alerts");
    }

    @Test
    void aReplayHasNoWallClockLagAndSaysWhenItReachedTheEnd() {
        assertThat(Progress.line("replay", 5, 0, 0, 0, NEWEST, NEWEST - 12_000, NEWEST + 99_000_000, 1.4, 0))
                .contains("processed to 2026-11-23T13:20:38Z (12s behind the newest), 1 records/s")
                .doesNotContain("now");
        assertThat(Progress.line("replay", 5, 0, 0, 0, NEWEST, Long.MAX_VALUE, 0, 0, 0))
                .contains("processed to the end of the input");
        assertThat(Progress.line("run", 0, 0, 0, 0, Long.MIN_VALUE, Long.MIN_VALUE, 0, 0, 0))
                .contains("newest event -, processed to -,");
    }
}
