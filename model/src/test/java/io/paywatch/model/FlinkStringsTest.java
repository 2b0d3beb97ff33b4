package io.paywatch.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.types.StringValue;
import org.junit.jupiter.api.Test;

/** {@link FlinkStrings} reads what Flink's {@code StringValue} writes, and keeps what repeats exactly. */
class FlinkStringsTest {
    private static String random(SplittableRandom r) {
        int len = switch (r.nextInt(5)) {
            case 0 -> 0;
            case 1 -> r.nextInt(1, 8);
            case 2 -> r.nextInt(8, 65);
            case 3 -> r.nextInt(65, 300);
            default -> r.nextInt(20_000, 40_000); // lengths of three varint bytes
        };
        StringBuilder b = new StringBuilder(len);
        for (int i = 0; i < len; i++) {
            switch (r.nextInt(5)) {
                case 0 -> b.append((char) r.nextInt(0, 0x80));        // one byte
                case 1 -> b.append((char) r.nextInt(0x80, 0x4000));   // two
                case 2 -> b.append((char) r.nextInt(0x4000, 0x10000)); // three, surrogates included
                case 3 -> b.append("中文€"); // CJK and symbols
                default -> b.append((char) ('a' + r.nextInt(26)));
            }
        }
        return b.length() > len ? b.substring(0, len) : b.toString();
    }

    /** Byte for byte what {@code StringValue.writeString} writes: every reader of checkpoints and exchanges relies on it. */
    @Test
    void writesWhatStringValueWrites() throws Exception {
        SplittableRandom r = new SplittableRandom(7);
        List<String> strings = new ArrayList<>(List.of("", "m-0001", "é", "a\u007f", "a\u0080", "中文€",
                "x".repeat(125), "x".repeat(126), "x".repeat(127), "x".repeat(128), "x".repeat(126) + "é",
                "é" + "x".repeat(125)));
        for (int i = 0; i < 2_000; i++) {
            strings.add(random(r));
        }
        FlinkStrings strings2 = new FlinkStrings();
        DataOutputSerializer ours = new DataOutputSerializer(64);
        DataOutputSerializer flinks = new DataOutputSerializer(64);
        for (String s : strings) {
            ours.clear();
            flinks.clear();
            strings2.write(ours, s);
            ours.writeInt(42); // what follows is read from its place
            StringValue.writeString(s, flinks);
            flinks.writeInt(42);
            assertThat(ours.getCopyOfBuffer()).as("'%s'", s.length() > 40 ? s.substring(0, 40) + "…" : s)
                    .isEqualTo(flinks.getCopyOfBuffer());
            DataInputDeserializer in = new DataInputDeserializer(ours.getSharedBuffer(), 0, ours.length());
            assertThat(strings2.read(in, false)).isEqualTo(s);
            assertThat(in.readInt()).isEqualTo(42);
        }
    }

    @Test
    void readsWhatStringValueWrites() throws Exception {
        SplittableRandom r = new SplittableRandom(2026);
        List<String> written = new ArrayList<>();
        DataOutputSerializer out = new DataOutputSerializer(1 << 16);
        for (int i = 0; i < 3_000; i++) {
            String s = r.nextInt(20) == 0 ? null : random(r);
            written.add(s);
            StringValue.writeString(s, out);
        }
        FlinkStrings strings = new FlinkStrings();
        DataInputDeserializer in = new DataInputDeserializer(out.getSharedBuffer(), 0, out.length());
        for (int i = 0; i < written.size(); i++) {
            String s = strings.read(in, i % 2 == 0);
            assertThat(s).as("string " + i).isEqualTo(written.get(i));
            if (s != null) { // the hash computed while reading is String's own
                assertThat(strings.lastHash()).as("hash of string " + i).isEqualTo(s.hashCode());
            }
        }
        assertThat(in.available()).isZero();
    }

