package io.paywatch.jobs.ingest;

/**
 * One merchant's event ids of the dedup horizon, each with the event time of its first delivery:
 * an open-addressing hash table in three parallel arrays (hash, id, time), at most half full.
 * It replaces a {@code HashMap<String, Long>} on the heap state backend, where the map's nodes and
 * boxed times cost a cache miss each and most of the dedup's time (docs/performance.md). Ids are
 * removed only all at once, by {@link #forgetUpTo}: the dedup forgets by time slices, never one id
 * at a time.
 *
 * <p>The ids' characters are kept in one byte array per table (one byte per char when every char
 * of the id is below U+0100, else two), not as strings: an id lives for the whole horizon, and as a
 * string it was two objects that every young collection copied until they were promoted, stored
 * into an old array through the collector's write barrier. The slot keeps where its id's characters
 * are; the array is compacted when forgotten ids take more of it than live ones.
 *
 * <p>Not thread-safe; the state backend copies it ({@link #copy}) when a snapshot still holds it.
 */
public final class EventIdTable {
    /** What {@link #firstSeen} returns for an id the table does not hold. */
    public static final long ABSENT = Long.MIN_VALUE;
    private static final int MIN_CAPACITY = 8;

    /** A slot's id hash, never 0; 0 marks an empty slot. */
    private int[] hashes;
    /** A slot's id in {@link #chars}: its offset, its length in chars, whether two bytes per char. */
    private long[] ids;
    private long[] times;
    private int size;
    /** The ids' characters, back to back; {@code used} bytes written, {@code live} of them in slots. */
    private byte[] chars = new byte[64];
    private int used;
    private int live;
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
        ids = new long[capacity];
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

    private static final int LENGTH_BITS = 23;
    /** Longer ids than this are refused (a record is far shorter: EventParser.MAX_RECORD_CHARS). */
    static final int LONGEST_ID = (1 << LENGTH_BITS) - 1;

    private static long ref(int offset, int length, boolean wide) {
        return ((long) offset << (LENGTH_BITS + 1)) | ((long) length << 1) | (wide ? 1 : 0);
    }

    private static int offset(long ref) {
        return (int) (ref >>> (LENGTH_BITS + 1));
    }

    private static int length(long ref) {
        return (int) (ref >>> 1) & LONGEST_ID;
    }

    private static boolean wide(long ref) {
        return (ref & 1) != 0;
    }

    /** The bytes {@code ref} takes in {@link #chars}. */
    private static int bytes(long ref) {
        return wide(ref) ? 2 * length(ref) : length(ref);
    }

