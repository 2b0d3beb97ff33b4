package io.paywatch.model;

/** Parses the contract's duration syntax: {@code 500ms}, {@code 10s}, {@code 5m}, {@code 1h}. */
public final class Durations {
    private Durations() {}

    public static long parseMillis(String text) {
        String s = text.strip();
        long unit;
        String number;
        if (s.endsWith("ms")) {
            unit = 1;
            number = s.substring(0, s.length() - 2);
        } else if (s.endsWith("s")) {
            unit = 1_000;
            number = s.substring(0, s.length() - 1);
        } else if (s.endsWith("m")) {
            unit = 60_000;
            number = s.substring(0, s.length() - 1);
        } else if (s.endsWith("h")) {
            unit = 3_600_000;
            number = s.substring(0, s.length() - 1);
        } else if (s.endsWith("d")) {
            unit = 86_400_000;
            number = s.substring(0, s.length() - 1);
        } else {
            throw new IllegalArgumentException(
                    "'" + text + "' is not a duration (write 500ms, 10s, 5m or 1h)");
        }
        if (number.isEmpty() || !number.chars().allMatch(Character::isDigit) || number.length() > 12) {
            throw new IllegalArgumentException(
                    "'" + text + "' is not a duration (write 500ms, 10s, 5m or 1h)");
        }
        return Long.parseLong(number) * unit;
    }

    /** The shortest exact rendering: 300000 → {@code 5m}, 10000 → {@code 10s}. */
    public static String format(long millis) {
        if (millis % 3_600_000 == 0 && millis > 0) {
            return millis / 3_600_000 + "h";
        }
        if (millis % 60_000 == 0 && millis > 0) {
            return millis / 60_000 + "m";
        }
        if (millis % 1_000 == 0 && millis > 0) {
            return millis / 1_000 + "s";
        }
        return millis + "ms";
    }
}
