package io.paywatch.jobs.metrics;

import java.util.HashMap;
import java.util.Map;

/**
 * A reader of line protocol as {@link MetricLines} writes it: escaped
 * commas, spaces and equals signs in the measurement and tags, quoted string fields with
 * escaped quotes and backslashes (identifiers may hold any of them). String fields are kept
 * unquoted and unescaped; other fields as written ({@code 12i}, {@code 0.25}).
 */
public final class LinePoint {
    public String measurement;
    public final Map<String, String> tags = new HashMap<>();
    public final Map<String, String> fields = new HashMap<>();
    public long time;

    /** The point, or null when the line is not line protocol. */
    public static LinePoint parse(String line) {
        LinePoint p = new LinePoint();
        int[] at = {0};
        p.measurement = token(line, at, ", ");
        if (p.measurement.isEmpty()) {
            return null;
        }
        while (at[0] < line.length() && line.charAt(at[0]) == ',') {
            at[0]++;
            String key = token(line, at, "=");
            if (at[0] >= line.length()) {
                return null;
            }
            at[0]++;
            p.tags.put(key, token(line, at, ", "));
        }
        if (at[0] >= line.length() || line.charAt(at[0]) != ' ') {
            return null;
        }
        do {
            at[0]++;
            String key = token(line, at, "=");
            if (at[0] >= line.length()) {
                return null;
            }
            at[0]++;
            String value;
            if (at[0] < line.length() && line.charAt(at[0]) == '"') {
                StringBuilder b = new StringBuilder();
                int i = at[0] + 1;
                for (; i < line.length() && line.charAt(i) != '"'; i++) {
                    char c = line.charAt(i);
                    if (c == '\\' && i + 1 < line.length()
                            && (line.charAt(i + 1) == '"' || line.charAt(i + 1) == '\\')) {
                        c = line.charAt(++i);
                    }
                    b.append(c);
                }
                if (i >= line.length()) {
                    return null;
                }
                at[0] = i + 1;
                value = b.toString();
            } else {
                value = token(line, at, ", ");
            }
            p.fields.put(key, value);
        } while (at[0] < line.length() && line.charAt(at[0]) == ',');
        if (at[0] >= line.length() || line.charAt(at[0]) != ' ') {
            return null;
        }
        try {
            p.time = Long.parseLong(line.substring(at[0] + 1));
        } catch (NumberFormatException e) {
            return null;
        }
        return p;
    }

    /** Up to the first unescaped character of {@code ends}, with its escapes removed. */
    private static String token(String line, int[] at, String ends) {
        StringBuilder b = new StringBuilder();
        int i = at[0];
        for (; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\' && i + 1 < line.length() && ",= \\".indexOf(line.charAt(i + 1)) >= 0) {
                b.append(line.charAt(++i));
            } else if (ends.indexOf(c) >= 0) {
                break;
            } else {
                b.append(c);
            }
        }
        at[0] = i;
        return b.toString();
    }

    public double num(String field) {
        String v = fields.get(field);
        if (v == null) {
            return 0;
        }
        if (v.endsWith("i")) {
            v = v.substring(0, v.length() - 1);
        }
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
