package io.paywatch.jobs.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.paywatch.model.Category;
import io.paywatch.model.EventKind;
import io.paywatch.model.PaymentEvent;
import io.paywatch.model.ReturnCodeCatalog;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EventParserTest {
    private final EventParser parser = new EventParser(ReturnCodeCatalog.defaultCatalog());

    private static final String VALID = "{\"event_id\":\"e-1\",\"event_time\":\"2026-11-23T10:00:00.120Z\","
            + "\"kind\":\"payment\",\"payment_id\":\"p-1\",\"order_id\":\"o-1\",\"merchant_id\":\"m-17\","
            + "\"channel\":\"card\",\"status\":\"failed\",\"code\":\"202\",\"amount_minor\":12900,"
            + "\"currency\":\"CNY\"}";

    private ParsedRecord parse(String json) {
        ParsedRecord r = parser.parse(json, "test:1", 0);
        ParsedRecord fromBytes = parser.parse(json.getBytes(StandardCharsets.UTF_8), "test:1", 0);
        // the text and the bytes path agree
        assertThat(fromBytes.isValid()).isEqualTo(r.isValid());
        if (!r.isValid()) {
            assertThat(fromBytes.deadLetter.reason).isEqualTo(r.deadLetter.reason);
        }
        return r;
    }

    @Test
    void parsesAValidFailedPayment() {
        ParsedRecord r = parse(VALID);
        assertThat(r.isValid()).isTrue();
        PaymentEvent e = r.event;
        assertThat(e.eventId).isEqualTo("e-1");
        assertThat(e.eventTime).isEqualTo(1_795_428_000_120L);
        assertThat(e.kind).isEqualTo(EventKind.PAYMENT);
        assertThat(e.failed).isTrue();
        assertThat(e.code).isEqualTo("202");
        assertThat(e.category).isEqualTo(Category.TIMEOUT);
        assertThat(e.amountMinor).isEqualTo(12900L);
        assertThat(e.currency).isEqualTo("CNY");
    }

    @Test
    void everyEventOfTheContractsSamplesIsValid() throws Exception {
        Path samples = Paths.get("../../shared/contract/sample-events.jsonl");
        List<String> lines = Files.isRegularFile(samples) ? Files.readAllLines(samples)
                : Files.readAllLines(Paths.get(getClass().getResource("/sample-events.jsonl").toURI()));
        assertThat(lines).isNotEmpty();
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            ParsedRecord r = parse(line);
            assertThat(r.isValid()).as(line + " → " + (r.deadLetter == null ? "" : r.deadLetter.detail)).isTrue();
        }
        // epoch milliseconds and offsets are both event times
        assertThat(parse(lines.get(2)).event.eventTime).isEqualTo(1_795_428_002_410L);
        assertThat(parse(lines.get(3)).event.eventTime).isEqualTo(1_795_428_003_500L);
    }

    @Test
    void unknownFieldsAreIgnoredAndUnknownCodesAreCategoryUnknown() {
        ParsedRecord r = parse(VALID.replace("\"code\":\"202\"", "\"code\":\"9X9\"")
                .replace("}", ",\"extra\":{\"nested\":[1,2,{\"a\":null}]},\"flag\":true}"));
        assertThat(r.isValid()).isTrue();
        assertThat(r.event.category).isEqualTo(Category.UNKNOWN);
    }

    @Test
    void cardNumbersInAnyFieldAreMaskedAtTheParser() {
        ParsedRecord r = parse(VALID.replace("}", ",\"message\":\"card 4111 1111 1111 1111 declined\"}"));
        assertThat(r.event.message).isEqualTo("card **** **** **** 1111 declined");
        ParsedRecord bad = parse("{\"message\":\"4111111111111111\"");
        assertThat(bad.deadLetter.input).doesNotContain("4111111111111111").contains("************1111");
    }

    /**
     * The parser finds duplicate names itself (a bit per known field): exactly where Jackson's
     * STRICT_DUPLICATE_DETECTION does — known and unknown fields, after a bad value, inside the
     * objects and arrays of a value it does not read, in a rejected non-object — with its wording.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {
        "{\"event_id\":\"a\",\"event_id\":\"b\"}",
        "VALID,\"code\":\"101\"}",
        "VALID,\"extra\":1,\"extra\":2}",
        "VALID,\"extra\":1,\"other\":2}",
        "VALID,\"extra\":{\"a\":1,\"b\":{\"a\":2}}}",
        "VALID,\"extra\":{\"a\":1,\"b\":2,\"a\":3}}",
        "VALID,\"extra\":[{\"a\":1},{\"a\":2,\"a\":3}]}",
        "VALID,\"extra\":[[{\"x\":[]}],{\"y\":{}}]}",
        "VALID,\"channel\":{\"a\":1,\"a\":2}}",
        "{\"amount_minor\":-1,\"event_id\":\"a\",\"event_id\":\"b\"}",
        "{\"kind\":7,\"kind\":8}",
        "{\"event_time\":true,\"x\":{\"q\":1,\"q\":1}}",
        "[{\"a\":1,\"a\":2}]",
        "[{\"a\":1},{\"a\":2}]",
        "{\"Event_id\":\"a\",\"event_id\":\"b\"}",
    })
    void duplicateNamesAreFoundWhereJacksonsOwnDetectionFindsThem(String input) throws Exception {
        String json = input.startsWith("VALID,") ? VALID.substring(0, VALID.length() - 1) + input.substring(5) : input;
        String jacksons = null;
        var strict = com.fasterxml.jackson.core.JsonFactory.builder()
                .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
        try (var p = strict.createParser(json)) {
            while (p.nextToken() != null) {
                // read through
            }
        } catch (com.fasterxml.jackson.core.JsonParseException e) {
            jacksons = e.getMessage().split("\n")[0];
        }
        ParsedRecord r = parse(json);
        if (jacksons != null && jacksons.startsWith("Duplicate field")) {
            assertThat(r.isValid()).as(json).isFalse();
            assertThat(r.deadLetter.reason).as(json).isEqualTo("duplicate_field");
            assertThat(r.deadLetter.detail).isEqualTo(jacksons);
        } else {
            assertThat(r.isValid() ? "valid" : r.deadLetter.reason).as(json).isNotEqualTo("duplicate_field");
        }
    }

    @ParameterizedTest(name = "{0}: {2}")
    @CsvSource(delimiter = '|', value = {
        "invalid_json       |     | {\"event_id\":\"e-1\",\"event_time\":",
        "invalid_json       |     | not json at all",
        "invalid_json       |     | {\"event_id\":\"e-1\"} trailing",
        "invalid_json       |     | ''",
        "not_an_object      |     | [1,2,3]",
        "not_an_object      |     | \"a string\"",
        "duplicate_field    |     | {\"event_id\":\"a\",\"event_id\":\"b\"}",
        "missing_field      | event_id | {\"event_time\":1,\"kind\":\"payment\"}",
        "wrong_type         | event_id | REPLACE \"event_id\":\"e-1\" WITH \"event_id\":7",
        "wrong_type         | amount_minor | REPLACE \"amount_minor\":12900 WITH \"amount_minor\":\"12900\"",
        "wrong_type         | amount_minor | REPLACE \"amount_minor\":12900 WITH \"amount_minor\":129.5",
        "wrong_type         | channel | REPLACE \"channel\":\"card\" WITH \"channel\":null",
        "wrong_type         | event_time | REPLACE \"event_time\":\"2026-11-23T10:00:00.120Z\" WITH \"event_time\":true",
        "invalid_value      | kind | REPLACE \"kind\":\"payment\" WITH \"kind\":\"chargeback\"",
        "invalid_value      | status | REPLACE \"status\":\"failed\" WITH \"status\":\"pending\"",
        "invalid_value      | currency | REPLACE \"currency\":\"CNY\" WITH \"currency\":\"cny\"",
        "invalid_value      | amount_minor | REPLACE \"amount_minor\":12900 WITH \"amount_minor\":-1",
        "invalid_value      | event_id | REPLACE \"event_id\":\"e-1\" WITH \"event_id\":\"\"",
        "invalid_value      | amount_minor | REPLACE \"amount_minor\":12900 WITH \"amount_minor\":123456789012345678901234",
        "invalid_event_time | event_time | REPLACE \"2026-11-23T10:00:00.120Z\" WITH \"yesterday\"",
        "invalid_event_time | event_time | REPLACE \"2026-11-23T10:00:00.120Z\" WITH \"2026-11-23T10:00:00\"",
        "invalid_event_time | event_time | REPLACE \"2026-11-23T10:00:00.120Z\" WITH \"2026-02-30T10:00:00Z\"",
        "invalid_event_time | event_time | REPLACE \"event_time\":\"2026-11-23T10:00:00.120Z\" WITH \"event_time\":-5",
        "missing_field      | code | REPLACE ,\"code\":\"202\" WITH ''",
        "missing_field      | status | REPLACE \"status\":\"failed\", WITH ''",
        "missing_field      | currency | REPLACE ,\"currency\":\"CNY\" WITH ''",
        "missing_field      | amount_minor | REPLACE \"kind\":\"payment\" WITH \"kind\":\"refund\" AND ,\"amount_minor\":12900 WITH ''",
    })
    void rejectsWithAReasonNamingTheField(String reason, String field, String input) {
        String json = input;
        if (input.startsWith("REPLACE ")) {
            json = VALID;
            for (String part : input.substring(8).split(" AND ")) {
                String[] fromTo = part.split(" WITH ");
                json = json.replace(fromTo[0], fromTo[1].equals("''") ? "" : fromTo[1]);
            }
            assertThat(json).isNotEqualTo(VALID);
        }
        ParsedRecord r = parse(json);
        assertThat(r.isValid()).as(json).isFalse();
        assertThat(r.deadLetter.reason).as(json + " → " + r.deadLetter.detail).isEqualTo(reason);
        if (field != null) {
            assertThat(r.deadLetter.field).isEqualTo(field);
        }
        assertThat(r.deadLetter.detail).isNotBlank();
        assertThat(r.deadLetter.source).isEqualTo("test:1");
        assertThat(r.deadLetter.toJson()).startsWith("{\"reason\":\"" + reason + "\"");
    }

    /**
     * Contract section 1, "identifiers are plain text": a JSON escape can put any character into a
     * string; in an identifier a control character or a line separator is a dead letter naming
     * the field (it would split a log or line-protocol line, or drive a terminal).
     */
    @ParameterizedTest(name = "{0} with {1}")
    @CsvSource(delimiter = '|', value = {
        "event_id         | \\n",
        "payment_id       | \\r",
        "order_id         | \\t",
        "merchant_id      | \\u001b[31m",
        "channel          | \\n**bold**",
        "code             | \\u0000",
        "user_id          | \\u007f",
        "card_fingerprint | \\u0085",
        "device_id        | \\u2028",
        "channel          | \\u2029",
        "merchant_id      | \\u009f",
    })
    void controlCharactersInAnIdentifierAreAnInvalidValueNamingTheField(String field, String escape) {
        String withField = VALID.contains("\"" + field + "\"") ? VALID
                : VALID.replace("}", ",\"" + field + "\":\"x\"}");
        int at = withField.indexOf("\"" + field + "\":\"") + field.length() + 4;
        String json = withField.substring(0, at) + "a" + escape + withField.substring(at);
        ParsedRecord r = parse(json);
        assertThat(r.isValid()).as(json).isFalse();
        assertThat(r.deadLetter.reason).isEqualTo("invalid_value");
        assertThat(r.deadLetter.field).isEqualTo(field);
        assertThat(r.deadLetter.detail).startsWith(field + " contains a ").contains("at position 2");
        // the dead letter itself is one JSON line
        assertThat(r.deadLetter.toJson()).doesNotContain("\n", "\r", "\u2028", "\u001b");
    }

    @Test
    void anythingElseIsAValidIdentifierAndMessageMayHoldControlCharacters() {
        String hostile = "<!channel> pay now <https://evil.example/x|click> *bold* [a](b) @all 商户é";
        ParsedRecord r = parse(VALID.replace("\"m-17\"", "\"" + hostile.replace("\"", "\\\"") + "\"")
                .replace("}", ",\"message\":\"line one\\nline two\\u0007\"}"));
        assertThat(r.isValid()).as(r.deadLetter == null ? "" : r.deadLetter.detail).isTrue();
        assertThat(r.event.merchantId).isEqualTo(hostile);
        assertThat(r.event.message).isEqualTo("line one\nline two\u0007");
    }

    @Test
    void tooLongFieldsAndRecordsAreRejected() {
        ParsedRecord longMerchant = parse(VALID.replace("m-17", "m".repeat(129)));
        assertThat(longMerchant.deadLetter.reason).isEqualTo("invalid_value");
        assertThat(longMerchant.deadLetter.detail).contains("longer than 128");
        ParsedRecord huge = parse("{\"message\":\"" + "x".repeat(EventParser.MAX_RECORD_CHARS) + "\"}");
        assertThat(huge.deadLetter.reason).isEqualTo("too_large");
        assertThat(huge.deadLetter.input.length()).isLessThan(5_000);
        ParsedRecord deep = parse("{\"x\":" + "[".repeat(100) + "]".repeat(100) + "}");
        assertThat(deep.deadLetter.reason).isEqualTo("too_large");
    }

    @Test
    void invalidUtf8IsADeadLetterNotACrash() {
        byte[] bytes = VALID.getBytes(StandardCharsets.UTF_8);
        bytes[20] = (byte) 0xC3;
        bytes[21] = (byte) 0x28;
        ParsedRecord r = parser.parse(bytes, "k-0@1", 0);
        assertThat(r.isValid()).isFalse();
        assertThat(r.deadLetter.reason).isEqualTo("invalid_json");
        ParsedRecord nul = parser.parse("{\"event_id\":\"a\u0000b\"}", "x", 0);
        assertThat(nul.deadLetter.reason).isEqualTo("invalid_json");
    }
}