    /**
     * The first {@code length} bytes are read at once: a char above U+007F anywhere (first, last,
     * of two or three bytes, several) makes the string longer than them, and what follows it
     * must still be the next string.
     */
    @Test
    void asciiWithWiderCharsAnywhereReadsBackExactlyAndLeavesTheNextStringInPlace() throws Exception {
        List<String> written = new ArrayList<>();
        String[] wide = {"\u00e9", "\u4e2d", "\u20ac\u00fc", "\uffff", "\u0080"};
        for (int len = 1; len <= 70; len++) {
            String ascii = "m-" + "0123456789abcdefghijklmnopqrstuvwxyz".repeat(2).substring(0, len);
            for (int at = 0; at <= ascii.length(); at++) {
                for (String w : wide) {
                    written.add(ascii.substring(0, at) + w + ascii.substring(at));
                }
            }
            written.add(ascii);
        }
        DataOutputSerializer out = new DataOutputSerializer(1 << 20);
        for (String s : written) {
            StringValue.writeString(s, out);
            StringValue.writeString("next", out);
        }
        FlinkStrings strings = new FlinkStrings();
        DataInputDeserializer in = new DataInputDeserializer(out.getSharedBuffer(), 0, out.length());
        for (int i = 0; i < written.size(); i++) {
            String s = strings.read(in, i % 3 != 0);
            if (!s.equals(written.get(i)) || strings.lastHash() != s.hashCode()) {
                assertThat(s).as("string " + i).isEqualTo(written.get(i));
                assertThat(strings.lastHash()).as("hash of string " + i).isEqualTo(s.hashCode());
            }
            assertThat(strings.read(in, true)).isEqualTo("next");
        }
        assertThat(in.available()).isZero();
    }

    @Test
    void aRepeatingValueComesBackAsOneInstanceAndCollisionsStayExact() throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(1 << 20);
        // more distinct values than slots, each twice: slots are shared and overwritten
        List<String> values = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            values.add("m-" + i);
        }
        values.add("Aa"); // "Aa" and "BB" have the same hash
        values.add("BB");
        for (int round = 0; round < 2; round++) {
            for (String v : values) {
                StringValue.writeString(v, out);
            }
        }
        FlinkStrings strings = new FlinkStrings();
        DataInputDeserializer in = new DataInputDeserializer(out.getSharedBuffer(), 0, out.length());
        List<String> first = new ArrayList<>();
        for (String v : values) {
            String s = strings.read(in, true);
            assertThat(s).isEqualTo(v);
            first.add(s);
        }
        int same = 0;
        for (int i = 0; i < values.size(); i++) {
            String s = strings.read(in, true);
            assertThat(s).isEqualTo(values.get(i));
            if (s == first.get(i)) {
                same++;
            }
        }
        // the last ones read are still kept; nothing kept is ever returned for another value
        assertThat(same).isGreaterThan(0).isLessThan(values.size());
        DataOutputSerializer again = new DataOutputSerializer(64);
        StringValue.writeString("wallet", again);
        StringValue.writeString("wallet", again);
        DataInputDeserializer twice = new DataInputDeserializer(again.getSharedBuffer(), 0, again.length());
        assertThat(strings.read(twice, true)).isSameAs(strings.read(twice, true));
    }
    @Test
    void idsThatCountUpAreKeptThoughTheirHashesDifferOnlyInTheLowBits() throws Exception {
        // 4,000 merchants read round after round: a cache indexed by the hash's low bits kept
        // fewer than half of them, so the rest came back as new strings with no hash computed
        DataOutputSerializer out = new DataOutputSerializer(1 << 16);
        for (int round = 0; round < 2; round++) {
            for (int m = 1; m <= 4_000; m++) {
                StringValue.writeString(String.format(java.util.Locale.ROOT, "m-%04d", m), out);
            }
        }
        FlinkStrings strings = new FlinkStrings();
        DataInputDeserializer in = new DataInputDeserializer(out.getSharedBuffer(), 0, out.length());
        List<String> first = new ArrayList<>();
        for (int m = 1; m <= 4_000; m++) {
            first.add(strings.read(in, true));
        }
        int same = 0;
        for (int m = 1; m <= 4_000; m++) {
            String s = strings.read(in, true);
            assertThat(s).isEqualTo(String.format(java.util.Locale.ROOT, "m-%04d", m));
            if (s == first.get(m - 1)) {
                same++;
            }
        }
        assertThat(same).isGreaterThan(3_600);
    }
}
