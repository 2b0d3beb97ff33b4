package io.paywatch.jobs.metrics;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * A line whose measurement, tag keys and field keys are fixed: their escapes and their key order
 * are worked out once, so that each line only writes its values, in the order and with the
 * escapes of {@link LineProtocol} (and so of influxdb-client-java's {@code Point}): tags with a
 * null or empty value left out, fields never set or not finite left out, no line without a field.
 * The rate point (one per key and evaluation) is the job's busiest line; sorting and escaping its
 * fifteen keys again for every line was most of its cost.
 */
final class LineTemplate {
    static final byte INTEGER = 1;
    static final byte DOUBLE = 2;

    /** The escaped measurement. */
    private final String head;
    /** By declared index: {@code ,key=}, escaped. */
    private final String[] tagPrefixes;
    /** The declared tag indexes in key order. */
    private final int[] tagOrder;
    /** By declared index: {@code key=}, escaped. */
    private final String[] fieldPrefixes;
    private final int[] fieldOrder;
    private final byte[] fieldKinds;
    /**
     * Each thread's builder, reused from line to line: a line's builder sized for every field at
     * its longest, made new for each line, was the most of a rate operator's allocation (the rate
     * point is made once per key and evaluation).
     */
    private static final ThreadLocal<StringBuilder> BUILDER = ThreadLocal.withInitial(() -> new StringBuilder(512));
    /** A builder grown past this is replaced at its next line. */
    private static final int KEPT_BUILDER_CHARS = 8_192;

    /**
     * @param fieldKinds {@link #INTEGER} or {@link #DOUBLE} for each of {@code fieldKeys}
     */
    LineTemplate(String measurement, String[] tagKeys, String[] fieldKeys, byte[] fieldKinds) {
        if (fieldKeys.length != fieldKinds.length || fieldKeys.length > 64) {
            throw new IllegalArgumentException("one kind per field, at most 64 fields");
        }
        distinctAndNamed(tagKeys);
        distinctAndNamed(fieldKeys);
        StringBuilder b = new StringBuilder();
        LineProtocol.escapeKey(b, measurement, false);
        head = b.toString();
        tagPrefixes = new String[tagKeys.length];
        for (int i = 0; i < tagKeys.length; i++) {
            b.setLength(0);
            LineProtocol.escapeKey(b.append(','), tagKeys[i], true);
            tagPrefixes[i] = b.append('=').toString();
        }
        fieldPrefixes = new String[fieldKeys.length];
        for (int i = 0; i < fieldKeys.length; i++) {
            b.setLength(0);
            LineProtocol.escapeKey(b, fieldKeys[i], true);
            fieldPrefixes[i] = b.append('=').toString();
        }
        tagOrder = keyOrder(tagKeys);
        fieldOrder = keyOrder(fieldKeys);
        this.fieldKinds = fieldKinds.clone();
    }

    private static void distinctAndNamed(String[] keys) {
        Set<String> seen = new HashSet<>();
        for (String k : keys) {
            if (k == null || k.isEmpty() || !seen.add(k)) {
                throw new IllegalArgumentException("keys must be named and distinct: " + Arrays.toString(keys));
            }
        }
    }

    /** Declared indexes sorted by key, as {@code Point}'s tree maps order them. */
    private static int[] keyOrder(String[] keys) {
        return java.util.stream.IntStream.range(0, keys.length).boxed()
                .sorted((a, c) -> keys[a].compareTo(keys[c]))
                .mapToInt(Integer::intValue).toArray();
    }

    Line line() {
        return new Line();
    }

    /** One line's values, by declared index. */
    final class Line {
        private final String[] tags = new String[tagPrefixes.length];
        /** A field's long, or its double's bits: one array, as each field has one kind. */
        private final long[] values = new long[fieldPrefixes.length];
        private long set;

        Line tag(int index, String value) {
            tags[index] = value;
            return this;
        }

        Line field(int index, long value) {
            kind(index, INTEGER);
            values[index] = value;
            set |= 1L << index;
            return this;
        }

        Line field(int index, double value) {
            kind(index, DOUBLE);
            values[index] = Double.doubleToRawLongBits(value);
            set |= 1L << index;
            return this;
        }

        private void kind(int index, byte kind) {
            if (fieldKinds[index] != kind) {
                throw new IllegalArgumentException("field " + fieldPrefixes[index] + " is not of kind " + kind);
            }
        }

        /** The line with its timestamp in ms; empty when no field has a value. */
        String toLine(long timeMs) {
            StringBuilder b = BUILDER.get();
            if (b.capacity() > KEPT_BUILDER_CHARS) {
                b = new StringBuilder(512); // grown by a line of unusually long values: not kept for good
                BUILDER.set(b);
            }
            b.setLength(0);
            b.append(head);
            for (int i : tagOrder) {
                String value = tags[i];
                if (value != null && !value.isEmpty()) {
                    LineProtocol.escapeKey(b.append(tagPrefixes[i]), value, true);
                }
            }
            b.append(' ');
            boolean any = false;
            for (int i : fieldOrder) {
                if ((set & (1L << i)) == 0) {
                    continue;
                }
                boolean integer = fieldKinds[i] == INTEGER;
                double d = integer ? 0 : Double.longBitsToDouble(values[i]);
                if (!integer && !Double.isFinite(d)) {
                    continue;
                }
                if (any) {
                    b.append(',');
                }
                any = true;
                b.append(fieldPrefixes[i]);
                if (integer) {
                    b.append(values[i]).append('i');
                } else {
                    LineProtocol.appendDouble(b, d);
                }
            }
            return any ? b.append(' ').append(timeMs).toString() : "";
        }
    }
}
