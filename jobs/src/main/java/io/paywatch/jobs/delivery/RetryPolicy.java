package io.paywatch.jobs.delivery;

import java.io.Serializable;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * When to try a webhook again: on 5xx, 408, 429, timeouts and connection errors, with
 * exponential backoff and full jitter, honouring {@code Retry-After}; never on other 4xx (the
 * receiver will not change its mind).
 */
public final class RetryPolicy implements Serializable {
    private static final long serialVersionUID = 1L;

    public final int maxAttempts;
    public final long baseDelayMs;
    public final long maxDelayMs;

    public RetryPolicy(int maxAttempts, long baseDelayMs, long maxDelayMs) {
        this.maxAttempts = maxAttempts;
        this.baseDelayMs = baseDelayMs;
        this.maxDelayMs = maxDelayMs;
    }

    public static RetryPolicy defaults() {
        return new RetryPolicy(6, 500, 30_000);
    }

    /** Whether an HTTP status is worth another attempt. */
    public static boolean retriable(int status) {
        return status >= 500 || status == 408 || status == 429;
    }

    /** Delay before attempt {@code attempt + 1} (attempt counts from 1). */
    public long delayMs(int attempt, Optional<String> retryAfter) {
        if (retryAfter.isPresent()) {
            long ra = parseRetryAfter(retryAfter.get());
            if (ra >= 0) {
                return Math.min(ra, maxDelayMs);
            }
        }
        long exp = Math.min(maxDelayMs, baseDelayMs << Math.min(20, attempt - 1));
        return ThreadLocalRandom.current().nextLong(exp / 2, exp + 1);
    }

    /** The upper bound of the time all attempts can take, for the async operator's timeout. */
    public long budgetMs(long perAttemptTimeoutMs) {
        long total = 0;
        for (int i = 1; i < maxAttempts; i++) {
            total += Math.min(maxDelayMs, baseDelayMs << Math.min(20, i - 1));
        }
        return total + maxAttempts * perAttemptTimeoutMs;
    }

    static long parseRetryAfter(String value) {
        String v = value.strip();
        if (!v.isEmpty() && v.chars().allMatch(Character::isDigit) && v.length() < 7) {
            return Long.parseLong(v) * 1000;
        }
        try {
            ZonedDateTime t = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
            return Math.max(0, Duration.between(ZonedDateTime.now(t.getZone()), t).toMillis());
        } catch (DateTimeParseException e) {
            return -1;
        }
    }
}
