package io.paywatch.model;

import java.io.DataInput;
import java.io.IOException;

/**
 * Reads strings in Flink's {@code StringValue} encoding (the length plus one, then each char, as
 * 7-bit groups low first, a high bit meaning "more") into a buffer of its own, one per serializer
 * instance: {@code StringValue.readString} takes a thread-local buffer for every string, and an
 * event has up to eleven. Short strings that repeat (merchant ids, channels, codes, currencies)
 * come back as one instance per value from a small two-way cache, compared char by char, so their
 * hash is computed once, not at every keyBy and map lookup downstream. The cache keeps each
 * value's hash beside it: a value evicted before its first use downstream has no hash of its own
 * yet, and asking it for one would compute it again at every miss. Sets are picked by a
 * multiplicative hash, because ids that count up ({@code m-0001}, {@code m-0002}, …) differ only in
 * the low bits of {@code String.hashCode}. Not thread-safe.
 */
final class FlinkStrings {
    /** Longer strings are not kept: ids of that length do not repeat. */
    static final int LONGEST_KEPT = 64;
    /** Two ways per set: 8,192 values, about 100 KB per reader. */
    private static final int SET_BITS = 12;

    private char[] buffer = new char[LONGEST_KEPT];
    /** Set {@code i} holds {@code kept[2i]} (the most recently added) and {@code kept[2i + 1]}. */
    private final String[] kept = new String[2 << SET_BITS];
    private final int[] hashes = new int[2 << SET_BITS];

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
        int first = ((hash * 0x9E3779B9) >>> (32 - SET_BITS)) << 1;
        String s = kept[first];
        if (s != null && hashes[first] == hash && sameChars(s, b, len)) {
            return s;
        }
        String other = kept[first + 1];
        if (other != null && hashes[first + 1] == hash && sameChars(other, b, len)) {
            return other;
        }
        // the newer one moves to the second way; the older one of the two leaves
        kept[first + 1] = s;
        hashes[first + 1] = hashes[first];
        String fresh = new String(b, 0, len);
        kept[first] = fresh;
        hashes[first] = hash;
        return fresh;
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
        if (s.length() != len) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            if (s.charAt(i) != b[i]) {
                return false;
            }
        }
        return true;
    }
}
