package io.paywatch.model;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.flink.types.StringValue;

/**
 * Reads strings in Flink's {@code StringValue} encoding (the length plus one, then each char, as
 * 7-bit groups low first, a high bit meaning "more") into buffers of its own, one per serializer
 * instance: {@code StringValue.readString} takes a thread-local buffer for every string, and an
 * event has up to eleven. The first {@code length} bytes are read at once (each char takes at
 * least one), so an ASCII string is one bulk read and a Latin-1 copy, not a call per char. Short
 * strings that repeat (merchant ids, channels, codes, currencies) come back as one instance per
 * value from a small two-way cache, compared char by char, so their hash is computed once, not at
 * every keyBy and map lookup downstream. The cache keeps each
 * value's hash beside it: a value evicted before its first use downstream has no hash of its own
 * yet, and asking it for one would compute it again at every miss. Sets are picked by a
 * multiplicative hash, because ids that count up ({@code m-0001}, {@code m-0002}, …) differ only in
 * the low bits of {@code String.hashCode}.
 *
 * <p>It writes the same encoding too: {@code StringValue.writeString} makes a call to the output
 * per char, which was most of serialising an event for the exchange to dedup (8 % of the source
 * thread in JFR); a short ASCII string (ids, codes) goes out here as one bulk write. Not
 * thread-safe.
 */
final class FlinkStrings {
    /** Longer strings are not kept: ids of that length do not repeat. */
    static final int LONGEST_KEPT = 64;
    /** Two ways per set: 8,192 values, about 100 KB per reader. */
    private static final int SET_BITS = 12;

    /** The thread that made this reader: the only one that may use it. */
    final Thread owner = Thread.currentThread();
    private char[] buffer = new char[LONGEST_KEPT];
    private byte[] bytes = new byte[LONGEST_KEPT];
    /**
     * Set {@code i} holds {@code kept[2i]} (the most recently added) and {@code kept[2i + 1]}.
     * Made at the first repeating string read: a serializer duplicated for a snapshot only writes.
     */
    private String[] kept;
    private int[] hashes;
    /** The {@code String.hashCode} of the last string {@link #read}, computed while reading it. */
    private int lastHash;
    /** A short string's encoding, its one length byte first. */
    private final byte[] written = new byte[SHORTEST_TWO_BYTE_LENGTH];

    /** Strings this long or longer have a length of two varint bytes (the length plus one ≥ 128). */
    private static final int SHORTEST_TWO_BYTE_LENGTH = 127;

    /**
     * Writes {@code s} (not null) exactly as {@code StringValue.writeString} does: the length plus
     * one, then each char as 7-bit groups. A string shorter than 127 chars, all of them below
     * U+0080, is one byte per char after a one-byte length, written at once.
     */
    void write(DataOutput out, String s) throws IOException {
        int len = s.length();
        if (len >= SHORTEST_TWO_BYTE_LENGTH) {
            StringValue.writeString(s, out);
            return;
        }
        byte[] b = written;
        b[0] = (byte) (len + 1);
        for (int i = 0; i < len; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                StringValue.writeString(s, out); // nothing written yet
                return;
            }
            b[i + 1] = (byte) c;
        }
        out.write(b, 0, len + 1);
    }

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
        // every char takes at least one byte, so the first len bytes are all this string's: one
        // bulk read instead of a call per char, and for ASCII (ids, codes) they are the chars
        if (bytes.length < len) {
            bytes = new byte[Math.max(len, bytes.length * 2)];
        }
        byte[] raw = bytes;
        in.readFully(raw, 0, len);
        int hash = 0;
        int ascii = 0;
        while (ascii < len && raw[ascii] >= 0) {
            hash = 31 * hash + raw[ascii]; // String.hashCode's, over the chars
            ascii++;
        }
        if (ascii < len) {
            return readWide(in, raw, ascii, len, hash, repeating);
        }
        lastHash = hash;
        if (!repeating || len > LONGEST_KEPT) {
            return new String(raw, 0, len, StandardCharsets.ISO_8859_1);
        }
        return keptOrNew(hash, len, raw, null);
    }

    /**
     * The rest of a string whose byte {@code from} of the {@code len} read is the first of a char
     * above U+007F: the bytes read are decoded on, then what the string has beyond them.
     */
    private String readWide(DataInput in, byte[] raw, int from, int len, int hash, boolean repeating)
            throws IOException {
        if (buffer.length < len) {
            buffer = new char[Math.max(len, buffer.length * 2)];
        }
        char[] b = buffer;
        for (int i = 0; i < from; i++) {
            b[i] = (char) raw[i];
        }
        int at = from; // the next byte of raw, or of in once raw is used up
        for (int i = from; i < len; i++) {
            int c = at < len ? raw[at++] & 0xFF : in.readUnsignedByte();
            if (c >= 0x80) {
                int value = c & 0x7f;
                int shift = 7;
                while ((c = at < len ? raw[at++] & 0xFF : in.readUnsignedByte()) >= 0x80) {
                    value |= (c & 0x7f) << shift;
                    shift += 7;
                }
                c = value | (c << shift);
            }
            b[i] = (char) c;
            hash = 31 * hash + (char) c;
        }
        lastHash = hash;
        if (!repeating || len > LONGEST_KEPT) {
            return new String(b, 0, len);
        }
        return keptOrNew(hash, len, null, b);
    }

    /**
     * The kept instance of the string in {@code ascii} (bytes below 0x80) or {@code wide}, or a new
     * one, kept: it takes the set's first way, the one there moves to the second, the older leaves.
     */
    private String keptOrNew(int hash, int len, byte[] ascii, char[] wide) {
        if (kept == null) {
            kept = new String[2 << SET_BITS];
            hashes = new int[2 << SET_BITS];
        }
        String[] kept = this.kept;
        int[] hashes = this.hashes;
        int first = ((hash * 0x9E3779B9) >>> (32 - SET_BITS)) << 1;
        for (int way = first; way <= first + 1; way++) {
            String s = kept[way];
            if (s != null && hashes[way] == hash && sameChars(s, ascii, wide, len)) {
                return s;
            }
        }
        String fresh = ascii != null ? new String(ascii, 0, len, StandardCharsets.ISO_8859_1)
                : new String(wide, 0, len);
        kept[first + 1] = kept[first];
        hashes[first + 1] = hashes[first];
        kept[first] = fresh;
        hashes[first] = hash;
        return fresh;
    }

    /**
     * The {@code String.hashCode} of the string the last {@link #read} returned (not of a null):
     * computed on the way, so that whoever hashes that string next need not read it again.
     */
    int lastHash() {
        return lastHash;
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

    private static boolean sameChars(String s, byte[] ascii, char[] wide, int len) {
        if (s.length() != len) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            if (s.charAt(i) != (ascii != null ? (char) ascii[i] : wide[i])) {
                return false;
            }
        }
        return true;
    }
}
