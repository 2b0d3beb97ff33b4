package io.paywatch.jobs.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The progress line's counts: each subtask's own tally, summed by the reader. */
class IngestProgressTest {
    @AfterEach
    void forget() {
        IngestProgress.reset();
    }

    @Test
    void theSumIsEveryTallyOfEveryThreadOnceTheyAreDone() throws Exception {
        IngestProgress.reset();
        Thread[] subtasks = new Thread[4];
        for (int i = 0; i < subtasks.length; i++) {
            int n = 100_000 * (i + 1);
            subtasks[i] = new Thread(() -> {
                IngestProgress.Tally records = IngestProgress.RECORDS.tally();
                IngestProgress.Newest newest = IngestProgress.MAX_EVENT_TIME.tally();
                for (int k = 0; k < n; k++) {
                    records.increment();
                    newest.saw(k);
                }
            });
            subtasks[i].start();
        }
        for (Thread t : subtasks) {
            t.join();
        }
        assertThat(IngestProgress.RECORDS.sum()).isEqualTo(100_000 + 200_000 + 300_000 + 400_000);
        assertThat(IngestProgress.MAX_EVENT_TIME.get()).isEqualTo(399_999);
        assertThat(IngestProgress.REJECTED.sum()).isZero();
    }

    @Test
    void theNewestEventTimeIsTheLargestSeenNotTheLast() {
        IngestProgress.reset();
        assertThat(IngestProgress.MAX_EVENT_TIME.get()).isEqualTo(Long.MIN_VALUE);
        IngestProgress.Newest a = IngestProgress.MAX_EVENT_TIME.tally();
        IngestProgress.Newest b = IngestProgress.MAX_EVENT_TIME.tally();
        a.saw(-5); // before 1970: still an event time
        assertThat(IngestProgress.MAX_EVENT_TIME.get()).isEqualTo(-5);
        a.saw(50);
        a.saw(20);
        b.saw(40);
        assertThat(IngestProgress.MAX_EVENT_TIME.get()).isEqualTo(50);
    }

    @Test
    void aResetForgetsTheTalliesOfTheJobBefore() {
        IngestProgress.Tally before = IngestProgress.DUPLICATES.tally();
        before.increment();
        IngestProgress.reset();
        before.increment(); // a subtask of the finished job, late to stop
        IngestProgress.DUPLICATES.tally().increment();
        assertThat(IngestProgress.DUPLICATES.sum()).isEqualTo(1);
    }
}
