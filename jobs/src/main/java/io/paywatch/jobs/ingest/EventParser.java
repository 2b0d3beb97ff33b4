package io.paywatch.jobs.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import io.paywatch.model.EventKind;
import io.paywatch.model.PaymentEvent;
import io.paywatch.model.PlainText;
import io.paywatch.model.ReturnCodeCatalog;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Parses and validates one payment event against the contract (payment-event.schema.json) with
 * a streaming JSON parser: no tree, one pass, unknown fields skipped. Never throws on bad
 * input: every problem becomes a {@link DeadLetter} with a reason naming the field.
 *
 * <p>Records of bytes (Kafka, files) first go to {@link FlatEventScanner}, which reads the usual
 * record — flat, printable ASCII, every field valid — without Jackson and declines everything
 * else; what it declines is parsed here as before, so every dead letter reads as it did.
 */
public final class EventParser {
    /** Records above this size (characters, or bytes from Kafka and files) are rejected unread; real events are well under 2 KiB. */
    public static final int MAX_RECORD_CHARS = 64 * 1024;

    // duplicate names are found by the parser itself (a bit per known field), not by Jackson's
    // STRICT_DUPLICATE_DETECTION, which fills a HashSet of every name of every record
    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(32)
                    .maxNumberLength(64)
                    .maxStringLength(MAX_RECORD_CHARS)
                    .build())
            .build();

    private final ReturnCodeCatalog catalog;
    /** Null when every record goes through Jackson (the fast path's comparison tests). */
    private final FlatEventScanner fastPath;
    /** The fields a valid event keeps. */
    private final EventProjection projection;

    /** A parser for one thread (its fast path keeps the record being read). */
    public EventParser(ReturnCodeCatalog catalog) {
        this(catalog, EventProjection.ALL);
    }

    /** A parser whose valid events keep only the fields of {@code projection}. */
    public EventParser(ReturnCodeCatalog catalog, EventProjection projection) {
        this(catalog, true, projection);
    }

    EventParser(ReturnCodeCatalog catalog, boolean fastPath) {
        this(catalog, fastPath, EventProjection.ALL);
    }

    EventParser(ReturnCodeCatalog catalog, boolean fastPath, EventProjection projection) {
        this.catalog = catalog;
        this.fastPath = fastPath ? new FlatEventScanner(projection) : null;
        this.projection = projection;
    }

    public ParsedRecord parse(byte[] bytes, String source, int partition) {
        if (bytes.length > MAX_RECORD_CHARS) {
            return tooLarge(new String(bytes, 0, 256, StandardCharsets.UTF_8), bytes.length, source,
                    partition);
        }
        if (fastPath != null) {
            PaymentEvent e = fastPath.scan(bytes);
            if (e != null) {
                return validate(e, fastPath.kind, fastPath.status, null, bytes, source, partition);
            }
        }
        try (JsonParser p = JSON.createParser(bytes)) {
            return parse(p, null, bytes, source, partition);
        } catch (IOException e) {
            return invalidJson(e, new String(bytes, StandardCharsets.UTF_8), source, partition);
        }
    }

    public ParsedRecord parse(String text, String source, int partition) {
        if (text.length() > MAX_RECORD_CHARS) {
            return tooLarge(text.substring(0, 256), text.length(), source, partition);
        }
        try (JsonParser p = JSON.createParser(text)) {
            return parse(p, text, null, source, partition);
        } catch (IOException e) {
            return invalidJson(e, text, source, partition);
        }
    }

    private ParsedRecord parse(JsonParser p, String text, byte[] bytes, String source, int partition)
            throws IOException {
        JsonToken first = p.nextToken();
        if (first == null) {
            return reject(Rejection.INVALID_JSON, null, "empty record", text, bytes, source, partition);
        }
        if (first != JsonToken.START_OBJECT) {
            skip(p, first);
            return reject(Rejection.NOT_AN_OBJECT, null,
                    "expected a JSON object, got " + describe(first), text, bytes, source, partition);
        }
        PaymentEvent e = new PaymentEvent();
        e.eventTime = Long.MIN_VALUE;
        String kind = null;
        String status = null;
        String badField = null;
        Rejection badReason = null;
        String badDetail = null;

        JsonToken t;
        int seen = 0;
        java.util.Set<String> unknownSeen = null;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            int bit = knownFieldBit(name);
            if (bit != 0) {
                if ((seen & bit) != 0) {
                    throw duplicate(p, name);
                }
                seen |= bit;
            } else {
                if (unknownSeen == null) {
                    unknownSeen = new java.util.HashSet<>();
                }
                if (!unknownSeen.add(name)) {
                    throw duplicate(p, name);
                }
            }
            JsonToken v = p.nextToken();
            if (badReason != null) {
                skip(p, v);
                continue;
            }
            String problem = null;
            switch (name) {
                case "event_id":
                    e.eventId = string(p, v, 1, 128);
                    problem = identifierProblem(p, v, 1, 128, e.eventId);
                    break;
                case "event_time":
                    if (v == JsonToken.VALUE_NUMBER_INT) {
                        if (p.getNumberType() != JsonParser.NumberType.LONG
                                && p.getNumberType() != JsonParser.NumberType.INT) {
                            badReason = Rejection.INVALID_EVENT_TIME;
                            badDetail = "event_time " + p.getText() + " is out of range";
                        } else if (p.getLongValue() < 0) {
                            badReason = Rejection.INVALID_EVENT_TIME;
                            badDetail = "event_time must not be negative";
                        } else {
                            e.eventTime = p.getLongValue();
                        }
                    } else if (v == JsonToken.VALUE_STRING) {
                        long ms = EventTimeParser.parseRfc3339(p.getText());
                        if (ms == Long.MIN_VALUE) {
                            badReason = Rejection.INVALID_EVENT_TIME;
                            badDetail = "event_time '" + abbreviate(p.getText())
                                    + "' is not RFC 3339 with an offset";
                        } else {
                            e.eventTime = ms;
                        }
                    } else {
                        badReason = Rejection.WRONG_TYPE;
                        badDetail = "event_time must be an RFC 3339 string or epoch milliseconds, got "
                                + describe(v);
                        skip(p, v);
                    }
                    if (badReason != null) {
                        badField = name;
                    }
                    continue;
                case "kind":
                    kind = string(p, v, 1, 16);
                    problem = v == JsonToken.VALUE_STRING ? null : "must be a string, got " + describe(v);
                    break;
                case "payment_id":
                    e.paymentId = string(p, v, 1, 128);
                    problem = identifierProblem(p, v, 1, 128, e.paymentId);
                    break;
                case "order_id":
                    e.orderId = string(p, v, 1, 128);
                    problem = identifierProblem(p, v, 1, 128, e.orderId);
                    break;
                case "merchant_id":
                    e.merchantId = string(p, v, 1, 128);
                    problem = identifierProblem(p, v, 1, 128, e.merchantId);
                    break;
                case "channel":
                    e.channel = string(p, v, 1, 64);
                    problem = identifierProblem(p, v, 1, 64, e.channel);
                    break;
                case "status":
                    status = string(p, v, 1, 16);
                    problem = v == JsonToken.VALUE_STRING ? null : "must be a string, got " + describe(v);
                    break;
                case "code":
                    e.code = string(p, v, 1, 16);
                    problem = identifierProblem(p, v, 1, 16, e.code);
                    break;
                case "message":
                    e.message = string(p, v, 0, 512);
                    problem = stringProblem(p, v, 0, 512);
                    break;
                case "amount_minor":
                    problem = nonNegativeLongProblem(p, v);
                    if (problem == null) {
                        e.amountMinor = p.getLongValue();
                    }
                    break;
                case "currency":
                    e.currency = string(p, v, 3, 3);
                    problem = stringProblem(p, v, 3, 3);
                    if (problem == null && !isCurrency(e.currency)) {
                        problem = "must be three capital letters (ISO 4217), got '"
                                + abbreviate(e.currency) + "'";
                    }
                    break;
                case "user_id":
                    e.userId = string(p, v, 0, 128);
                    problem = identifierProblem(p, v, 0, 128, e.userId);
                    break;
                case "card_fingerprint":
                    e.cardFingerprint = string(p, v, 0, 128);
                    problem = identifierProblem(p, v, 0, 128, e.cardFingerprint);
                    break;
                case "device_id":
                    e.deviceId = string(p, v, 0, 128);
                    problem = identifierProblem(p, v, 0, 128, e.deviceId);
                    break;
                case "latency_ms":
                    problem = nonNegativeLongProblem(p, v);
                    if (problem == null) {
                        e.latencyMs = p.getLongValue();
                    }
                    break;
                default:
                    // unknown fields are allowed (producers may add fields)
                    skip(p, v);
                    continue;
            }
            if (problem != null) {
                badField = name;
                badReason = problem.startsWith("must be a") && !problem.contains("letters")
                        ? Rejection.WRONG_TYPE : Rejection.INVALID_VALUE;
                badDetail = name + " " + problem;
                skip(p, v);
            }
        }
        if (t != JsonToken.END_OBJECT) {
            return reject(Rejection.INVALID_JSON, null, "unexpected " + describe(t), text, bytes,
                    source, partition);
        }
        JsonToken trailing = p.nextToken();
        if (trailing != null) {
            return reject(Rejection.INVALID_JSON, null,
                    "unexpected " + describe(trailing) + " after the object", text, bytes, source,
                    partition);
        }
        if (badReason != null) {
            return reject(badReason, badField, badDetail, text, bytes, source, partition);
        }
        return validate(e, kind, status, text, bytes, source, partition);
    }

    private ParsedRecord validate(PaymentEvent e, String kind, String status, String text,
            byte[] bytes, String source, int partition) {
        String missing = e.eventId == null ? "event_id"
                : e.eventTime == Long.MIN_VALUE ? "event_time"
                : kind == null ? "kind"
                : e.paymentId == null ? "payment_id"
                : e.orderId == null ? "order_id"
                : e.merchantId == null ? "merchant_id"
                : e.channel == null ? "channel"
                : null;
        if (missing != null) {
            return reject(Rejection.MISSING_FIELD, missing, missing + " is required", text, bytes,
                    source, partition);
        }
        e.kind = EventKind.fromWire(kind);
        if (e.kind == null) {
            return reject(Rejection.INVALID_VALUE, "kind", "kind '" + abbreviate(kind)
                    + "' is not one of payment, charge, fulfilment, refund", text, bytes, source,
                    partition);
        }
        if (status != null && !status.equals("succeeded") && !status.equals("failed")) {
            return reject(Rejection.INVALID_VALUE, "status", "status '" + abbreviate(status)
                    + "' is not one of succeeded, failed", text, bytes, source, partition);
        }
        e.failed = "failed".equals(status);
        String conditional = null;
        if (e.kind == EventKind.PAYMENT) {
            conditional = status == null ? "status"
                    : e.amountMinor == null ? "amount_minor"
                    : e.currency == null ? "currency" : null;
        } else if (e.kind == EventKind.CHARGE || e.kind == EventKind.REFUND) {
            conditional = e.amountMinor == null ? "amount_minor"
                    : e.currency == null ? "currency" : null;
        }
        if (conditional == null && e.failed && e.code == null) {
            conditional = "code";
        }
        if (conditional != null) {
            return reject(Rejection.MISSING_FIELD, conditional, conditional + " is required for "
                    + (conditional.equals("code") ? "a failed payment" : "kind " + kind), text,
                    bytes, source, partition);
        }
        if (e.failed) {
            e.category = catalog.categoryOf(e.code);
        }
        // dropped before masking: a field nobody reads is not searched for card numbers
        maskStrings(projection.apply(e));
        return ParsedRecord.valid(e, partition);
    }

    /** Card numbers never travel further than the parser, whatever field they hide in. */
    private static void maskStrings(PaymentEvent e) {
        e.eventId = CardNumberMasker.mask(e.eventId);
        e.paymentId = CardNumberMasker.mask(e.paymentId);
        e.orderId = CardNumberMasker.mask(e.orderId);
        e.merchantId = CardNumberMasker.mask(e.merchantId);
        e.channel = CardNumberMasker.mask(e.channel);
        e.code = CardNumberMasker.mask(e.code);
        e.message = CardNumberMasker.mask(e.message);
        e.userId = CardNumberMasker.mask(e.userId);
        e.cardFingerprint = CardNumberMasker.mask(e.cardFingerprint);
        e.deviceId = CardNumberMasker.mask(e.deviceId);
    }

    /** The bit of a field the parser reads, 0 for any other name. */
    private static int knownFieldBit(String name) {
        switch (name) {
            case "event_id": return 1;
            case "event_time": return 1 << 1;
            case "kind": return 1 << 2;
            case "payment_id": return 1 << 3;
            case "order_id": return 1 << 4;
            case "merchant_id": return 1 << 5;
            case "channel": return 1 << 6;
            case "status": return 1 << 7;
            case "code": return 1 << 8;
            case "message": return 1 << 9;
            case "amount_minor": return 1 << 10;
            case "currency": return 1 << 11;
            case "user_id": return 1 << 12;
            case "card_fingerprint": return 1 << 13;
            case "device_id": return 1 << 14;
            case "latency_ms": return 1 << 15;
            default: return 0;
        }
    }

    /** Jackson's own wording, so that the dead letter reads as it did with its detection. */
    private static JsonParseException duplicate(JsonParser p, String name) {
        return new JsonParseException(p, "Duplicate field '" + name + "'");
    }

    /**
     * Skips the value that starts at {@code v}, rejecting duplicate names in the objects within it
     * as Jackson's duplicate detection did (a value that is not read is still well-formed JSON).
     */
    private static void skip(JsonParser p, JsonToken v) throws IOException {
        if (v == JsonToken.START_ARRAY) {
            JsonToken t;
            while ((t = p.nextToken()) != JsonToken.END_ARRAY && t != null) {
                skip(p, t);
            }
        } else if (v == JsonToken.START_OBJECT) {
            java.util.Set<String> names = new java.util.HashSet<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                if (!names.add(name)) {
                    throw duplicate(p, name);
                }
                skip(p, p.nextToken());
            }
        }
    }

    private static String string(JsonParser p, JsonToken v, int min, int max) throws IOException {
        return v == JsonToken.VALUE_STRING ? p.getText() : null;
    }

    /** A string field that names something (contract section 1): plain text, no control characters. */
    private static String identifierProblem(JsonParser p, JsonToken v, int min, int max, String value)
            throws IOException {
        String problem = stringProblem(p, v, min, max);
        return problem != null ? problem : PlainText.identifierProblem(value);
    }

    private static String stringProblem(JsonParser p, JsonToken v, int min, int max)
            throws IOException {
        if (v != JsonToken.VALUE_STRING) {
            return "must be a string, got " + describe(v);
        }
        int len = p.getTextLength();
        if (len < min) {
            return "must not be empty";
        }
        if (len > max) {
            return "is longer than " + max + " characters (" + len + ")";
        }
        return null;
    }

    private static String nonNegativeLongProblem(JsonParser p, JsonToken v) throws IOException {
        if (v != JsonToken.VALUE_NUMBER_INT) {
            return "must be a whole number, got " + describe(v);
        }
        JsonParser.NumberType nt = p.getNumberType();
        if (nt != JsonParser.NumberType.INT && nt != JsonParser.NumberType.LONG) {
            return "is out of range";
        }
        if (p.getLongValue() < 0) {
            return "must not be negative";
        }
        return null;
    }

    private static boolean isCurrency(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 'A' || c > 'Z') {
                return false;
            }
        }
        return true;
    }

    private static String describe(JsonToken t) {
        if (t == null) {
            return "end of input";
        }
        switch (t) {
            case START_OBJECT:
                return "an object";
            case START_ARRAY:
                return "an array";
            case VALUE_STRING:
                return "a string";
            case VALUE_NUMBER_INT:
                return "a whole number";
            case VALUE_NUMBER_FLOAT:
                return "a decimal number";
            case VALUE_TRUE:
            case VALUE_FALSE:
                return "a boolean";
            case VALUE_NULL:
                return "null";
            default:
                return t.asString() == null ? t.name() : "'" + t.asString() + "'";
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }

    private ParsedRecord invalidJson(IOException e, String raw, String source, int partition) {
        Rejection reason = Rejection.INVALID_JSON;
        String detail;
        if (e instanceof StreamConstraintsException) {
            reason = Rejection.TOO_LARGE;
            detail = firstLine(e.getMessage());
        } else if (e instanceof JsonParseException && e.getMessage() != null
                && e.getMessage().startsWith("Duplicate field")) {
            reason = Rejection.DUPLICATE_FIELD;
            detail = firstLine(e.getMessage());
        } else {
            detail = "not valid JSON: " + firstLine(e instanceof com.fasterxml.jackson.core.JacksonException
                    ? ((com.fasterxml.jackson.core.JacksonException) e).getOriginalMessage()
                    : e.getMessage());
        }
        return ParsedRecord.rejected(DeadLetter.of(reason, null, detail, raw, source), partition);
    }

    /** A record the source already cut because of its size. */
    public ParsedRecord tooLarge(RawRecord raw, long size) {
        String head = raw.text != null ? raw.text
                : new String(raw.bytes, 0, Math.min(raw.bytes.length, 256), StandardCharsets.UTF_8);
        return tooLarge(head.length() > 256 ? head.substring(0, 256) : head, size, raw.source,
                raw.partition);
    }

    private static ParsedRecord tooLarge(String head, long size, String source, int partition) {
        return ParsedRecord.rejected(DeadLetter.of(Rejection.TOO_LARGE, null,
                "record of " + size + " characters exceeds the limit of " + MAX_RECORD_CHARS, head,
                source), partition);
    }

    private static ParsedRecord reject(Rejection reason, String field, String detail, String text,
            byte[] bytes, String source, int partition) {
        String raw = text != null ? text : new String(bytes, StandardCharsets.UTF_8);
        return ParsedRecord.rejected(DeadLetter.of(reason, field, detail, raw, source), partition);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        return line.length() > 200 ? line.substring(0, 200) + "…" : line;
    }
}
