package io.paywatch.jobs.rates;

import static io.paywatch.jobs.testing.Events.T0;
import static io.paywatch.jobs.testing.Events.failed;
import static io.paywatch.jobs.testing.Events.ok;
import static org.assertj.core.api.Assertions.assertThat;

import io.paywatch.model.Category;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BucketRingTest {
    /** The ring's storage as a plain map, as Flink's map state holds it. */
    static final class MapStore implements BucketRing.Store {
        final Map<Long, FailureCounts> slots = new java.util.TreeMap<>();

        @Override
        public FailureCounts get(long index) {
            return slots.get(index);
        }

        @Override
        public void put(long index, FailureCounts counts) {
            slots.put(index, counts);
        }

        @Override
        public void remove(long index) {
            slots.remove(index);
        }

        @Override
        public Iterable<Long> indexes() {
            return new java.util.ArrayList<>(slots.keySet());
        }
    }

    private final BucketRing ring = new BucketRing(10_000, 30);
    private final MapStore store = new MapStore();

    /** What the rate function does at each evaluation from {@code from} to {@code to}: expiry. */
    private void evaluateEveryBucket(long from, long to) throws Exception {
        for (long e = from; e <= to; e += 10_000) {
            ring.expireOldest(store, e + 10_000);
        }
    }

    @Test
    void windowCountsEventsOfTheLastFiveMinutesOnly() throws Exception {
        // one payment per second for 10 minutes, every tenth failing with 203
        for (int s = 0; s < 600; s++) {
            ring.add(store, s % 10 == 0 ? failed(T0 + s * 1000L, "m", "wallet", "203")
                    : ok(T0 + s * 1000L, "m", "wallet"));
        }
        FailureCounts w = ring.window(store, T0 + 600_000);
        assertThat(w.total).isEqualTo(300);
        assertThat(w.failed).isEqualTo(30);
        assertThat(w.count(Category.SYSTEM)).isEqualTo(30);
        assertThat(w.byCode()).containsExactly(Map.entry("203", 30));
        evaluateEveryBucket(T0 + 10_000, T0 + 590_000);
        assertThat(store.slots).hasSize(30);
    }

    @Test
    void slidingEvaluationsSeeAConstantWindowUnderSteadyTraffic() throws Exception {
        long t = T0;
        for (int step = 0; step < 120; step++) {
            for (int i = 0; i < 29; i++) {
                ring.add(store, ok(t + i * 340L, "m", "wallet"));
            }
            t += 10_000;
            FailureCounts w = ring.window(store, t);
            assertThat(w.total).as("window at step %d", step).isEqualTo(Math.min(step + 1, 30) * 29);
            ring.expireOldest(store, t + 10_000);
            assertThat(store.slots).hasSizeLessThanOrEqualTo(30); // constant state
        }
    }

    @Test
    void bucketBoundariesAreHalfOpen() throws Exception {
        ring.add(store, ok(T0 + 9_999, "m", "card"));
        ring.add(store, ok(T0 + 10_000, "m", "card"));
        assertThat(ring.window(store, T0 + 10_000).total).isEqualTo(1);
        assertThat(ring.window(store, T0 + 20_000).total).isEqualTo(2);
        // at T0 + 310 s the first bucket [T0, T0+10s) has left the window
        assertThat(ring.window(store, T0 + 310_000).total).isEqualTo(1);
    }

    @Test
    void eventsOfTheNextWindowDoNotDisturbThePendingEvaluation() throws Exception {
        ring.add(store, failed(T0, "m", "card", "101"));
        // an event a whole window ahead (a lagging partition holds the watermark back)
        ring.add(store, ok(T0 + 300_000, "m", "card"));
        assertThat(ring.window(store, T0 + 300_000).failed).isEqualTo(1);
        FailureCounts w = ring.window(store, T0 + 310_000);
        assertThat(w.total).isEqualTo(1);
        assertThat(w.failed).isZero();
    }

    @Test
    void expiryKeepsOnlyBucketsOfCurrentAndFutureWindows() throws Exception {
        ring.add(store, ok(T0, "m", "card"));
        ring.add(store, ok(T0 + 150_000, "m", "card"));
        ring.add(store, ok(T0 + 900_000, "m", "card"));
        evaluateEveryBucket(T0 + 10_000, T0 + 300_000);
        assertThat(store.slots).hasSize(2);
        assertThat(ring.nextEvaluationWithData(store, T0 + 460_000)).isEqualTo(T0 + 910_000);
    }

    @Test
    void nextEvaluationSkipsAheadToFutureBucketsAndEndsWhenEmpty() throws Exception {
        ring.add(store, ok(T0 + 5_000, "m", "card"));
        assertThat(ring.nextEvaluationWithData(store, T0 + 10_000)).isEqualTo(T0 + 10_000);
        assertThat(ring.nextEvaluationWithData(store, T0 + 300_000)).isEqualTo(T0 + 300_000);
        assertThat(ring.nextEvaluationWithData(store, T0 + 310_000)).isEqualTo(Long.MIN_VALUE);
        ring.add(store, ok(T0 + 125_000, "m", "card"));
        evaluateEveryBucket(T0 + 10_000, T0 + 310_000);
        assertThat(ring.nextEvaluationWithData(store, T0 + 320_000)).isEqualTo(T0 + 320_000);
        BucketRing fresh = new BucketRing(10_000, 30);
        MapStore s2 = new MapStore();
        fresh.add(s2, ok(T0 + 95_000, "m", "card"));
        assertThat(fresh.nextEvaluationWithData(s2, T0 + 10_000)).isEqualTo(T0 + 100_000);
    }

    @Test
    void codesBeyondTheLimitAreCountedAsOther() {
        FailureCounts c = new FailureCounts(T0);
        for (int i = 0; i < FailureCounts.MAX_CODES + 5; i++) {
            c.add(failed(T0, "m", "card", "x" + i));
        }
        assertThat(c.codes).hasSize(FailureCounts.MAX_CODES);
        assertThat(c.byCode().get(FailureCounts.OTHER_CODES)).isEqualTo(6);
        FailureCounts merged = new FailureCounts(T0);
        merged.merge(c);
        merged.merge(c);
        assertThat(merged.codes).hasSize(FailureCounts.MAX_CODES);
        assertThat(merged.byCode().get(FailureCounts.OTHER_CODES)).isEqualTo(12);
        assertThat(c.failed).isEqualTo(FailureCounts.MAX_CODES + 5);
    }

    @Test
    void evidenceIsTheLatestFailuresByEventTimeWhateverTheArrivalOrder() throws Exception {
        List<io.paywatch.model.PaymentEvent> events = new java.util.ArrayList<>();
        for (int s = 0; s < 60; s++) {
            events.add(failed(T0 + s * 1000L, "m", "card", "101"));
        }
        List<String> expected = null;
        for (int shuffle = 0; shuffle < 5; shuffle++) {
            java.util.Collections.shuffle(events, new java.util.Random(shuffle));
            MapStore s = new MapStore();
            for (io.paywatch.model.PaymentEvent e : events) {
                ring.add(s, e);
            }
            List<String> ids = ring.recentFailures(s, T0 + 60_000, 20);
            assertThat(ids).hasSize(20);
            if (expected == null) {
                expected = ids;
            }
            assertThat(ids).isEqualTo(expected);
        }
        // the newest failure is last
        assertThat(expected.get(19)).isEqualTo(events.stream()
                .max(java.util.Comparator.comparingLong(e -> e.eventTime)).get().eventId);
    }

    @Test
    void dominantCodeBreaksTiesByCode() {
        FailureCounts c = new FailureCounts(T0);
        c.add(failed(T0, "m", "card", "203"));
        c.add(failed(T0, "m", "card", "101"));
        assertThat(c.dominantCode()).isEqualTo("101");
        c.add(failed(T0, "m", "card", "203"));
        assertThat(c.dominantCode()).isEqualTo("203");
    }

    @Test
    void runningTotalsEqualTheMergedWindowAtEveryEvaluationAndAfterGaps() throws Exception {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(3);
        String[] codes = {"101", "202", "203", "301", "999"};
        FailureCounts partial = null;
        long partialFor = 0;
        long evaluation = T0 + 10_000;
        int evaluations = 0;
        int fromPartial = 0;
        while (evaluation < T0 + 3_600_000) {
            // traffic of the bucket that closes at this evaluation (some buckets stay empty)
            int n = rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(30);
            for (int k = 0; k < n; k++) {
                long t = evaluation - 10_000 + rnd.nextLong(10_000);
                ring.add(store, rnd.nextInt(5) == 0 ? failed(t, "m", "card", codes[rnd.nextInt(codes.length)])
                        : ok(t, "m", "card"));
            }
            FailureCounts next = new FailureCounts(evaluation + 10_000);
            boolean usable = partialFor == evaluation;
            FailureCounts totals = ring.totals(store, evaluation, usable ? partial : null, next);
            FailureCounts merged = ring.window(store, evaluation);
            assertThat(totals.total).as("total at %d", evaluation).isEqualTo(merged.total);
            assertThat(totals.failed).isEqualTo(merged.failed);
            assertThat(totals.byCategory).isEqualTo(merged.byCategory);
            evaluations++;
            fromPartial += usable ? 1 : 0;
            ring.expireOldest(store, evaluation + 10_000);
            partial = next;
            partialFor = evaluation + 10_000;
            // now and then the chain skips evaluations, as a key with an empty window does
            evaluation += rnd.nextInt(10) == 0 ? 10_000 * (2 + rnd.nextInt(40)) : 10_000;
        }
        assertThat(fromPartial).isGreaterThan(evaluations / 2).isLessThan(evaluations);
    }
}