    /** Whether the id kept as {@code ref} is {@code id}. */
    private boolean sameId(long ref, String id) {
        int length = length(ref);
        if (length != id.length()) {
            return false;
        }
        byte[] c = chars;
        int at = offset(ref);
        if (wide(ref)) {
            for (int k = 0; k < length; k++, at += 2) {
                if (id.charAt(k) != (char) (((c[at] & 0xFF) << 8) | (c[at + 1] & 0xFF))) {
                    return false;
                }
            }
        } else {
            for (int k = 0; k < length; k++) {
                if (id.charAt(k) != (char) (c[at + k] & 0xFF)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The id kept as {@code ref}, as a string. */
    private String idOf(long ref) {
        int length = length(ref);
        int at = offset(ref);
        if (!wide(ref)) {
            return new String(chars, at, length, java.nio.charset.StandardCharsets.ISO_8859_1);
        }
        char[] c = new char[length];
        for (int k = 0; k < length; k++, at += 2) {
            c[k] = (char) (((chars[at] & 0xFF) << 8) | (chars[at + 1] & 0xFF));
        }
        return new String(c);
    }

    /** Appends {@code id}'s characters to {@link #chars}; returns where they are. */
    private long keep(String id) {
        int length = id.length();
        if (length > LONGEST_ID) {
            throw new IllegalArgumentException("an event id of " + length + " chars");
        }
        room(length);
        byte[] c = chars;
        int at = used;
        for (int k = 0; k < length; k++) {
            char ch = id.charAt(k);
            if (ch > 0xFF) {
                return keepWide(id);
            }
            c[at + k] = (byte) ch;
        }
        used += length;
        live += length;
        return ref(at, length, false);
    }

    private long keepWide(String id) {
        int length = id.length();
        room(2 * length);
        byte[] c = chars;
        int at = used;
        for (int k = 0; k < length; k++) {
            char ch = id.charAt(k);
            c[at + 2 * k] = (byte) (ch >>> 8);
            c[at + 2 * k + 1] = (byte) ch;
        }
        used += 2 * length;
        live += 2 * length;
        return ref(at, length, true);
    }

    /** The longest array the JVM allocates. */
    private static final int MAX_CHARS = Integer.MAX_VALUE - 8;

    /** Makes room for {@code bytes} more in {@link #chars}. */
    private void room(int bytes) {
        if ((long) used + bytes > chars.length) {
            long needed = (long) used + bytes;
            if (needed > MAX_CHARS) {
                throw new IllegalStateException("a merchant's event ids of the horizon exceed 2 GB");
            }
            chars = java.util.Arrays.copyOf(chars, (int) Math.min(MAX_CHARS, Math.max(needed, 2L * chars.length)));
        }
    }

    /**
     * Moves the live ids' characters to the front of a new array, in slot order, once forgotten
     * ids take more of it than live ones: each byte is moved at most once per byte forgotten.
     */
    private void compactIfMostlyForgotten() {
        if (used - live <= live) {
            return;
        }
        byte[] old = chars;
        byte[] c = new byte[Math.max(64, 2 * live)];
        int at = 0;
        for (int i = 0; i < hashes.length; i++) {
            if (hashes[i] != 0) {
                long ref = ids[i];
                int n = bytes(ref);
                System.arraycopy(old, offset(ref), c, at, n);
                ids[i] = ref(at, length(ref), wide(ref));
                at += n;
            }
        }
        chars = c;
        used = at;
        live = at;
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
            if (slotHash == h && sameId(ids[i], id)) {
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
                ids[i] = keep(id); // first: a refused id leaves the slot empty
                hashes[i] = h;
                times[i] = time;
                size++;
                return;
            }
            if (slotHash == h && sameId(ids[i], id)) {
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
                live -= bytes(ids[i]);
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
            }
        }
        int fits = capacityFor(size);
        if (fits <= hashes.length >> 2) {
            rebuild(fits, ABSENT);
        }
        compactIfMostlyForgotten();
        return size;
    }

    /** Moves the ids first delivered after {@code keepAfter} into new arrays of {@code capacity}. */
    private void rebuild(int capacity, long keepAfter) {
        int[] oldHashes = hashes;
        long[] oldIds = ids;
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
                visitor.visit(idOf(ids[i]), times[i]);
            }
        }
    }

    /**
     * Writes every id and its time, in slot order, as {@code StringValue.writeString(id)} then
     * {@code writeLong(time)} would, from the kept characters: no string per id, and an ASCII id
     * (the usual) in one write instead of a call per char. A checkpoint writes every id of the
     * horizon of every merchant.
     */
    public void writeIds(java.io.DataOutput out) throws java.io.IOException {
        byte[] c = chars;
        for (int i = 0; i < hashes.length; i++) {
            if (hashes[i] == 0) {
                continue;
            }
            long ref = ids[i];
            int length = length(ref);
            int at = offset(ref);
            writeVarint(out, length + 1); // StringValue's length: one more, 0 being null
            boolean ascii = !wide(ref);
            for (int k = 0; ascii && k < length; k++) {
                ascii = c[at + k] >= 0; // below 0x80
            }
            if (ascii) {
                out.write(c, at, length);
            } else {
                for (int k = 0; k < length; k++) {
                    writeVarint(out, wide(ref) ? ((c[at + 2 * k] & 0xFF) << 8) | (c[at + 2 * k + 1] & 0xFF)
                            : c[at + k] & 0xFF);
                }
            }
            out.writeLong(times[i]);
        }
    }

    /** StringValue's variable-length number: 7 bits at a time, low first, the high bit for "more". */
    private static void writeVarint(java.io.DataOutput out, int value) throws java.io.IOException {
        while (value >= 0x80) {
            out.write(value | 0x80);
            value >>>= 7;
        }
        out.write(value);
    }

    /** What {@link #forEach} calls. */
    @FunctionalInterface
    public interface IdVisitor<E extends Exception> {
        void visit(String id, long time) throws E;
    }

    /** An independent table with the same ids. */
    public EventIdTable copy() {
        EventIdTable c = new EventIdTable(0);
        c.hashes = hashes.clone();
        c.ids = ids.clone();
        c.times = times.clone();
        c.size = size;
        c.chars = java.util.Arrays.copyOf(chars, Math.max(64, used));
        c.used = used;
        c.live = live;
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
            if (hashes[i] != 0 && t.firstSeen(idOf(ids[i])) != times[i]) {
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

    /** The bytes of the ids' characters written since the last compaction (tests). */
    int charsUsed() {
        return used;
    }
}
