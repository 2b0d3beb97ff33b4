package io.paywatch.jobs.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReaderActivityTest {
    @Test
    void eachSubtaskLearnsWhetherAnyOtherOneIsReading() {
        ReaderActivity a = new ReaderActivity(3);
        // nobody has been told anything yet: a report changes no one's view
        assertThat(a.report(0, true)).isEmpty();
        assertThat(a.tell(0)).isFalse(); // only itself reads
        assertThat(a.tell(1)).isTrue();
        assertThat(a.tell(2)).isTrue();
        // subtask 1 reads too: subtask 0 now has another reader; 1 and 2 already had one
        assertThat(a.report(1, true)).containsExactly(0);
        assertThat(a.tell(0)).isTrue();
        // both fall silent (a broker outage)
        assertThat(a.report(0, false)).containsExactly(1); // subtask 1 is the only reader now
        assertThat(a.tell(1)).isFalse();
        assertThat(a.report(1, false)).containsExactly(0, 2);
        assertThat(a.tell(0)).isFalse();
        assertThat(a.tell(2)).isFalse();
    }

    @Test
    void aRestartedSubtaskCountsAsSilentAndIsToldAgainAtItsNextReport() {
        ReaderActivity a = new ReaderActivity(2);
        a.report(0, true);
        a.report(1, true);
        a.tell(0);
        a.tell(1);
        assertThat(a.reset(1)).containsExactly(0); // subtask 0 loses its other reader
        assertThat(a.tell(0)).isFalse();
        // subtask 1 is not told while it is away, even when subtask 0 changes
        assertThat(a.report(0, false)).isEmpty();
        assertThat(a.report(0, true)).isEmpty();
        assertThat(a.tell(1)).isTrue();
    }

    @Test
    void aSingleSubtaskNeverHasAnotherReader() {
        ReaderActivity a = new ReaderActivity(1);
        a.report(0, true);
        assertThat(a.tell(0)).isFalse();
        assertThat(a.othersReading(0)).isFalse();
    }
}
