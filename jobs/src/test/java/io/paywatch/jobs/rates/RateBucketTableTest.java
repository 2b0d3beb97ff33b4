package io.paywatch.jobs.rates;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class RateBucketTableTest {
    private static FailureCounts bucket(long index) {
        FailureCounts c = new FailureCounts(index * 10_000);
        c.total = (int) index;
        return c;
    }

    @Test
    void aSlidingWindowOfBucketsIsPutFoundAndRemoved() {
        RateBucketTable t = new RateBucketTable();
        for (long i = 1_000; i < 1_031; i++) {
            t.put(i, bucket(i));
        }
        assertThat(t.size()).isEqualTo(31);
        assertThat(t.get(1_015).total).isEqualTo(1_015);
        assertThat(t.get(999)).isNull();
        FailureCounts replaced = bucket(1_015);
        t.put(1_015, replaced);
        assertThat(t.get(1_015)).isSameAs(replaced);
        assertThat(t.size()).isEqualTo(31);
        t.remove(1_000);
        t.remove(1_000); // absent: nothing happens
        assertThat(t.size()).isEqualTo(30);
        assertThat(t.get(1_000)).isNull();
        assertThat(t.indexes()).hasSize(30).doesNotContain(1_000L).contains(1_001L, 1_030L);
    }

    /** Indexes that share slots (a multiple of the capacity apart) and chains that wrap around. */
    @Test
    void probeChainsSurviveRemovalsInTheirMiddle() {
        RateBucketTable t = new RateBucketTable();
        int cap = RateBucketTable.INITIAL_CAPACITY;
        long[] sameSlot = {cap - 1, 2L * cap - 1, 3L * cap - 1, -1, 4L * cap - 1}; // all at the last slot: wrap to 0..
        for (long i : sameSlot) {
            t.put(i, bucket(i));
        }
        t.put(0, bucket(0)); // its home slot is taken by the wrapped chain
        t.remove(2L * cap - 1);
        t.remove(-1);
        for (long i : new long[] {cap - 1, 3L * cap - 1, 4L * cap - 1, 0}) {
            assertThat(t.get(i)).as("index %d", i).isNotNull();
            assertThat(t.get(i).total).isEqualTo((int) i);
        }
        assertThat(t.get(2L * cap - 1)).isNull();
        assertThat(t.get(-1)).isNull();
        assertThat(t.size()).isEqualTo(4);
    }

    /** Random puts and removals agree with a sorted map, through growth and every kind of collision. */
    @Test
    void behavesLikeAMapUnderRandomUse() {
        Random r = new Random(11);
        for (int round = 0; round < 50; round++) {
            RateBucketTable t = new RateBucketTable();
            TreeMap<Long, FailureCounts> model = new TreeMap<>();
            long base = r.nextInt(1_000_000) - 500_000;
            int spread = 1 + r.nextInt(round % 2 == 0 ? 40 : 400);
            for (int op = 0; op < 2_000; op++) {
                long i = base + r.nextInt(spread) + (r.nextInt(10) == 0 ? 64L * r.nextInt(5) : 0);
                if (r.nextInt(3) == 0) {
                    t.remove(i);
                    model.remove(i);
                } else {
                    FailureCounts b = bucket(i);
                    t.put(i, b);
                    model.put(i, b);
                }
                if (op % 97 == 0) {
                    for (long k = base - 5; k < base + spread + 300; k++) {
                        assertThat(t.get(k)).isSameAs(model.get(k));
                    }
                }
            }
            assertThat(t.size()).isEqualTo(model.size());
            List<Long> held = new ArrayList<>();
            t.indexes().forEach(held::add);
            assertThat(held).containsExactlyInAnyOrderElementsOf(model.keySet());
        }
    }

    @Test
    void aCopyIsDeep() throws Exception {
        RateBucketTable t = new RateBucketTable();
        for (long i = 0; i < 100; i++) { // grows past its first capacity
            t.put(i, bucket(i));
        }
        RateBucketTable c = t.copy();
        c.get(5).total = -1;
        c.remove(6);
        c.put(500, bucket(500));
        assertThat(t.get(5).total).isEqualTo(5);
        assertThat(t.get(6)).isNotNull();
        assertThat(t.get(500)).isNull();
        assertThat(c.size()).isEqualTo(100);
        long[] sum = {0};
        t.forEach((index, counts) -> sum[0] += index + counts.total);
        assertThat(sum[0]).isEqualTo(2 * (99 * 100 / 2));
    }

    @Test
    void aNullBucketIsRefused() {
        assertThatThrownBy(() -> new RateBucketTable().put(1, null)).isInstanceOf(IllegalArgumentException.class);
    }
}
