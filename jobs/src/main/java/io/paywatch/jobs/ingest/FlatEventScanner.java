package io.paywatch.jobs.ingest;

import io.paywatch.model.PaymentEvent;
import java.nio.charset.StandardCharsets;

/**
 * The parser's fast path for the record producers nearly always send: one flat JSON object of
 * printable ASCII, no escapes, every field the parser reads of the right type and valid on its
 * own. It reads such a record in one pass over its bytes, without Jackson's per-record set-up
 * (encoding detection, a buffer and a name table per record), which was a tenth of the parse
 * task, nor its token objects.
 *
 * <p>It decides nothing: on anything else — an escape, a byte outside printable ASCII, a nested
 * value, a decimal or negative number, a leading zero, a duplicate or over-long name, a field
 * the parser would reject, trailing text — {@link #scan} returns null and {@link EventParser}
 * parses the record with Jackson, which words every rejection as before. What the scanner
 * accepts, Jackson reads to the same fields ({@code EventParserFastPathTest} compares the two on
 * every record of the hostile and realistic inputs and on every one-byte change of valid ones).
 *
 * <p>Producers write their fields in one order, so each name is first matched in place against
 * the field that followed the previous one (no scan for its closing quote, then a lookup), and
 * {@code kind} and {@code status} come back as constants (their lookups downstream hash them
 * once): together a sixth of the parse (docs/performance.md).
 *
 * <p>One instance per thread: it keeps the last record's {@code kind} and {@code status}.
 */
final class FlatEventScanner {
    /** Unknown names are compared with each other for duplicates; past this many, Jackson reads. */
    private static final int MAX_UNKNOWN_FIELDS = 8;
    /** Longer names go to Jackson, whose name limit words the rejection. */
    private static final int MAX_NAME_BYTES = 128;
    /** 18 digits always fit a long (Jackson's INT or LONG). */
    private static final int MAX_DIGITS = 18;
    private static final int MAX = Integer.MAX_VALUE;
    /** The values of {@code kind} and {@code status} the parser accepts, returned as these constants. */
    private static final String[] KINDS = java.util.Arrays.stream(io.paywatch.model.EventKind.values())
            .map(io.paywatch.model.EventKind::wireName).toArray(String[]::new);
    private static final String[] STATUSES = {"succeeded", "failed"};
    private static final byte[][] KIND_BYTES = ascii(KINDS);
    private static final byte[][] STATUS_BYTES = ascii(STATUSES);

    private static final byte[][] NAMES = {
        ascii("event_id"), ascii("event_time"), ascii("kind"), ascii("payment_id"),
        ascii("order_id"), ascii("merchant_id"), ascii("channel"), ascii("status"), ascii("code"),
        ascii("message"), ascii("amount_minor"), ascii("currency"), ascii("user_id"),
        ascii("card_fingerprint"), ascii("device_id"), ascii("latency_ms"),
    };
    private static final int EVENT_ID = 0, EVENT_TIME = 1, KIND = 2, PAYMENT_ID = 3, ORDER_ID = 4,
            MERCHANT_ID = 5, CHANNEL = 6, STATUS = 7, CODE = 8, MESSAGE = 9, AMOUNT_MINOR = 10,
            CURRENCY = 11, USER_ID = 12, CARD_FINGERPRINT = 13, DEVICE_ID = 14, LATENCY_MS = 15;

    /**
     * Each string field's length bounds, as {@link EventParser} checks them (kind and status are
     * checked by value, after the record).
     */
    private static final int[] MIN_LENGTH = {1, 0, 0, 1, 1, 1, 1, 0, 1, 0, 0, 3, 0, 0, 0, 0};
    private static final int[] MAX_LENGTH = {128, 0, MAX, 128, 128, 128, 64, MAX, 16, 512, 0, 3,
        128, 128, 128, 0};

    /** The last accepted record's {@code kind} and {@code status} as written (null when absent). */
    String kind;
    String status;

