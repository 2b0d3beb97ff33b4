package io.paywatch.jobs.ingest;

/**
 * One merchant's event ids of the dedup horizon, each with the event time of its first delivery:
 * an open-addressing hash table in three parallel arrays (hash, id, time), at most half full.
 * It replaces a {@code HashMap<String, Long>} on the heap state backend, where the map's nodes and
 * boxed times cost a cache miss each and most of the dedup's time (docs/performance.md). Ids are
 * removed only all at once, by {@link #forgetUpTo}, which rebuilds the table with the ids that
 * remain: the dedup forgets by time slices, never one id at a time.
 *
 * <p>Not thread-safe; the state backend copies it ({@link #copy}) when a snapshot still holds it.
 */
public final class EventIdTable {
    /** What {@link #firstSeen} returns for an id the table does not hold. */
    public static final long ABSENT = Long.MIN_VALUE;
    private static final int MIN_CAPACITY = 8;

    /** A slot's id hash, never 0; 0 marks an empty slot. */
    private int[] hashes;
    private String[] ids;
    private long[] times;
    private int size;
    /**
     * The event time of the latest cleanup timer the dedup registered for these ids (or
     * {@link #ABSENT}): a timer at the same time needs no second registration.
     */
    public long cleanupAt = ABSENT;

    public EventIdTable() {
        this(0);
    }

    /** A table sized for {@code expected} ids without growing. */
    public EventIdTable(int expected) {
        allocate(capacityFor(expected));
    }

    private static int capacityFor(int ids) {
        int capacity = MIN_CAPACITY;
        while (capacity < 2 * (long) ids) {
            capacity <<= 1;
        }
        return capacity;
    }

    private void allocate(int capacity) {
        hashes = new int[capacity];
        ids = new String[capacity];
        times = new long[capacity];
    }

    private static int hash(int idHash) {
        int h = idHash * 0x9E3779B9; // spreads nearby hashes over the whole table
        h ^= h >>> 16;
        return h == 0 ? 1 : h;
    }

    public int size() {
        return size;
    }

    /** The event time of the first delivery of {@code id}, or {@link #ABSENT}. */
    public long firstSeen(String id) {
        return firstSeen(id, id.hashCode());
    }

    /** {@link #firstSeen(String)} of an id whose {@code String.hashCode} is {@code idHash}. */
    public long firstSeen(String id, int idHash) {
        int h = hash(idHash);
        int mask = hashes.length - 1;
        for (int i = h & mask; ; i = (i + 1) & mask) {
            int slotHash = hashes[i];
            if (slotHash == 0) {
                return ABSENT;
            }
            if (slotHash == h && ids[i].equals(id)) {
                return times[i];
            }
        }
    }

    /** Records {@code id} as first delivered at {@code time}, replacing an earlier time. */
    public void remember(String id, long time) {
        remember(id, id.hashCode(), time);
    }

    /** {@link #remember(String, long)} of an id whose {@code String.hashCode} is {@code idHash}. */
    public void remember(String id, int idHash, long time) {
        if (2 * (size + 1) > hashes.length) {
            rebuild(hashes.length << 1, ABSENT);
        }
        int h = hash(idHash);
        int mask = hashes.length - 1;
        for (int i = h & mask; ; i = (i + 1) & mask) {
            int slotHash = hashes[i];
            if (slotHash == 0) {
                hashes[i] = h;
                ids[i] = id;
                times[i] = time;
                size++;
                return;
            }
            if (slotHash == h && ids[i].equals(id)) {
                times[i] = time;
                return;
            }
        }
    }

    /**
     * Removes every id first delivered at or before {@code time}; returns how many remain.
     *
     * <p>In place, in one pass over the slots: each id that stays is placed again from its home
     * slot (Knuth's deletion for linear probing, for many ids at once), which moves it back only
     * where a removed id left a gap in its probe path. Nothing is allocated unless the table is
     * left at most a quarter as full as it may be (then it shrinks).
     */
    public int forgetUpTo(long time) {
        int[] hashes = this.hashes;
        int mask = hashes.length - 1;
        // start after a slot that was empty before this pass: no probe path runs across it, so
        // every id's home comes before it in the pass
        int start = 0;
        while (hashes[start] != 0) {
            start++; // there is one: the table is never more than half full
        }
        boolean gap = false; // whether an id was removed since the last empty slot
        for (int n = 1; n <= mask; n++) {
            int i = (start + n) & mask;
            int h = hashes[i];
            if (h == 0) {
                gap = false;
                continue;
            }
            if (times[i] <= time) {
                hashes[i] = 0;
                ids[i] = null;
                size--;
                gap = true;
                continue;
            }
            if (!gap) {
                continue; // nothing removed on its probe path: it stays where it is
            }
            int j = h & mask;
            while (hashes[j] != 0 && j != i) {
                j = (j + 1) & mask;
            }
            if (j != i) {
                hashes[j] = h;
                ids[j] = ids[i];
                times[j] = times[i];
                hashes[i] = 0;
                ids[i] = null;
            }
        }
        int fits = capacityFor(size);
        if (fits <= hashes.length >> 2) {
            rebuild(fits, ABSENT);
        }
        return size;
    }

    /** Moves the ids first delivered after {@code keepAfter} into new arrays of {@code capacity}. */
    private void rebuild(int capacity, long keepAfter) {
        int[] oldHashes = hashes;
        String[] oldIds = ids;
        long[] oldTimes = times;
        allocate(capacity);
        size = 0;
        int mask = capacity - 1;
        for (int j = 0; j < oldHashes.length; j++) {
            int h = oldHashes[j];
            if (h != 0 && oldTimes[j] > keepAfter) {
                int i = h & mask;
                while (hashes[i] != 0) {
                    i = (i + 1) & mask;
                }
                hashes[i] = h;
                ids[i] = oldIds[j];
                times[i] = oldTimes[j];
                size++;
            }
        }
    }

    /** Calls {@code visitor} with every id and its time, in slot order. */
    public <E extends Exception> void forEach(IdVisitor<E> visitor) throws E {
        for (int i = 0; i < hashes.length; i++) {
            if (hashes[i] != 0) {
                visitor.visit(ids[i], times[i]);
            }
        }
    }

    /** What {@link #forEach} calls. */
    @FunctionalInterface
    public interface IdVisitor<E extends Exception> {
        void visit(String id, long time) throws E;
    }

    /** An independent table with the same ids (the strings, being immutable, are shared). */
    public EventIdTable copy() {
        EventIdTable c = new EventIdTable(0);
        c.hashes = hashes.clone();
        c.ids = ids.clone();
        c.times = times.clone();
        c.size = size;
        c.cleanupAt = cleanupAt;
        return c;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof EventIdTable)) {
            return false;
        }
        EventIdTable t = (EventIdTable) o;
        if (t.size != size || t.cleanupAt != cleanupAt) {
            return false;
        }
        for (int i = 0; i < hashes.length; i++) {
            if (hashes[i] != 0 && t.firstSeen(ids[i]) != times[i]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = Long.hashCode(cleanupAt) * 31 + size;
        for (int i = 0; i < hashes.length; i++) {
            if (hashes[i] != 0) {
                h += hashes[i] ^ Long.hashCode(times[i]); // order-independent: slots differ by history
            }
        }
        return h;
    }

    @Override
    public String toString() {
        return "EventIdTable{size=" + size + ", capacity=" + hashes.length + ", cleanupAt=" + cleanupAt + "}";
    }

    /** The slot arrays' length (tests: the table shrinks when ids leave). */
    int capacity() {
        return hashes.length;
    }
}
