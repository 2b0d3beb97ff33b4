package io.paywatch.jobs.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.paywatch.jobs.testing.HostileInput;
import io.paywatch.jobs.testing.RealisticHour;
import io.paywatch.model.PaymentEvent;
import io.paywatch.model.ReturnCodeCatalog;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The parser's fast path ({@link FlatEventScanner}) changes no outcome: every record gives the
 * same event, or the same dead letter word for word, with it as with Jackson alone. Each test
 * also counts the records the fast path took, so that none passes by the fast path declining
 * everything.
 */
class EventParserFastPathTest {
    private final ReturnCodeCatalog catalog = ReturnCodeCatalog.defaultCatalog();
    private final EventParser withFastPath = new EventParser(catalog, true);
    private final EventParser jacksonAlone = new EventParser(catalog, false);
    private final FlatEventScanner scanner = new FlatEventScanner();
    /** The same two of a rates-only job, whose fast path sets the fields it drops to a mark. */
    private final EventParser ratesWithFastPath = new EventParser(catalog, true, EventProjection.RATES);
    private final EventParser ratesJacksonAlone = new EventParser(catalog, false, EventProjection.RATES);
    private int taken;
    private int declined;

    /** Parses {@code record} both ways and requires the same outcome. */
    private void sameOutcome(byte[] record) {
        if (record.length <= EventParser.MAX_RECORD_CHARS && scanner.scan(record) != null) {
            taken++;
        } else {
            declined++;
        }
        ParsedRecord fast = withFastPath.parse(record, "test:1", 3);
        ParsedRecord slow = jacksonAlone.parse(record, "test:1", 3);
        String fastOutcome = outcome(fast);
        String slowOutcome = outcome(slow);
        if (!fastOutcome.equals(slowOutcome)) { // AssertJ only to report: 10^6 records are checked
            assertThat(fastOutcome).as("outcome of %s", new String(record, StandardCharsets.UTF_8))
                    .isEqualTo(slowOutcome);
        }
        String ratesFast = outcome(ratesWithFastPath.parse(record, "test:1", 3));
        String ratesSlow = outcome(ratesJacksonAlone.parse(record, "test:1", 3));
        if (!ratesFast.equals(ratesSlow)) {
            assertThat(ratesFast).as("rates-only outcome of %s", new String(record, StandardCharsets.UTF_8))
                    .isEqualTo(ratesSlow);
        }
    }

    /** Everything a parse gives downstream, as text. */
    private static String outcome(ParsedRecord r) {
        if (r.isValid()) {
            return "event " + r.partition + " " + r.event + " kind=" + r.event.kind + " failed="
                    + r.event.failed + " category=" + r.event.category + " payment=" + r.event.paymentId
                    + " order=" + r.event.orderId + " code=" + r.event.code + " message=" + r.event.message
                    + " user=" + r.event.userId + " card=" + r.event.cardFingerprint + " device="
                    + r.event.deviceId + " latency=" + r.event.latencyMs + " amount=" + r.event.amountMinor
                    + " currency=" + r.event.currency + " time=" + r.event.eventTime;
        }
        DeadLetter d = r.deadLetter;
        return "dead letter " + r.partition + " reason=" + d.reason + " field=" + d.field + " detail="
                + d.detail + " source=" + d.source + " time=" + d.eventTime + " input=" + d.input;
    }