    private byte[] b;
    private int pos;
    /** The first byte of the last string read; it ends at {@code pos - 1}, its closing quote. */
    private int start;
    private long number;
    /** Where {@link #knownField} starts looking: after the last known field read. */
    private int nextField;
    private final int[] unknownStarts = new int[MAX_UNKNOWN_FIELDS];
    private final int[] unknownEnds = new int[MAX_UNKNOWN_FIELDS];
    /**
     * By field: whether the parser's projection drops it after validation, which asks of it only
     * that it is there. Such a field is checked as any other but set to {@link #DROPPED} (or 0),
     * not to a new string (or a boxed number): a rates-only job then makes four strings per
     * payment instead of nine.
     */
    private final boolean[] dropped;

    /** What a field the projection drops is set to: it was there and valid. */
    static final String DROPPED = "";

    FlatEventScanner() {
        this(EventProjection.ALL);
    }

    /** A scanner for a parser whose valid events keep only the fields of {@code projection}. */
    FlatEventScanner(EventProjection projection) {
        dropped = droppedBy(projection);
    }

    /** The fields {@code projection} leaves null, found by applying it to an event that has them all. */
    private static boolean[] droppedBy(EventProjection projection) {
        PaymentEvent probe = new PaymentEvent();
        probe.eventId = probe.paymentId = probe.orderId = probe.merchantId = probe.channel = probe.code = "x";
        probe.message = probe.currency = probe.userId = probe.cardFingerprint = probe.deviceId = "x";
        probe.amountMinor = 1L;
        probe.latencyMs = 1L;
        projection.apply(probe);
        boolean[] d = new boolean[NAMES.length];
        d[EVENT_ID] = probe.eventId == null;
        d[PAYMENT_ID] = probe.paymentId == null;
        d[ORDER_ID] = probe.orderId == null;
        d[MERCHANT_ID] = probe.merchantId == null;
        d[CHANNEL] = probe.channel == null;
        d[CODE] = probe.code == null;
        d[MESSAGE] = probe.message == null;
        d[CURRENCY] = probe.currency == null;
        d[USER_ID] = probe.userId == null;
        d[CARD_FINGERPRINT] = probe.cardFingerprint == null;
        d[DEVICE_ID] = probe.deviceId == null;
        d[AMOUNT_MINOR] = probe.amountMinor == null;
        d[LATENCY_MS] = probe.latencyMs == null;
        return d;
    }

    /** The record's event (not yet validated as a whole), or null when Jackson must read it. */
    PaymentEvent scan(byte[] bytes) {
        b = bytes;
        pos = 0;
        kind = null;
        status = null;
        if (skipWhitespace() != '{') {
            return null;
        }
        pos++;
        PaymentEvent e = new PaymentEvent();
        e.eventTime = Long.MIN_VALUE;
        int c = skipWhitespace();
        if (c == '}') {
            pos++;
            return atEnd() ? e : null;
        }
        int seen = 0;
        int unknown = 0;
        while (true) {
            if (c != '"') {
                return null;
            }
            // the name the producer writes next, matched in place: no scan for its closing quote
            int field = expectedField();
            int nameStart;
            int nameEnd;
            if (field >= 0) {
                nameStart = pos + 1;
                nameEnd = nameStart + NAMES[field].length;
                pos = nameEnd + 1;
            } else {
                if (!readString()) {
                    return null;
                }
                nameStart = start;
                nameEnd = pos - 1;
            }
            if (nameEnd - nameStart > MAX_NAME_BYTES || skipWhitespace() != ':') {
                return null;
            }
            pos++;
            c = skipWhitespace();
            if (field < 0) {
                field = knownField(nameStart, nameEnd);
            }
            if (field >= 0) {
                if ((seen & (1 << field)) != 0 || !readField(e, field, c)) {
                    return null;
                }
                seen |= 1 << field;
            } else {
                if (unknown == MAX_UNKNOWN_FIELDS || isDuplicate(nameStart, nameEnd, unknown)
                        || !skipScalar(c)) {
                    return null;
                }
                unknownStarts[unknown] = nameStart;
                unknownEnds[unknown] = nameEnd;
                unknown++;
            }
            c = skipWhitespace();
            if (c == '}') {
                pos++;
                return atEnd() ? e : null;
            }
            if (c != ',') {
                return null;
            }
            pos++;
            c = skipWhitespace();
        }
    }

