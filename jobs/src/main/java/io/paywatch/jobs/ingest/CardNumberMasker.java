package io.paywatch.jobs.ingest;

/**
 * Masks text that looks like a payment card number: 13 to 19 digits, optionally grouped by
 * single spaces or dashes, that pass the Luhn check. All digits but the last four become
 * {@code *}. Applied to every string before it reaches a dead letter, an alert, a log line or
 * InfluxDB (contract section 1).
 */
public final class CardNumberMasker {
    private static final int MIN_DIGITS = 13;
    private static final int MAX_DIGITS = 19;

    private CardNumberMasker() {}

    /** The text with every card-like number masked; the same instance when nothing matched. */
    public static String mask(String text) {
        if (text == null || !hasEnoughDigits(text)) {
            return text;
        }
        char[] out = null;
        int n = text.length();
        int i = 0;
        while (i < n) {
            if (!isDigit(text.charAt(i)) || (i > 0 && isDigit(text.charAt(i - 1)))) {
                i++;
                continue;
            }
            // a run of digits with single separators between digit groups
            int end = i;
            int digits = 0;
            int j = i;
            while (j < n) {
                char c = text.charAt(j);
                if (isDigit(c)) {
                    digits++;
                    j++;
                    end = j;
                } else if ((c == ' ' || c == '-') && j + 1 < n && isDigit(text.charAt(j + 1))
                        && j > i) {
                    j++;
                } else {
                    break;
                }
            }
            if (digits >= MIN_DIGITS && digits <= MAX_DIGITS) {
                out = maskCardsInRun(text, i, end, out);
            }
            i = end + 1;
        }
        return out == null ? text : new String(out);
    }

    /** Masks the digit run when it is a card number: 13–19 digits in all, Luhn-valid. */
    private static char[] maskCardsInRun(String text, int from, int to, char[] out) {
        int[] pos = new int[to - from];
        int count = 0;
        for (int k = from; k < to; k++) {
            if (isDigit(text.charAt(k))) {
                pos[count++] = k;
            }
        }
        if (count < MIN_DIGITS || count > MAX_DIGITS || !luhnValid(text, pos, 0, count)) {
            return out;
        }
        if (out == null) {
            out = text.toCharArray();
        }
        for (int k = 0; k < count - 4; k++) {
            out[pos[k]] = '*';
        }
        return out;
    }

    static boolean luhnValid(String text, int[] pos, int start, int len) {
        int sum = 0;
        boolean doubleIt = false;
        for (int k = start + len - 1; k >= start; k--) {
            int d = text.charAt(pos[k]) - '0';
            if (doubleIt) {
                d *= 2;
                if (d > 9) {
                    d -= 9;
                }
            }
            sum += d;
            doubleIt = !doubleIt;
        }
        return sum % 10 == 0;
    }

    private static boolean hasEnoughDigits(String text) {
        if (text.length() < MIN_DIGITS) {
            return false; // most ids and codes: nothing to look at
        }
        int digits = 0;
        for (int k = 0, n = text.length(); k < n; k++) {
            if (isDigit(text.charAt(k)) && ++digits >= MIN_DIGITS) {
                return true;
            }
        }
        return false;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