    private void sameOutcome(String record) {
        sameOutcome(record.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theRealisticHourGoesThroughTheFastPathWithTheSameEvents() {
        RealisticHour hour = new RealisticHour();
        for (String line : hour.lines) {
            sameOutcome(line);
        }
        // the hour's malformed lines (its noise) are valid JSON with a bad value or not JSON at all:
        // the first kind the fast path reads and validation rejects, the second it declines
        assertThat(taken).isGreaterThan(hour.lines.size() * 9 / 10);
        assertThat(declined).isPositive().isLessThan((int) hour.malformed);
    }

    @Test
    void theContractsSamplesGiveTheSameOutcome() throws Exception {
        Path samples = Paths.get("../../shared/contract/sample-events.jsonl");
        List<String> lines = Files.isRegularFile(samples) ? Files.readAllLines(samples)
                : Files.readAllLines(Paths.get(getClass().getResource("/sample-events.jsonl").toURI()));
        for (String line : lines) {
            sameOutcome(line);
        }
        assertThat(taken).isPositive();
    }

    @Test
    void hostileRecordsGiveTheSameEventOrTheSameDeadLetter() {
        HostileInput input = new HostileInput(20261203);
        for (int i = 0; i < 100_000; i++) {
            sameOutcome(input.next(2_000));
        }
        assertThat(taken).isGreaterThan(5_000);
        assertThat(declined).isGreaterThan(50_000);
    }

    /** The bytes that change a JSON record's meaning or make the fast path decline it. */
    private static final byte[] EDITS = {'"', '\\', ',', ':', '{', '}', '[', ']', ' ', '\t', '\n',
        '\r', '0', '1', '9', '-', '+', '.', 'e', 'E', 'a', 'n', 't', 'Z', 'T', '_', '/', 0x00, 0x1F,
        0x7F, (byte) 0x80, (byte) 0xC3, (byte) 0xE2, (byte) 0xFF};

    @ParameterizedTest
    @ValueSource(strings = {
        // the bench's and Kafka's shape: epoch milliseconds, no spaces
        "{\"event_id\":\"e-7-p\",\"event_time\":1795428000120,\"kind\":\"payment\",\"payment_id\":\"p-7\","
            + "\"order_id\":\"o-7\",\"merchant_id\":\"m-0017\",\"channel\":\"card\",\"status\":\"failed\","
            + "\"code\":\"202\",\"amount_minor\":12900,\"currency\":\"CNY\",\"latency_ms\":30}",
        // RFC 3339, spaces, every optional field, unknown fields of every scalar type
        "{ \"event_id\" : \"e-0001\", \"event_time\" : \"2026-11-23T10:00:00.120+08:00\",\n"
            + " \"kind\":\"payment\",\"payment_id\":\"p-1\",\"order_id\":\"o-1\",\"merchant_id\":\"m-17\","
            + "\"channel\":\"card\",\"status\":\"succeeded\",\"amount_minor\":0,\"currency\":\"USD\","
            + "\"user_id\":\"\",\"card_fingerprint\":\"fp-1\",\"device_id\":\"d-1\",\"message\":\"ok\","
            + "\"retry\":true,\"test\":false,\"note\":null,\"attempt\":2,\"region\":\"eu\"}\r\n",
        "{\"event_id\":\"e-2\",\"event_time\":0,\"kind\":\"charge\",\"payment_id\":\"p-2\","
            + "\"order_id\":\"o-2\",\"merchant_id\":\"m-2\",\"channel\":\"wallet\",\"amount_minor\":1,"
            + "\"currency\":\"EUR\"}",
        "{\"event_id\":\"e-3\",\"event_time\":1795428000120,\"kind\":\"fulfilment\",\"payment_id\":\"p-3\","
            + "\"order_id\":\"o-3\",\"merchant_id\":\"m-3\",\"channel\":\"bank\"}",
    })
    void everyOneByteChangeOfAValidRecordGivesTheSameOutcome(String valid) {
        byte[] b = valid.getBytes(StandardCharsets.UTF_8);
        sameOutcome(b);
        assertThat(taken).as("the unchanged record takes the fast path").isEqualTo(1);
        for (int at = 0; at <= b.length; at++) {
            if (at < b.length) {
                sameOutcome(removed(b, at));
            }
            for (byte edit : EDITS) {
                if (at < b.length) {
                    byte[] replaced = b.clone();
                    replaced[at] = edit;
                    sameOutcome(replaced);
                }
                sameOutcome(inserted(b, at, edit));
            }
        }
        assertThat(taken).isGreaterThan(b.length);
        assertThat(declined).isGreaterThan(b.length * 10);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{}", " { } ", "{\"a\":1}", "{\"a\":1,\"a\":2}", "{\"a\":1,\"b\":2,\"c\":3,\"d\":4,\"e\":5,\"f\":6,"
            + "\"g\":7,\"h\":8,\"i\":9}",
        "{\"event_id\":\"e\",\"event_id\":\"e\"}", "{\"event_time\":01}", "{\"event_time\":-1}",
        "{\"event_time\":1234567890123456789}", "{\"event_time\":123456789012345678}",
        "{\"event_time\":\"2026-11-23 10:00:00\"}", "{\"event_time\":1.5}", "{\"event_time\":1e3}",
        "{\"currency\":\"cny\"}", "{\"currency\":\"CNYX\"}", "{\"code\":\"\"}", "{\"message\":\"\"}",
        "{\"kind\":\"\"}", "{\"kind\":\"PAYMENT\"}", "{\"status\":\"maybe\"}", "{\"a\":tru}",
        "{\"a\":truex}", "{\"a\":nul}", "{\"a\":\"x\"}x", "{\"a\":\"x\"}{}", "{\"a\":\"x\",}",
        "{,}", "{\"a\"}", "{\"a\" 1}", "{\"a\":}", "[]", "\"x\"", "", " ", "{", "{\"a\":1",
        "\uFEFF{}", "{\"a\":\"x\"} \n\t\r",
    })
    void edgeCasesGiveTheSameOutcome(String record) {
        sameOutcome(record);
    }

    /**
     * A rates-only scanner checks a field its projection drops as any other but makes no string of
     * it: the field is set to the mark, which the projection then drops.
     */
    @Test
    void aRatesOnlyScannerMarksTheFieldsItsProjectionDropsInsteadOfReadingThem() {
        byte[] record = ("{\"event_id\":\"e-7-p\",\"event_time\":1795428000120,\"kind\":\"payment\","
                + "\"payment_id\":\"p-7\",\"order_id\":\"o-7\",\"merchant_id\":\"m-0017\",\"channel\":\"card\","
                + "\"status\":\"failed\",\"code\":\"202\",\"message\":\"timed out\",\"amount_minor\":12900,"
                + "\"currency\":\"CNY\",\"user_id\":\"u-1\",\"card_fingerprint\":\"fp-1\",\"device_id\":\"d-1\","
                + "\"latency_ms\":30}").getBytes(StandardCharsets.UTF_8);
        PaymentEvent e = new FlatEventScanner(EventProjection.RATES).scan(record);
        assertThat(e.eventId).isEqualTo("e-7-p");
        assertThat(e.merchantId).isEqualTo("m-0017");
        assertThat(e.channel).isEqualTo("card");
        assertThat(e.code).isEqualTo("202");
        for (String dropped : new String[] {e.paymentId, e.orderId, e.message, e.currency, e.userId,
            e.cardFingerprint, e.deviceId}) {
            assertThat(dropped).isSameAs(FlatEventScanner.DROPPED);
        }
        assertThat(e.amountMinor).isZero();
        assertThat(e.latencyMs).isZero();
        // the whole scanner reads them all
        PaymentEvent whole = scanner.scan(record);
        assertThat(whole.paymentId).isEqualTo("p-7");
        assertThat(whole.amountMinor).isEqualTo(12_900L);
        // a dropped field still has to be valid: a currency of digits sends the record to Jackson
        assertThat(new FlatEventScanner(EventProjection.RATES).scan(new String(record, StandardCharsets.UTF_8)
                .replace("\"CNY\"", "\"C1Y\"").getBytes(StandardCharsets.UTF_8))).isNull();
    }

    @Test
    void longNamesAndValuesGiveTheSameOutcome() {
        List<String> records = new ArrayList<>();
        for (int n : new int[] {0, 1, 3, 16, 64, 65, 127, 128, 129, 512, 513, 60_000}) {
            String s = "x".repeat(n);
            records.add("{\"" + s + "\":1}");
            // every string field: the scanner's length bounds are the parser's, field by field
            for (String field : new String[] {"event_id", "payment_id", "order_id", "merchant_id",
                "channel", "code", "message", "user_id", "card_fingerprint", "device_id", "currency",
                "kind", "status"}) {
                records.add("{\"" + field + "\":\"" + s + "\"}");
            }
        }
        for (String r : records) {
            sameOutcome(r);
        }
        assertThat(taken).isGreaterThan(10);
    }

    private static byte[] removed(byte[] b, int at) {
        byte[] r = new byte[b.length - 1];
        System.arraycopy(b, 0, r, 0, at);
        System.arraycopy(b, at + 1, r, at, b.length - at - 1);
        return r;
    }

    private static byte[] inserted(byte[] b, int at, byte x) {
        byte[] r = new byte[b.length + 1];
        System.arraycopy(b, 0, r, 0, at);
        r[at] = x;
        System.arraycopy(b, at, r, at + 1, b.length - at);
        return r;
    }
}
