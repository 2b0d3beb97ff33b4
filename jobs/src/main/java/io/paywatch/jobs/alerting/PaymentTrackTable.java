package io.paywatch.jobs.alerting;

import io.paywatch.model.PaymentEvent;

/**
 * One merchant's payments in the {@code failed_but_charged} screen on the heap backend: each
 * payment's lone event (most payments: a charge or a failure that nothing pairs with) or its
 * {@link PaymentPairScreen.Track}, in an open-addressing hash table of parallel arrays (hash, id,
 * value, expiry), at most half full. ({@code charged_unfulfilled}'s screen keeps a merchant's
 * lone charges in one too, by order, each expiring when it is due:
 * {@link ChargedUnfulfilledScreen}.) A lone event has no timer of its own: it expires with its
 * time slice ({@link #forgetUpTo}, one rebuild per merchant and slice), where a track per payment
 * in keyed state cost a state entry, a timer, its poll at a watermark and a second lookup when it
 * fired. A track has exact timers and leaves by {@link #remove}.
 *
 * <p>Not thread-safe; the state backend copies it ({@link #copy}) when a snapshot still holds it.
 */
public final class PaymentTrackTable {
    /** The expiry of a track: never by time slice, only by {@link #remove}. */
    public static final long NEVER = Long.MAX_VALUE;
    /** What {@link #expiryTimer} holds when no expiry timer was registered. */
    public static final long NONE = Long.MIN_VALUE;
    private static final int MIN_CAPACITY = 8;

    /** A slot's id hash, never 0; 0 marks an empty slot. */
    private int[] hashes;
    private String[] ids;
    /** A {@link PaymentEvent} (lone) or a {@link PaymentPairScreen.Track}. */
    private Object[] values;
    private long[] expiries;
    private int size;
    /**
     * The event time of the latest expiry timer the screen registered for these payments (or
     * {@link #NONE}): a timer at the same time needs no second registration.
     */
    public long expiryTimer = NONE;

    public PaymentTrackTable() {
        this(0);
    }

    /** A table sized for {@code expected} payments without growing. */
    public PaymentTrackTable(int expected) {
        allocate(capacityFor(expected));
    }

    private static int capacityFor(int entries) {
        int capacity = MIN_CAPACITY;
        while (capacity < 2 * (long) entries) {
            capacity <<= 1;
        }
        return capacity;
    }

    private void allocate(int capacity) {
        hashes = new int[capacity];
        ids = new String[capacity];
        values = new Object[capacity];
        expiries = new long[capacity];
    }

    private static int hash(String id) {
        int h = id.hashCode() * 0x9E3779B9; // spreads nearby hashes over the whole table
        h ^= h >>> 16;
        return h == 0 ? 1 : h;
    }

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** The slot of {@code id}, or -1. */
    private int slotOf(String id) {
        int h = hash(id);
        int mask = hashes.length - 1;
        for (int i = h & mask; ; i = (i + 1) & mask) {
            int slotHash = hashes[i];
            if (slotHash == 0) {
                return -1;
            }
            if (slotHash == h && ids[i].equals(id)) {
                return i;
            }
        }
    }

    /** The payment's lone {@link PaymentEvent}, its {@link PaymentPairScreen.Track}, or null. */
    public Object get(String id) {
        int i = slotOf(id);
        return i < 0 ? null : values[i];
    }

    /** Holds {@code event} as the payment's lone event until {@code expiresAt} (replacing what it had). */
    public void putLone(String id, PaymentEvent event, long expiresAt) {
        put(id, event, expiresAt);
    }

    /** Holds the payment's track, which leaves only by {@link #remove} (replacing what it had). */
    public void putTrack(String id, PaymentPairScreen.Track track) {
        put(id, track, NEVER);
    }

    private void put(String id, Object value, long expiresAt) {
        if (2 * (size + 1) > hashes.length) {
            rebuild(hashes.length << 1, Long.MIN_VALUE);
        }
        int h = hash(id);
        int mask = hashes.length - 1;
        for (int i = h & mask; ; i = (i + 1) & mask) {
            int slotHash = hashes[i];
            if (slotHash == 0) {
                hashes[i] = h;
                ids[i] = id;
                size++;
            } else if (slotHash != h || !ids[i].equals(id)) {
                continue;
            }
            values[i] = value;
            expiries[i] = expiresAt;
            return;
        }
    }

