package io.paywatch.jobs.rates;

import java.util.Arrays;

/**
 * A rate key's buckets by bucket index, held inside its {@link RateKeyState} on the heap backend
 * ({@code StateLayout.TABLE}): a payment's partial and an evaluation then read the key's state
 * once, instead of once more per bucket from a map state (a state-table lookup and a hash-map
 * lookup each, about a fifth of the merchant-rate task in JFR).
 *
 * <p>Open addressing on the index itself: a key's indexes are nearly consecutive (its window and
 * a few buckets ahead), so they fall into distinct slots; other indexes probe linearly, and a
 * removal shifts the probe chain back (no tombstones). Not thread-safe.
 */
public final class RateBucketTable implements BucketRing.Store {
    /**
     * Small, for the many keys with a few payments (the long tail of merchants); a key with a
     * full window of 30 buckets and a few ahead grows to 64 slots.
     */
    static final int INITIAL_CAPACITY = 8;

    private long[] indexes;
    private FailureCounts[] buckets;
    private int size;

    public RateBucketTable() {
        this(INITIAL_CAPACITY);
    }

    private RateBucketTable(int capacity) {
        indexes = new long[capacity];
        buckets = new FailureCounts[capacity];
    }

    public int size() {
        return size;
    }

    private int slot(long index) {
        return (int) index & (buckets.length - 1);
    }

    private int find(long index) {
        int mask = buckets.length - 1;
        for (int i = slot(index); buckets[i] != null; i = (i + 1) & mask) {
            if (indexes[i] == index) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public FailureCounts get(long index) {
        int i = find(index);
        return i < 0 ? null : buckets[i];
    }

    @Override
    public void put(long index, FailureCounts counts) {
        if (counts == null) {
            throw new IllegalArgumentException("a bucket must not be null");
        }
        int mask = buckets.length - 1;
        int i = slot(index);
        for (; buckets[i] != null; i = (i + 1) & mask) {
            if (indexes[i] == index) {
                buckets[i] = counts;
                return;
            }
        }
        indexes[i] = index;
        buckets[i] = counts;
        if (++size * 4 > buckets.length * 3) {
            grow();
        }
    }

    private void grow() {
        long[] oldIndexes = indexes;
        FailureCounts[] oldBuckets = buckets;
        indexes = new long[oldBuckets.length * 2];
        buckets = new FailureCounts[oldBuckets.length * 2];
        size = 0;
        for (int i = 0; i < oldBuckets.length; i++) {
            if (oldBuckets[i] != null) {
                put(oldIndexes[i], oldBuckets[i]);
            }
        }
    }

    @Override
    public void remove(long index) {
        int hole = find(index);
        if (hole < 0) {
            return;
        }
        // shift the rest of the probe chain back over the hole, so lookups never stop early
        int mask = buckets.length - 1;
        int i = hole;
        while (true) {
            i = (i + 1) & mask;
            if (buckets[i] == null) {
                break;
            }
            int home = slot(indexes[i]);
            // the entry at i may fill the hole unless its home lies cyclically in (hole, i]
            boolean homeBetween = hole <= i ? hole < home && home <= i : hole < home || home <= i;
            if (!homeBetween) {
                indexes[hole] = indexes[i];
                buckets[hole] = buckets[i];
                hole = i;
            }
        }
        buckets[hole] = null;
        indexes[hole] = 0;
        size--;
    }

    /** The indexes held, in no particular order (a copy: the table may change meanwhile). */
    @Override
    public Iterable<Long> indexes() {
        Long[] held = new Long[size];
        int n = 0;
        for (int i = 0; i < buckets.length; i++) {
            if (buckets[i] != null) {
                held[n++] = indexes[i];
            }
        }
        return Arrays.asList(held);
    }

    /** Calls {@code action} with every bucket and its index (no boxing, no second lookup). */
    public <E extends Exception> void forEach(Entry<E> action) throws E {
        for (int i = 0; i < buckets.length; i++) {
            if (buckets[i] != null) {
                action.accept(indexes[i], buckets[i]);
            }
        }
    }

    /** What {@link #forEach} is given; {@code E} is what it may throw. */
    @FunctionalInterface
    public interface Entry<E extends Exception> {
        void accept(long index, FailureCounts counts) throws E;
    }

    /** A deep copy: the heap backend copies a key's state while a snapshot holds the original. */
    public RateBucketTable copy() {
        RateBucketTable c = new RateBucketTable(buckets.length);
        c.indexes = indexes.clone();
        for (int i = 0; i < buckets.length; i++) {
            if (buckets[i] != null) {
                c.buckets[i] = FailureCountsSerializer.INSTANCE.copy(buckets[i]);
            }
        }
        c.size = size;
        return c;
    }
}