    /** Reads one known field's value into {@code e}; false when it is not one the parser accepts as is. */
    private boolean readField(PaymentEvent e, int field, int c) {
        if (field == EVENT_TIME) {
            if (c == '"') {
                if (!readString()) {
                    return false;
                }
                e.eventTime = EventTimeParser.parseRfc3339(text());
                return e.eventTime != Long.MIN_VALUE;
            }
            if (!readWholeNumber(c)) {
                return false;
            }
            e.eventTime = number;
            return true;
        }
        if (field == AMOUNT_MINOR || field == LATENCY_MS) {
            if (!readWholeNumber(c)) {
                return false;
            }
            Long value = dropped[field] ? Long.valueOf(0) : Long.valueOf(number); // 0 is a cached box
            if (field == AMOUNT_MINOR) {
                e.amountMinor = value;
            } else {
                e.latencyMs = value;
            }
            return true;
        }
        if (c != '"' || !readString()) {
            return false;
        }
        int length = pos - 1 - start;
        if (length < MIN_LENGTH[field] || length > MAX_LENGTH[field]) {
            return false;
        }
        if (field == KIND) {
            kind = constant(KINDS, KIND_BYTES);
            return true;
        }
        if (field == STATUS) {
            status = constant(STATUSES, STATUS_BYTES);
            return true;
        }
        String value = dropped[field] ? DROPPED : text();
        switch (field) {
            case MESSAGE: e.message = value; break;
            case CURRENCY:
                for (int i = start; i < start + 3; i++) {
                    if (b[i] < 'A' || b[i] > 'Z') {
                        return false;
                    }
                }
                e.currency = value;
                break;
            case EVENT_ID: e.eventId = value; break;
            case PAYMENT_ID: e.paymentId = value; break;
            case ORDER_ID: e.orderId = value; break;
            case MERCHANT_ID: e.merchantId = value; break;
            case CHANNEL: e.channel = value; break;
            case CODE: e.code = value; break;
            case USER_ID: e.userId = value; break;
            case CARD_FINGERPRINT: e.cardFingerprint = value; break;
            case DEVICE_ID: e.deviceId = value; break;
            default: return false;
        }
        return true;
    }

    /**
     * Reads a string whose opening quote is at {@code pos}: true when it holds only printable
     * ASCII without a backslash (nothing to decode, no character an identifier forbids), with
     * {@link #start} at its first byte and {@code pos} past its closing quote.
     */
    private boolean readString() {
        int i = pos + 1;
        start = i;
        byte[] b = this.b;
        for (int n = b.length; i < n; i++) {
            byte x = b[i];
            if (x == '"') {
                pos = i + 1;
                return true;
            }
            if (x < 0x20 || x >= 0x7F || x == '\\') { // bytes >= 0x80 are negative
                return false;
            }
        }
        return false;
    }

    /** A non-negative whole number of at most 18 digits without a leading zero, ended by a delimiter. */
    private boolean readWholeNumber(int c) {
        if (c < '0' || c > '9') {
            return false;
        }
        int i = pos;
        long v = 0;
        int n = b.length;
        while (i < n && b[i] >= '0' && b[i] <= '9') {
            v = v * 10 + (b[i] - '0');
            i++;
        }
        int digits = i - pos;
        if (digits > MAX_DIGITS || (digits > 1 && c == '0') || !isDelimiter(i)) {
            return false;
        }
        number = v;
        pos = i;
        return true;
    }