    /** Removes the payment; whether it was there. */
    public boolean remove(String id) {
        int i = slotOf(id);
        if (i < 0) {
            return false;
        }
        int mask = hashes.length - 1;
        // backward-shift deletion: every later slot of the probe run that may move into the gap does
        for (int j = (i + 1) & mask; hashes[j] != 0; j = (j + 1) & mask) {
            int home = hashes[j] & mask;
            boolean homeInGap = i <= j ? home <= i || home > j : home <= i && home > j;
            if (homeInGap) {
                hashes[i] = hashes[j];
                ids[i] = ids[j];
                values[i] = values[j];
                expiries[i] = expiries[j];
                i = j;
            }
        }
        hashes[i] = 0;
        ids[i] = null;
        values[i] = null;
        size--;
        return true;
    }

    /** Removes every lone event that expires at or before {@code time}; returns how many payments remain. */
    public int forgetUpTo(long time) {
        int remaining = 0;
        for (int i = 0; i < hashes.length; i++) {
            if (hashes[i] != 0 && expiries[i] > time) {
                remaining++;
            }
        }
        if (remaining < size) {
            rebuild(capacityFor(remaining), time);
        }
        return size;
    }

    /**
     * Removes every entry that expires at or before {@code time}, as {@link #forgetUpTo(long)},
     * after handing each to {@code forgotten} (in slot order: the same for the same history).
     */
    public <E extends Exception> int forgetUpTo(long time, Visitor<E> forgotten) throws E {
        for (int i = 0; i < hashes.length; i++) {
            if (hashes[i] != 0 && expiries[i] <= time) {
                forgotten.visit(ids[i], values[i], expiries[i]);
            }
        }
        return forgetUpTo(time);
    }

    /** Moves the payments expiring after {@code keepAfter} into new arrays of {@code capacity}. */
    private void rebuild(int capacity, long keepAfter) {
        int[] oldHashes = hashes;
        String[] oldIds = ids;
        Object[] oldValues = values;
        long[] oldExpiries = expiries;
        allocate(capacity);
        size = 0;
        int mask = capacity - 1;
        for (int j = 0; j < oldHashes.length; j++) {
            int h = oldHashes[j];
            if (h != 0 && oldExpiries[j] > keepAfter) {
                int i = h & mask;
                while (hashes[i] != 0) {
                    i = (i + 1) & mask;
                }
                hashes[i] = h;
                ids[i] = oldIds[j];
                values[i] = oldValues[j];
                expiries[i] = oldExpiries[j];
                size++;
            }
        }
    }

    /** Calls {@code visitor} with every payment, in slot order. */
    public <E extends Exception> void forEach(Visitor<E> visitor) throws E {
        for (int i = 0; i < hashes.length; i++) {
            if (hashes[i] != 0) {
                visitor.visit(ids[i], values[i], expiries[i]);
            }
        }
    }

    /** What {@link #forEach} calls: a lone {@link PaymentEvent} or a track, and its expiry. */
    @FunctionalInterface
    public interface Visitor<E extends Exception> {
        void visit(String id, Object value, long expiresAt) throws E;
    }

    /**
     * An independent table: the tracks are copied (the screen changes them in place); the events
     * are shared, as the tracks' own copies share them, because nothing changes an event it holds.
     */
    public PaymentTrackTable copy() {
        PaymentTrackTable c = new PaymentTrackTable(0);
        c.hashes = hashes.clone();
        c.ids = ids.clone();
        c.values = values.clone();
        c.expiries = expiries.clone();
        c.size = size;
        c.expiryTimer = expiryTimer;
        for (int i = 0; i < c.values.length; i++) {
            if (c.values[i] instanceof PaymentPairScreen.Track) {
                c.values[i] = copy((PaymentPairScreen.Track) c.values[i]);
            }
        }
        return c;
    }

    static PaymentPairScreen.Track copy(PaymentPairScreen.Track t) {
        PaymentPairScreen.Track c = new PaymentPairScreen.Track();
        c.arrived = t.arrived.clone();
        c.held = t.held.clone();
        c.openUntil = t.openUntil;
        return c;
    }

    @Override
    public String toString() {
        return "PaymentTrackTable{size=" + size + ", capacity=" + hashes.length + ", expiryTimer=" + expiryTimer + "}";
    }

    /** The slot arrays' length (tests: the table shrinks when payments leave). */
    int capacity() {
        return hashes.length;
    }
}
