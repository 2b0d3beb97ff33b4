package io.paywatch.jobs.metrics;

import java.text.NumberFormat;
import java.util.Locale;

/**
 * One line of InfluxDB line protocol, written exactly as influxdb-client-java's {@code Point}
 * writes it (tags and fields in key order, tags with an empty value left out, fields that are not
 * finite numbers left out, its escapes and its number format), without its two tree maps, boxed
 * numbers and thread-local number format per line: a rate point per key and evaluation is the
 * busiest output of the job. {@code LineProtocolTest} compares the two on random points.
 */
final class LineProtocol {
    private static final int STRING = 0;
    private static final int INTEGER = 1;
    private static final int DOUBLE = 2;

    private final String measurement;
    private String[] tagKeys = new String[8];
    private String[] tagValues = new String[8];
    private int tags;
    private String[] fieldKeys = new String[16];
    private int[] fieldKinds = new int[16];
    private long[] fieldLongs = new long[16];
    private double[] fieldDoubles = new double[16];
    private String[] fieldStrings = new String[16];
    private int fields;

    private LineProtocol(String measurement) {
        this.measurement = measurement;
    }

    static LineProtocol measurement(String name) {
        return new LineProtocol(name);
    }

    /** A tag; a later tag of the same key replaces the earlier one, as in {@code Point}. */
    LineProtocol tag(String key, String value) {
        for (int i = 0; i < tags; i++) {
            if (tagKeys[i].equals(key)) {
                tagValues[i] = value;
                return this;
            }
        }
        if (tags == tagKeys.length) {
            tagKeys = java.util.Arrays.copyOf(tagKeys, tags * 2);
            tagValues = java.util.Arrays.copyOf(tagValues, tags * 2);
        }
        tagKeys[tags] = key;
        tagValues[tags++] = value;
        return this;
    }

    LineProtocol field(String key, long value) {
        fieldLongs[slot(key, INTEGER)] = value;
        return this;
    }

    LineProtocol field(String key, double value) {
        fieldDoubles[slot(key, DOUBLE)] = value;
        return this;
    }

    /** A string field; null leaves the field out, as in {@code Point}. */
    LineProtocol field(String key, String value) {
        fieldStrings[slot(key, STRING)] = value;
        return this;
    }

    private int slot(String key, int kind) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("a field needs a name");
        }
        int i = 0;
        while (i < fields && !fieldKeys[i].equals(key)) {
            i++;
        }
        if (i == fields) {
            if (fields == fieldKeys.length) {
                int n = fields * 2;
                fieldKeys = java.util.Arrays.copyOf(fieldKeys, n);
                fieldKinds = java.util.Arrays.copyOf(fieldKinds, n);
                fieldLongs = java.util.Arrays.copyOf(fieldLongs, n);
                fieldDoubles = java.util.Arrays.copyOf(fieldDoubles, n);
                fieldStrings = java.util.Arrays.copyOf(fieldStrings, n);
            }
            fieldKeys[fields++] = key;
        }
        fieldKinds[i] = kind;
        return i;
    }

    /** The line with its timestamp in ms; empty when no field has a value (as {@code Point}). */
    String toLine(long timeMs) {
        StringBuilder b = new StringBuilder(64 + 24 * (tags + fields));
        escapeKey(b, measurement, false);
        for (int i : order(tagKeys, tags)) {
            String value = tagValues[i];
            if (tagKeys[i].isEmpty() || value == null || value.isEmpty()) {
                continue;
            }
            b.append(',');
            escapeKey(b, tagKeys[i], true);
            b.append('=');
            escapeKey(b, value, true);
        }
        b.append(' ');
        boolean any = false;
        for (int i : order(fieldKeys, fields)) {
            int kind = fieldKinds[i];
            if (kind == STRING ? fieldStrings[i] == null : kind == DOUBLE && !Double.isFinite(fieldDoubles[i])) {
                continue;
            }
            if (any) {
                b.append(',');
            }
            any = true;
            escapeKey(b, fieldKeys[i], true);
            b.append('=');
            if (kind == INTEGER) {
                b.append(fieldLongs[i]).append('i');
            } else if (kind == DOUBLE) {
                appendDouble(b, fieldDoubles[i]);
            } else {
                b.append('"');
                escapeString(b, fieldStrings[i]);
                b.append('"');
            }
        }
        if (!any) {
            return "";
        }
        return b.append(' ').append(timeMs).toString();
    }

    /** Indexes of the first {@code n} keys in their natural order (a few: insertion sort). */
    private static int[] order(String[] keys, int n) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            int j = i;
            while (j > 0 && keys[idx[j - 1]].compareTo(keys[i]) > 0) {
                idx[j] = idx[j - 1];
                j--;
            }
            idx[j] = i;
        }
        return idx;
    }

    private static final ThreadLocal<NumberFormat> WIDE_NUMBERS = ThreadLocal.withInitial(() -> {
        NumberFormat f = NumberFormat.getInstance(Locale.ENGLISH);
        f.setMaximumFractionDigits(340);
        f.setGroupingUsed(false);
        f.setMinimumFractionDigits(1);
        return f;
    });

    /** A number as written, by its bits: immutable, so a racing reader sees it whole or not at all. */
    private record Written(long bits, String text) {}

    /**
     * The numbers written last, by their bits (direct-mapped, shared by all threads): a window's
     * rate changes little from one evaluation to the next, and most keys' rates are ratios of small
     * counts, so the same numbers come back, and Java 17's {@code Double.toString} costs a
     * thread-local lookup and a digit loop each time.
     */
    private static final Written[] WRITTEN = new Written[1 << 12];

    /**
     * {@code Point}'s number format (English, no grouping, 1 to 340 fraction digits) writes the
     * digits of {@link Double#toString}; where that is plain ({@code 1e-3 ≤ |v| < 1e7}, and 0)
     * the two are the same text, and only the rest needs the format.
     */
    static void appendDouble(StringBuilder b, double v) {
        long bits = Double.doubleToRawLongBits(v);
        if (bits == 0L) {
            b.append("0.0"); // +0.0, as Double.toString writes it: the usual rate of a quiet key
            return;
        }
        int slot = (int) ((bits * 0x9E3779B97F4A7C15L) >>> 52);
        Written w = WRITTEN[slot];
        if (w == null || w.bits() != bits) {
            String s = Double.toString(v);
            w = new Written(bits, s.indexOf('E') < 0 ? s : WIDE_NUMBERS.get().format(v));
            WRITTEN[slot] = w;
        }
        b.append(w.text());
    }

    /** {@code Point}'s escape of a measurement, tag key, tag value or field key. */
    static void escapeKey(StringBuilder b, String s, boolean escapeEqual) {
        int first = 0;
        while (first < s.length() && !needsEscape(s.charAt(first), escapeEqual)) {
            first++;
        }
        // most keys and values (merchant ids, codes) have nothing to escape: one bulk append
        if (first == s.length()) {
            b.append(s);
            return;
        }
        b.append(s, 0, first);
        for (int i = first; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case ' ', ',' -> b.append('\\').append(c);
                case '=' -> {
                    if (escapeEqual) {
                        b.append('\\');
                    }
                    b.append(c);
                }
                default -> b.append(c);
            }
        }
    }

    private static boolean needsEscape(char c, boolean escapeEqual) {
        return c == '\n' || c == '\r' || c == '\t' || c == ' ' || c == ',' || (escapeEqual && c == '=');
    }

    /** {@code Point}'s escape of a string field's value: quotes and backslashes. */
    private static void escapeString(StringBuilder b, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' || c == '"') {
                b.append('\\');
            }
            b.append(c);
        }
    }
}
