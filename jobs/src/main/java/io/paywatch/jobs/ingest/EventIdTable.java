package io.paywatch.jobs.ingest;

/**
 * One merchant's event ids of the dedup horizon, each with the event time of its first delivery:
 * an open-addressing hash table, at most half full, whose slots (hash and id, time) lie side by side
 * in one array: a probe and a new id's slot are one cache line, not three.
 * It replaces a {@code HashMap<String, Long>} on the heap state backend, where the map's nodes and
 * boxed times cost a cache miss each and most of the dedup's time (docs/performance.md). Ids are
 * removed only all at once, by {@link #forgetUpTo}: the dedup forgets by time slices, never one id
 * at a time.
 *
 * <p>The ids' characters are kept in one byte array per table (one byte per char when every char
 * of the id is below U+0100, else two), not as strings: an id lives for the whole horizon, and as a
 * string it was two objects that every young collection copied until they were promoted, stored
 * into an old array through the collector's write barrier. The slot keeps where its id's characters
 * are (their length and width head them); the array is compacted when forgotten ids take more of it
 * than live ones.
 *
 * <p>Not thread-safe; the state backend copies it ({@link #copy}) when a snapshot still holds it.
 */
public final class EventIdTable {
    /** What {@link #firstSeen} returns for an id the table does not hold. */
    public static final long ABSENT = Long.MIN_VALUE;
    private static final int MIN_CAPACITY = 8;

