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
 * receiver will not change its mind). Bounded either by a number of attempts or, to ride out a
 * receiver's outage, by how long a page keeps being retried ({@code --webhook-retry-for}).
 */
public final class RetryPolicy implements Serializable {
    private static final long serialVersionUID = 1L;

    public final int maxAttempts;
    public final long baseDelayMs;
    public final long maxDelayMs;
    /** When positive: retry for this long after the first attempt, however many attempts. */
    public final long retryForMs;

    public RetryPolicy(int maxAttempts, long baseDelayMs, long maxDelayMs) {
        this(maxAttempts, baseDelayMs, maxDelayMs, 0);
    }

    private RetryPolicy(int maxAttempts, long baseDelayMs, long maxDelayMs, long retryForMs) {
        this.maxAttempts = maxAttempts;
        this.baseDelayMs = baseDelayMs;
        this.maxDelayMs = maxDelayMs;
        this.retryForMs = retryForMs;
    }

    /** Six attempts over about 15 s. */
    public static RetryPolicy defaults() {
        return new RetryPolicy(6, 500, 30_000);
    }

    /** Retries for {@code retryForMs} after the first attempt, backing off up to {@code maxDelayMs}. */
    public static RetryPolicy retryFor(long retryForMs, long baseDelayMs, long maxDelayMs) {
        if (retryForMs <= 0) {
            throw new IllegalArgumentException("the retry period must be positive");
        }
        return new RetryPolicy(Integer.MAX_VALUE, baseDelayMs, maxDelayMs, retryForMs);
    }

    /** Whether a retriable failure of attempt {@code attempt}, {@code elapsedMs} after the first, gets another. */
    public boolean again(int attempt, long elapsedMs) {
        return retryForMs > 0 ? elapsedMs < retryForMs : attempt < maxAttempts;
    }

    /** Whether an HTTP status is worth another attempt. */
    public static boolean retriable(int status) {
        return status >= 500 || status == 408 || status == 429;
    }

    /** For the logs: "for up to 10m" or "up to 6 attempts". */
    public String describe() {
        return retryForMs > 0 ? "for up to " + java.time.Duration.ofMillis(retryForMs).toString()
                .substring(2).toLowerCase(java.util.Locale.ROOT) : "up to " + maxAttempts + " attempts";
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
        if (retryForMs > 0) {
            // the last attempt may start just before the period ends, after the longest delay
            return retryForMs + maxDelayMs + perAttemptTimeoutMs;
        }
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