    /** Skips an unknown field's value when it is a plain string, a whole number, true, false or null. */
    private boolean skipScalar(int c) {
        if (c == '"') {
            return readString();
        }
        if (c >= '0' && c <= '9') {
            return readWholeNumber(c);
        }
        return skipLiteral("true") || skipLiteral("false") || skipLiteral("null");
    }

    private boolean skipLiteral(String word) {
        int n = word.length();
        if (pos + n > b.length) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (b[pos + i] != word.charAt(i)) {
                return false;
            }
        }
        if (!isDelimiter(pos + n)) {
            return false;
        }
        pos += n;
        return true;
    }

    /** Whitespace, a comma or a closing brace (or the end, which the caller then rejects). */
    private boolean isDelimiter(int i) {
        if (i >= b.length) {
            return true;
        }
        byte x = b[i];
        return x == ',' || x == '}' || x == ' ' || x == '\t' || x == '\n' || x == '\r';
    }

    /** Skips JSON whitespace and returns the byte there, or -1 at the end. */
    private int skipWhitespace() {
        byte[] b = this.b;
        int i = pos;
        while (i < b.length) {
            byte x = b[i];
            if (x != ' ' && x != '\t' && x != '\n' && x != '\r') {
                pos = i;
                return x & 0xFF; // byte 0xFF is not the end
            }
            i++;
        }
        pos = i;
        return -1;
    }

    private boolean atEnd() {
        return skipWhitespace() == -1;
    }

    private boolean isDuplicate(int from, int to, int count) {
        for (int k = 0; k < count; k++) {
            if (java.util.Arrays.equals(b, from, to, b, unknownStarts[k], unknownEnds[k])) {
                return true;
            }
        }
        return false;
    }

    /**
     * The field after the last one read ({@link #nextField}) when its name, then a closing quote,
     * follows the opening quote at {@code pos}; else -1 (the name is read and looked up as any
     * other). A known name is printable ASCII without escapes, so matching its bytes is the check
     * {@link #readString} would have made.
     */
    private int expectedField() {
        byte[] name = NAMES[nextField];
        int from = pos + 1;
        int end = from + name.length;
        if (end >= b.length || b[end] != '"' || !java.util.Arrays.equals(b, from, end, name, 0, name.length)) {
            return -1;
        }
        int f = nextField;
        nextField = f + 1 == NAMES.length ? 0 : f + 1;
        return f;
    }

    /**
     * The field a name stands for, or -1. Producers write their fields in one order, so the
     * search starts after the previous record's field: usually one comparison.
     */
    private int knownField(int from, int to) {
        int length = to - from;
        for (int k = 0, n = NAMES.length; k < n; k++) {
            int f = nextField + k;
            if (f >= n) {
                f -= n;
            }
            byte[] name = NAMES[f];
            if (name.length == length && sameBytes(name, from)) {
                nextField = f + 1 == n ? 0 : f + 1;
                return f;
            }
        }
        return -1;
    }

    private boolean sameBytes(byte[] name, int from) {
        byte[] b = this.b;
        for (int i = 0; i < name.length; i++) {
            if (b[from + i] != name[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * The last string read as the one of {@code values} with its bytes (a constant, whose hash the
     * parser's lookup of it computes only once), or as new text.
     */
    private String constant(String[] values, byte[][] bytes) {
        for (int i = 0; i < values.length; i++) {
            if (java.util.Arrays.equals(b, start, pos - 1, bytes[i], 0, bytes[i].length)) {
                return values[i];
            }
        }
        return text();
    }

    /** The last string read; printable ASCII, so Latin-1 decodes it as UTF-8 would. */
    private String text() {
        return new String(b, start, pos - 1 - start, StandardCharsets.ISO_8859_1);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[][] ascii(String[] values) {
        byte[][] bytes = new byte[values.length][];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = ascii(values[i]);
        }
        return bytes;
    }
}
