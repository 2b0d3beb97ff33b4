package io.paywatch.model;

import java.time.Instant;
import java.time.format.DateTimeFormatter;

/** Event-time formatting shared by alerts, dead letters and the console. */
public final class Timestamps {
    private Timestamps() {}

    /** RFC 3339 in UTC with milliseconds, e.g. {@code 2026-11-23T10:00:00.120Z}. */
    public static String rfc3339(long epochMillis) {
        return DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochMilli(epochMillis));
    }
}
