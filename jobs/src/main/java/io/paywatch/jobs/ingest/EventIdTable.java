package io.paywatch.jobs.ingest;

/**
 * One merchant's event ids of the dedup horizon, each with the event time of its first delivery:
 * an open-addressing hash table of the ids' 128-bit fingerprints ({@link EventIdFingerprint}), at
 * most half full, in one {@code long[]} of three longs per slot (fingerprint high, low, time).
 * It replaces a {@code HashMap<String, Long>} on the heap state backend, where the map's nodes
 * and boxed times cost a cache miss each and most of the dedup's time (docs/performance.md): a
 * lookup here reads one cache line, and no id is an object that young collections copy. Ids are
 * removed only all at once, by {@link #forgetUpTo}, which rebuilds the table with the ids that
 * remain: the dedup forgets by time slices, never one id at a time.
 *
 * <p>Not thread-safe; the state backend copies it ({@link #copy}) when a snapshot still holds it.
 */
public final class EventIdTable {
    /** What {@link #firstSeen} returns for an id the table does not hold. */
    public static final long ABSENT = Long.MIN_VALUE;
    private static final int MIN_CAPACITY = 8;
    /** Longs per slot: fingerprint high, fingerprint low, time. */
    private static final int STRIDE = 3;

    /** The slots; a slot whose fingerprint is (0, 0) is empty (a real (0, 0) is stored as (0, 1)). */
    private long[] slots;
    /** Slots in the table, a power of two. */
    private int capacity;
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
        this.capacity = capacity;
        slots = new long[capacity * STRIDE];
    }

    /** The fingerprint's low half as stored: (0, 0) marks an empty slot. */
    private static long storedLow(long high, long low) {
        return (high | low) == 0 ? 1 : low;
    }

    /** The slot of the fingerprint, or of the empty slot where it would go. */
    private int slotOf(long high, long low) {
        int mask = capacity - 1;
        long[] s = slots;
        for (int i = (int) high & mask; ; i = (i + 1) & mask) {
            int at = i * STRIDE;
            long h = s[at];
            long l = s[at + 1];
            if ((h == high && l == low) || (h | l) == 0) {
                return at;
            }
        }
    }

    public int size() {
        return size;
    }

    /** The event time of the first delivery of {@code id}, or {@link #ABSENT}. */
    public long firstSeen(String id) {
        EventIdFingerprint f = new EventIdFingerprint().of(id);
        return firstSeen(f.high, f.low);
    }

    /** The event time of the first delivery of the id with this fingerprint, or {@link #ABSENT}. */
    public long firstSeen(long high, long low) {
        low = storedLow(high, low);
        int at = slotOf(high, low);
        long[] s = slots;
        return (s[at] | s[at + 1]) == 0 ? ABSENT : s[at + 2];
    }

    /** Records {@code id} as first delivered at {@code time}, replacing an earlier time. */
    public void remember(String id, long time) {
        EventIdFingerprint f = new EventIdFingerprint().of(id);
        remember(f.high, f.low, time);
    }

    /** Records the id with this fingerprint as first delivered at {@code time}, replacing an earlier time. */
    public void remember(long high, long low, long time) {
        low = storedLow(high, low);
        int at = slotOf(high, low);
        long[] s = slots;
        if ((s[at] | s[at + 1]) != 0) {
            s[at + 2] = time;
            return;
        }
        if (2 * (size + 1) > capacity) {
            rebuild(capacity << 1, ABSENT);
            at = slotOf(high, low);
            s = slots;
        }
        s[at] = high;
        s[at + 1] = low;
        s[at + 2] = time;
        size++;
    }

    /** Removes every id first delivered at or before {@code time}; returns how many remain. */
    public int forgetUpTo(long time) {
        int remaining = 0;
        long[] s = slots;
        for (int at = 0; at < s.length; at += STRIDE) {
            if ((s[at] | s[at + 1]) != 0 && s[at + 2] > time) {
                remaining++;
            }
        }
        if (remaining < size) {
            rebuild(capacityFor(remaining), time);
        }
        return size;
    }

    /** Moves the ids first delivered after {@code keepAfter} into new slots, {@code capacity} of them. */
    private void rebuild(int capacity, long keepAfter) {
        long[] old = slots;
        allocate(capacity);
        long[] s = slots;
        size = 0;
        int mask = capacity - 1;
        for (int j = 0; j < old.length; j += STRIDE) {
            long high = old[j];
            long low = old[j + 1];
            if ((high | low) != 0 && old[j + 2] > keepAfter) {
                int i = (int) high & mask;
                while ((s[i * STRIDE] | s[i * STRIDE + 1]) != 0) {
                    i = (i + 1) & mask;
                }
                int at = i * STRIDE;
                s[at] = high;
                s[at + 1] = low;
                s[at + 2] = old[j + 2];
                size++;
            }
        }
    }

    /** Calls {@code visitor} with every fingerprint and its time, in slot order. */
    public <E extends Exception> void forEach(IdVisitor<E> visitor) throws E {
        long[] s = slots;
        for (int at = 0; at < s.length; at += STRIDE) {
            if ((s[at] | s[at + 1]) != 0) {
                visitor.visit(s[at], s[at + 1], s[at + 2]);
            }
        }
    }

    /** What {@link #forEach} calls. */
    @FunctionalInterface
    public interface IdVisitor<E extends Exception> {
        void visit(long high, long low, long time) throws E;
    }

    /** An independent table with the same ids. */
    public EventIdTable copy() {
        EventIdTable c = new EventIdTable(0);
        c.slots = slots.clone();
        c.capacity = capacity;
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
        long[] s = slots;
        for (int at = 0; at < s.length; at += STRIDE) {
            if ((s[at] | s[at + 1]) != 0 && t.firstSeen(s[at], s[at + 1]) != s[at + 2]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = Long.hashCode(cleanupAt) * 31 + size;
        long[] s = slots;
        for (int at = 0; at < s.length; at += STRIDE) {
            if ((s[at] | s[at + 1]) != 0) {
                h += Long.hashCode(s[at] ^ s[at + 1]) ^ Long.hashCode(s[at + 2]); // order-independent
            }
        }
        return h;
    }

    @Override
    public String toString() {
        return "EventIdTable{size=" + size + ", capacity=" + capacity + ", cleanupAt=" + cleanupAt + "}";
    }

    /** The number of slots (tests: the table shrinks when ids leave). */
    int capacity() {
        return capacity;
    }
}
