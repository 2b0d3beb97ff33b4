package io.paywatch.jobs.rates;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The rate subtask's calendar runs what keyed timers ran, in the same time order. */
class EvaluationCalendarTest {
    @Test
    void runsEverythingDueInTimeOrderAndNothingLater() {
        EvaluationCalendar<String> c = new EvaluationCalendar<>();
        c.schedule(20_000 - 1, "b");
        c.schedule(10_000 - 1, "a");
        c.schedule(20_000 - 1, "c");
        c.schedule(30_000 - 1, "a");
        List<String> ran = new ArrayList<>();
        c.runUpTo(20_000 - 2, (t, k) -> ran.add(t + k));
        assertThat(ran).containsExactly("9999a");
        c.runUpTo(20_000 - 1, (t, k) -> ran.add(t + k));
        assertThat(ran).containsExactly("9999a", "19999b", "19999c");
        assertThat(c.size()).isEqualTo(1);
        c.runUpTo(Long.MAX_VALUE, (t, k) -> ran.add(t + k));
        assertThat(ran).endsWith("29999a");
        assertThat(c.size()).isZero();
    }

    @Test
    void whatIsScheduledWhileRunningRunsInTheSamePassIfDue() {
        EvaluationCalendar<String> c = new EvaluationCalendar<>();
        c.schedule(9_999, "k");
        List<Long> ran = new ArrayList<>();
        // a key's chain: each evaluation schedules the next, 10 s on, until the watermark stops it
        c.runUpTo(60_000, (t, k) -> {
            ran.add(t);
            c.schedule(t + 10_000, k);
        });
        assertThat(ran).containsExactly(9_999L, 19_999L, 29_999L, 39_999L, 49_999L, 59_999L);
        assertThat(c.size()).isEqualTo(1);
    }

    /** Against a priority queue of (time, key) timers on random schedules and watermarks. */
    @Test
    void matchesAQueueOfTimersOnRandomSchedules() {
        Random random = new Random(7);
        for (int round = 0; round < 200; round++) {
            EvaluationCalendar<Integer> c = new EvaluationCalendar<>();
            PriorityQueue<long[]> timers = new PriorityQueue<>((x, y) -> Long.compare(x[0], y[0]));
            long watermark = 0;
            for (int step = 0; step < 300; step++) {
                if (random.nextInt(4) == 0) {
                    watermark += random.nextInt(30_000);
                    List<Long> fromCalendar = new ArrayList<>();
                    c.runUpTo(watermark, (t, k) -> fromCalendar.add(t));
                    List<Long> fromTimers = new ArrayList<>();
                    while (!timers.isEmpty() && timers.peek()[0] <= watermark) {
                        fromTimers.add(timers.poll()[0]);
                    }
                    assertThat(fromCalendar).isEqualTo(fromTimers);
                } else {
                    long time = watermark + 1 + random.nextInt(6) * 10_000L - 1;
                    int key = random.nextInt(20);
                    c.schedule(time, key);
                    timers.add(new long[] {time, key});
                }
                assertThat(c.size()).isEqualTo(timers.size());
            }
        }
    }
}
