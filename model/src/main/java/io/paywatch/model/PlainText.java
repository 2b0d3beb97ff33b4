package io.paywatch.model;

/**
 * The contract's "identifiers are plain text" (section 1): what an identifier may not contain,
 * and how text that may hold such characters (the free-text {@code message}, anything read
 * back from outside) is made visible instead of acted on by a terminal or a line reader.
 */
public final class PlainText {
    private PlainText() {}

    /**
     * Control characters (U+0000–U+001F, U+007F–U+009F) and the Unicode line and paragraph
     * separators (U+2028, U+2029): what splits a log line, a line-protocol line or a JSON line
     * read by a JavaScript reader, or drives a terminal (ESC).
     */
    public static boolean isForbidden(char c) {
        return c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == '\u2028' || c == '\u2029';
    }

    /** The index of the first forbidden character, or -1. */
    public static int firstForbidden(CharSequence s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            if (isForbidden(s.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Why an identifier's {@code value} is not plain text, or null when it is: "contains a control
     * character (U+000A) at position 5" (the caller names the field).
     */
    public static String identifierProblem(String value) {
        int at = value == null ? -1 : firstForbidden(value);
        if (at < 0) {
            return null;
        }
        char c = value.charAt(at);
        return String.format(java.util.Locale.ROOT, "contains %s (U+%04X) at position %d",
                c == '\u2028' || c == '\u2029' ? "a line separator" : "a control character", (int) c, at + 1);
    }

    /**
     * Invisible format characters (Unicode category Cf): the bidirectional overrides and isolates
     * (U+202A–U+202E, U+2066–U+2069), zero-width spaces and joiners, U+FEFF. Valid in an
     * identifier, but on a screen {@code m\u202E]DEVLOSER[} reads as "[RESOLVED]": shown to
     * people, they are written out too.
     */
    public static boolean isInvisibleFormat(char c) {
        return c >= 0x00AD && Character.getType(c) == Character.FORMAT;
    }

    private static boolean needsEscape(String s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (isForbidden(c) || isInvisibleFormat(c)) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@code s} for people to read: each forbidden or invisible format character written as
     * {@code \}{@code uXXXX}: one visible line, in the order it was written, whatever it held. The
     * same string when it holds neither (no copy).
     */
    public static String visible(String s) {
        if (s == null || !needsEscape(s)) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (isForbidden(c) || isInvisibleFormat(c)) {
                b.append(String.format(java.util.Locale.ROOT, "\\u%04X", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