    /**
     * Two longs per slot, side by side, so that a probe and what follows a hit share a cache line:
     * the id's hash (never 0; 0 marks an empty slot) in the high half and the offset of its
     * characters in {@link #chars} in the low half, then the event time of its first delivery.
     */
    private long[] slots;
    private int size;
    /**
     * The ids' characters, back to back, each after a varint of its length times two, plus one when
     * it takes two bytes per char; {@code used} bytes written, {@code live} of them in slots.
     */
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
        slots = new long[2 * capacity];
    }

    private static int hash(int idHash) {
        int h = idHash * 0x9E3779B9; // spreads nearby hashes over the whole table
        h ^= h >>> 16;
        return h == 0 ? 1 : h;
    }

    private static long key(int hash, int offset) {
        return ((long) hash << 32) | (offset & 0xFFFFFFFFL);
    }

    private static int hashOf(long key) {
        return (int) (key >>> 32);
    }

    private static int offsetOf(long key) {
        return (int) key;
    }

    public int size() {
        return size;
    }

    /** Longer ids than this are refused (a record is far shorter: EventParser.MAX_RECORD_CHARS). */
    static final int LONGEST_ID = (1 << 23) - 1;

    /** The header of the id at {@code at}: its length times two, plus one when wide. */
    private int header(int at) {
        byte[] c = chars;
        int value = 0;
        for (int shift = 0; ; shift += 7, at++) {
            int b = c[at];
            value |= (b & 0x7F) << shift;
            if (b >= 0) {
                return value;
            }
        }
    }

    /** The bytes the header {@code header} takes. */
    private static int headerBytes(int header) {
        return header < 0x80 ? 1 : header < 0x4000 ? 2 : header < 0x200000 ? 3 : 4;
    }

    /** The bytes the id at {@code at} takes in {@link #chars}, its header included. */
    private int bytes(int at) {
        int header = header(at);
        int length = header >>> 1;
        return headerBytes(header) + ((header & 1) != 0 ? 2 * length : length);
    }

    /** Whether the id kept at {@code at} is {@code id}. */
    private boolean sameId(int at, String id) {
        byte[] c = chars;
        int header = c[at];
        if (header < 0) {
            header = header(at);
        }
        int length = header >>> 1;
        if (length != id.length()) {
            return false;
        }
        at += headerBytes(header);
        if ((header & 1) != 0) {
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

    /** The id kept at {@code at}, as a string. */
    private String idOf(int at) {
        int header = header(at);
        int length = header >>> 1;
        at += headerBytes(header);
        if ((header & 1) == 0) {
            return new String(chars, at, length, java.nio.charset.StandardCharsets.ISO_8859_1);
        }
        char[] c = new char[length];
        for (int k = 0; k < length; k++, at += 2) {
            c[k] = (char) (((chars[at] & 0xFF) << 8) | (chars[at + 1] & 0xFF));
        }
        return new String(c);
    }

    /** Appends {@code id}'s header and characters to {@link #chars}; returns where they are. */
    private int keep(String id) {
        int length = id.length();
        if (length > LONGEST_ID) {
            throw new IllegalArgumentException("an event id of " + length + " chars");
        }
        int headerBytes = headerBytes(length << 1);
        room(headerBytes + length);
        byte[] c = chars;
        int at = used;
        int from = at + headerBytes;
        for (int k = 0; k < length; k++) {
            char ch = id.charAt(k);
            if (ch > 0xFF) {
                return keepWide(id);
            }
            c[from + k] = (byte) ch;
        }
        writeHeader(at, length << 1);
        used += headerBytes + length;
        live += headerBytes + length;
        return at;
    }

    private int keepWide(String id) {
        int length = id.length();
        int header = (length << 1) | 1;
        int headerBytes = headerBytes(header);
        room(headerBytes + 2 * length);
        byte[] c = chars;
        int at = used;
        int from = at + headerBytes;
        for (int k = 0; k < length; k++) {
            char ch = id.charAt(k);
            c[from + 2 * k] = (byte) (ch >>> 8);
            c[from + 2 * k + 1] = (byte) ch;
        }
        writeHeader(at, header);
        used += headerBytes + 2 * length;
        live += headerBytes + 2 * length;
        return at;
    }

    private void writeHeader(int at, int header) {
        byte[] c = chars;
        while (header >= 0x80) {
            c[at++] = (byte) (header | 0x80);
            header >>>= 7;
        }
        c[at] = (byte) header;
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
        long[] s = slots;
        for (int i = 0; i < s.length; i += 2) {
            long key = s[i];
            if (key != 0) {
                int from = offsetOf(key);
                int n = bytes(from);
                System.arraycopy(old, from, c, at, n);
                s[i] = key(hashOf(key), at);
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
        long[] s = slots;
        int mask = s.length - 2;
        for (int i = (h << 1) & mask; ; i = (i + 2) & mask) {
            long key = s[i];
            if (key == 0) {
                return ABSENT;
            }
            if (hashOf(key) == h && sameId(offsetOf(key), id)) {
                return s[i + 1];
            }
        }
    }

    /** Records {@code id} as first delivered at {@code time}, replacing an earlier time. */
    public void remember(String id, long time) {
        remember(id, id.hashCode(), time);
    }

    /** {@link #remember(String, long)} of an id whose {@code String.hashCode} is {@code idHash}. */
    public void remember(String id, int idHash, long time) {
        if (4 * (size + 1) > slots.length) {
            rebuild(slots.length); // twice the slots: slots.length is two longs each
        }
        int h = hash(idHash);
        long[] s = slots;
        int mask = s.length - 2;
        for (int i = (h << 1) & mask; ; i = (i + 2) & mask) {
            long key = s[i];
            if (key == 0) {
                s[i] = key(h, keep(id)); // keep first: a refused id leaves the slot empty
                s[i + 1] = time;
                size++;
                return;
            }
            if (hashOf(key) == h && sameId(offsetOf(key), id)) {
                s[i + 1] = time;
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
        long[] s = this.slots;
        int mask = s.length - 2;
        // start after a slot that was empty before this pass: no probe path runs across it, so
        // every id's home comes before it in the pass
        int start = 0;
        while (s[start] != 0) {
            start += 2; // there is one: the table is never more than half full
        }
        boolean gap = false; // whether an id was removed since the last empty slot
        for (int n = 2; n <= mask; n += 2) {
            int i = (start + n) & mask;
            long key = s[i];
            if (key == 0) {
                gap = false;
                continue;
            }
            if (s[i + 1] <= time) {
                s[i] = 0;
                live -= bytes(offsetOf(key));
                size--;
                gap = true;
                continue;
            }
            if (!gap) {
                continue; // nothing removed on its probe path: it stays where it is
            }
            int j = (hashOf(key) << 1) & mask;
            while (s[j] != 0 && j != i) {
                j = (j + 2) & mask;
            }
            if (j != i) {
                s[j] = key;
                s[j + 1] = s[i + 1];
                s[i] = 0;
            }
        }
        int fits = capacityFor(size);
        if (fits <= slots.length >> 3) { // a quarter of the slots, two longs each
            rebuild(fits);
        }
        compactIfMostlyForgotten();
        return size;
    }

    /** Moves every id into new slots, {@code capacity} of them. */
    private void rebuild(int capacity) {
        long[] old = slots;
        allocate(capacity);
        long[] s = slots;
        int mask = s.length - 2;
        for (int j = 0; j < old.length; j += 2) {
            long key = old[j];
            if (key != 0) {
                int i = (hashOf(key) << 1) & mask;
                while (s[i] != 0) {
                    i = (i + 2) & mask;
                }
                s[i] = key;
                s[i + 1] = old[j + 1];
            }
        }
    }

    /** Calls {@code visitor} with every id and its time, in slot order. */
    public <E extends Exception> void forEach(IdVisitor<E> visitor) throws E {
        long[] s = slots;
        for (int i = 0; i < s.length; i += 2) {
            if (s[i] != 0) {
                visitor.visit(idOf(offsetOf(s[i])), s[i + 1]);
            }
        }
    }

    /** The bytes {@link #writeIds} gathers before handing them to the checkpoint's stream. */
    private static final int WRITE_CHUNK = 16 * 1024;

    /**
     * Writes every id and its time, in slot order, as {@code StringValue.writeString(id)} then
     * {@code writeLong(time)} would, from the kept characters: no string per id. A checkpoint writes
     * every id of the horizon of every merchant, so the bytes are gathered in a chunk and the
     * stream (a chain of wrappers down to the checkpoint file) is called once per chunk, not three
     * or more times per id: those calls were most of a checkpoint's asynchronous part.
     */
    public void writeIds(java.io.DataOutput out) throws java.io.IOException {
        byte[] c = chars;
        long[] s = slots;
        byte[] chunk = new byte[WRITE_CHUNK];
        int n = 0;
        for (int i = 0; i < s.length; i += 2) {
            if (s[i] == 0) {
                continue;
            }
            int at = offsetOf(s[i]);
            int header = header(at);
            int length = header >>> 1;
            boolean wide = (header & 1) != 0;
            at += headerBytes(header);
            boolean ascii = !wide;
            for (int k = 0; ascii && k < length; k++) {
                ascii = c[at + k] >= 0; // below 0x80
            }
            // room for a varint (StringValue's length takes at most 4 bytes, a char at most 3)
            n = flushFor(out, chunk, n, 5);
            n = putVarint(chunk, n, length + 1); // StringValue's length: one more, 0 being null
            if (ascii) {
                for (int done = 0; done < length; ) { // an id may be longer than a chunk
                    n = flushFor(out, chunk, n, 1);
                    int part = Math.min(length - done, chunk.length - n);
                    System.arraycopy(c, at + done, chunk, n, part);
                    n += part;
                    done += part;
                }
            } else {
                for (int k = 0; k < length; k++) {
                    n = flushFor(out, chunk, n, 3);
                    n = putVarint(chunk, n, wide ? ((c[at + 2 * k] & 0xFF) << 8) | (c[at + 2 * k + 1] & 0xFF)
                            : c[at + k] & 0xFF);
                }
            }
            n = flushFor(out, chunk, n, 8);
            long time = s[i + 1];
            for (int shift = 56; shift >= 0; shift -= 8) {
                chunk[n++] = (byte) (time >>> shift); // big-endian, as DataOutput.writeLong
            }
        }
        out.write(chunk, 0, n);
    }

    /** Hands the chunk's {@code n} bytes to the stream unless {@code bytes} more fit; returns where to go on. */
    private static int flushFor(java.io.DataOutput out, byte[] chunk, int n, int bytes) throws java.io.IOException {
        if (n + bytes <= chunk.length) {
            return n;
        }
        out.write(chunk, 0, n);
        return 0;
    }

    /**
     * StringValue's variable-length number (7 bits at a time, low first, the high bit for "more")
     * into {@code b} at {@code n}; returns where the next byte goes.
     */
    private static int putVarint(byte[] b, int n, int value) {
        while (value >= 0x80) {
            b[n++] = (byte) (value | 0x80);
            value >>>= 7;
        }
        b[n++] = (byte) value;
        return n;
    }

    /** What {@link #forEach} calls. */
    @FunctionalInterface
    public interface IdVisitor<E extends Exception> {
        void visit(String id, long time) throws E;
    }

    /** An independent table with the same ids. */
    public EventIdTable copy() {
        EventIdTable c = new EventIdTable(0);
        c.slots = slots.clone();
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
        long[] s = slots;
        for (int i = 0; i < s.length; i += 2) {
            if (s[i] != 0 && t.firstSeen(idOf(offsetOf(s[i]))) != s[i + 1]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = Long.hashCode(cleanupAt) * 31 + size;
        long[] s = slots;
        for (int i = 0; i < s.length; i += 2) {
            if (s[i] != 0) {
                // order-independent: slots differ by history
                h += hashOf(s[i]) ^ Long.hashCode(s[i + 1]);
            }
        }
        return h;
    }

    @Override
    public String toString() {
        return "EventIdTable{size=" + size + ", capacity=" + capacity() + ", cleanupAt=" + cleanupAt + "}";
    }

    /** The number of slots (tests: the table shrinks when ids leave). */
    int capacity() {
        return slots.length >> 1;
    }

    /** The bytes of the ids' characters written since the last compaction (tests). */
    int charsUsed() {
        return used;
    }
}
