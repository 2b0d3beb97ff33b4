package io.paywatch.jobs.ingest;

import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * Parses RFC 3339 timestamps with an offset ({@code 2026-11-23T10:00:00.123Z},
 * {@code 2026-11-23T18:00:03.5+08:00}) to epoch milliseconds. The common shape is parsed by hand
 * (it is on the hot path of every event); anything else goes through {@code java.time}.
 */
public final class EventTimeParser {
    private EventTimeParser() {}

    /** Epoch milliseconds, or {@link Long#MIN_VALUE} when the text is not RFC 3339 with offset. */
    public static long parseRfc3339(String s) {
        long fast = parseFast(s);
        if (fast != Long.MIN_VALUE) {
            return fast;
        }
        try {
            String normalised = s.length() > 10 && (s.charAt(10) == 't' || s.charAt(10) == ' ')
                    ? s.substring(0, 10) + 'T' + s.substring(11) : s;
            if (normalised.endsWith("z")) {
                normalised = normalised.substring(0, normalised.length() - 1) + 'Z';
            }
            return OffsetDateTime.parse(normalised, DateTimeFormatter.ISO_OFFSET_DATE_TIME)
                    .toInstant()
                    .toEpochMilli();
        } catch (DateTimeParseException | ArithmeticException e) {
            return Long.MIN_VALUE;
        }
    }

    private static long parseFast(String s) {
        int n = s.length();
        if (n < 20 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T'
                || s.charAt(13) != ':' || s.charAt(16) != ':') {
            return Long.MIN_VALUE;
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 2);
        int day = digits(s, 8, 2);
        int hour = digits(s, 11, 2);
        int minute = digits(s, 14, 2);
        int second = digits(s, 17, 2);
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)
                || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
            return Long.MIN_VALUE;
        }
        int i = 19;
        int millis = 0;
        if (i < n && s.charAt(i) == '.') {
            i++;
            int fracDigits = 0;
            while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                if (fracDigits < 3) {
                    millis = millis * 10 + (s.charAt(i) - '0');
                }
                fracDigits++;
                i++;
            }
            if (fracDigits == 0 || fracDigits > 9) {
                return Long.MIN_VALUE;
            }
            for (int k = fracDigits; k < 3; k++) {
                millis *= 10;
            }
        }
        int offsetSeconds;
        if (i == n - 1 && s.charAt(i) == 'Z') {
            offsetSeconds = 0;
        } else if (i == n - 6 && (s.charAt(i) == '+' || s.charAt(i) == '-')
                && s.charAt(i + 3) == ':') {
            int oh = digits(s, i + 1, 2);
            int om = digits(s, i + 4, 2);
            if (oh < 0 || oh > 23 || om < 0 || om > 59) {
                return Long.MIN_VALUE;
            }
            offsetSeconds = (oh * 3600 + om * 60) * (s.charAt(i) == '-' ? -1 : 1);
        } else {
            return Long.MIN_VALUE;
        }
        long epochDay = daysFromCivil(year, month, day);
        long secs = epochDay * 86_400L + hour * 3600L + minute * 60L + second - offsetSeconds;
        return secs * 1000L + millis;
    }

    private static int digits(String s, int from, int len) {
        int v = 0;
        for (int k = from; k < from + len; k++) {
            char c = s.charAt(k);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    private static int daysInMonth(int year, int month) {
        switch (month) {
            case 2:
                boolean leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
                return leap ? 29 : 28;
            case 4:
            case 6:
            case 9:
            case 11:
                return 30;
            default:
                return 31;
        }
    }

    /** Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant's algorithm). */
    static long daysFromCivil(int y, int m, int d) {
        y -= m <= 2 ? 1 : 0;
        long era = (y >= 0 ? y : y - 399) / 400;
        long yoe = y - era * 400;
        long doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
        long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146_097 + doe - 719_468;
    }
}
