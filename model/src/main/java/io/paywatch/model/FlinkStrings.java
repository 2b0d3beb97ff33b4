package io.paywatch.model;

import java.io.DataInput;
import java.io.IOException;

/**
 * Reads strings in Flink's {@code StringValue} encoding (the length plus one, then each char, as
 * 7-bit groups low first, a high bit meaning "more") into a buffer of its own, one per serializer
 * instance: {@code StringValue.readString} takes a thread-local buffer for every string, and an
 * event has up to eleven. Short strings that repeat (merchant ids, channels, codes, currencies)
 * come back as one instance per value from a small direct-mapped cache, compared char by char,
 * so their hash is computed once, not at every keyBy and map lookup downstream. Not thread-safe.
 */
final class FlinkStrings {
    /** Longer strings are not kept: ids of that length do not repeat. */
    static final int LONGEST_KEPT = 64;
    private static final int SLOTS = 4096;

    private char[] buffer = new char[LONGEST_KEPT];
    private final String[] kept = new String[SLOTS];

    /**
     * The next string of {@code in}, or null where one was written as null.
     *
     * @param repeating whether the field's values repeat (then a kept instance may be returned)
     */
    String read(DataInput in, boolean repeating) throws IOException {
        int len = varint(in, in.readUnsignedByte());
        if (len == 0) {
            return null;
        }
        len -= 1;
        if (buffer.length < len) {
            buffer = new char[Math.max(len, buffer.length * 2)];
        }
        char[] b = buffer;
        int hash = 0;
        for (int i = 0; i < len; i++) {
            int c = in.readUnsignedByte();
            if (c >= 0x80) {
                c = varint(in, c);
            }
            b[i] = (char) c;
            hash = 31 * hash + (char) c; // String.hashCode's, over the chars
        }
        if (!repeating || len > LONGEST_KEPT) {
            return new String(b, 0, len);
        }
        int slot = (hash ^ (hash >>> 16)) & (SLOTS - 1);
        String s = kept[slot];
        if (s != null && s.length() == len && s.hashCode() == hash && sameChars(s, b, len)) {
            return s;
        }
        s = new String(b, 0, len);
        kept[slot] = s;
        return s;
    }

    /** The rest of a variable-length number whose first byte was {@code first}. */
    private static int varint(DataInput in, int first) throws IOException {
        if (first < 0x80) {
            return first;
        }
        int value = first & 0x7f;
        int shift = 7;
        int curr;
        while ((curr = in.readUnsignedByte()) >= 0x80) {
            value |= (curr & 0x7f) << shift;
            shift += 7;
        }
        return value | (curr << shift);
    }

    private static boolean sameChars(String s, char[] b, int len) {
        for (int i = 0; i < len; i++) {
            if (s.charAt(i) != b[i]) {
                return false;
            }
        }
        return true;
    }
}
