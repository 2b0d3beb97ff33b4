package io.paywatch.jobs.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.paywatch.jobs.PipelineSettings;
import io.paywatch.jobs.testing.HostileInput;
import io.paywatch.jobs.testing.RealisticHour;
import io.paywatch.model.EventKind;
import io.paywatch.model.PaymentEvent;
import io.paywatch.model.ReturnCodeCatalog;
import io.paywatch.model.RuleSettings;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The rates-only projection drops exactly the fields no rate rule reads, after validation: a
 * projecting parser accepts and rejects the same records as the whole one, with the same dead
 * letters, and its events are the whole parser's with those fields dropped.
 */
class EventProjectionTest {
    private final EventParser whole = new EventParser(ReturnCodeCatalog.defaultCatalog());
    private final EventParser rates = new EventParser(ReturnCodeCatalog.defaultCatalog(), EventProjection.RATES);

    private static PaymentEvent fullEvent() {
        PaymentEvent e = new PaymentEvent();
        e.eventId = "e-1";
        e.eventTime = 1_000;
        e.kind = EventKind.PAYMENT;
        e.paymentId = "p-1";
        e.orderId = "o-1";
        e.merchantId = "m-1";
        e.channel = "card";
        e.failed = true;
        e.code = "202";
        e.category = io.paywatch.model.Category.TIMEOUT;
        e.message = "timed out";
        e.amountMinor = 100L;
        e.currency = "CNY";
        e.userId = "u-1";
        e.cardFingerprint = "fp-1";
        e.deviceId = "d-1";
        e.latencyMs = 30_000L;
        return e;
    }

    @Test
    void ratesKeepsWhatDedupAndTheRateRulesRead() {
        PaymentEvent e = EventProjection.RATES.apply(fullEvent());
        assertThat(e.eventId).isEqualTo("e-1");
        assertThat(e.eventTime).isEqualTo(1_000);
        assertThat(e.kind).isEqualTo(EventKind.PAYMENT);
        assertThat(e.merchantId).isEqualTo("m-1");
        assertThat(e.channel).isEqualTo("card");
        assertThat(e.failed).isTrue();
        assertThat(e.code).isEqualTo("202");
        assertThat(e.category).isEqualTo(io.paywatch.model.Category.TIMEOUT);
        assertThat(e.paymentId).isNull();
        assertThat(e.orderId).isNull();
        assertThat(e.message).isNull();
        assertThat(e.amountMinor).isNull();
        assertThat(e.currency).isNull();
        assertThat(e.userId).isNull();
        assertThat(e.cardFingerprint).isNull();
        assertThat(e.deviceId).isNull();
        assertThat(e.latencyMs).isNull();
    }

    @Test
    void allKeepsEveryField() {
        assertThat(EventProjection.ALL.apply(fullEvent())).isEqualTo(fullEvent());
    }

    private void sameOutcome(byte[] record) {
        ParsedRecord w = whole.parse(record, "test:1", 2);
        ParsedRecord r = rates.parse(record, "test:1", 2);
        if (w.event == null) {
            assertThat(r.event).isNull();
            assertThat(r.deadLetter.toJson()).isEqualTo(w.deadLetter.toJson());
        } else {
            assertThat(r.deadLetter).isNull();
            assertThat(r.event).isEqualTo(EventProjection.RATES.apply(w.event));
        }
        assertThat(r.partition).isEqualTo(w.partition);
    }

    @Test
    void theRealisticHourAndHostileRecordsParseTheSameWayProjected() {
        int valid = 0;
        for (String line : new RealisticHour().lines) {
            byte[] b = line.getBytes(StandardCharsets.UTF_8);
            sameOutcome(b);
            valid += whole.parse(b, "test:1", 2).event != null ? 1 : 0;
        }
        assertThat(valid).isGreaterThan(10_000);
        HostileInput hostile = new HostileInput(5);
        int rejected = 0;
        for (int i = 0; i < 5_000; i++) {
            byte[] b = hostile.next(4_096);
            sameOutcome(b);
            rejected += whole.parse(b, "test:1", 2).event == null ? 1 : 0;
        }
        assertThat(rejected).isGreaterThan(100);
    }

    @Test
    void cardNumbersInTheKeptFieldsAreStillMasked() {
        String line = "{\"event_id\":\"4111 1111 1111 1111\",\"event_time\":1000,\"kind\":\"payment\","
                + "\"payment_id\":\"p-1\",\"order_id\":\"o-1\",\"merchant_id\":\"m-1\",\"channel\":\"card\","
                + "\"status\":\"failed\",\"code\":\"202\",\"amount_minor\":1,\"currency\":\"CNY\","
                + "\"message\":\"card 4111 1111 1111 1111\"}";
        PaymentEvent e = rates.parse(line.getBytes(StandardCharsets.UTF_8), "test:1", 0).event;
        assertThat(e.eventId).doesNotContain("4111 1111 1111 1111").isEqualTo(
                whole.parse(line, "test:1", 0).event.eventId);
        assertThat(e.message).isNull();
    }

    @Test
    void aJobProjectsOnlyWhenNoPatternRuleOfEitherRuleSetIsOn() {
        RuleSettings ratesOnly = RuleSettings.parseYaml(ProjectionEquivalenceITCase.RATES_ONLY, "r.yaml");
        RuleSettings defaults = RuleSettings.defaults();
        assertThat(PipelineSettings.defaults(defaults).eventProjection()).isEqualTo(EventProjection.ALL);
        assertThat(PipelineSettings.defaults(ratesOnly).eventProjection()).isEqualTo(EventProjection.RATES);
        assertThat(PipelineSettings.defaults(ratesOnly).withoutProjection().eventProjection())
                .isEqualTo(EventProjection.ALL);
        PipelineSettings comparedWithPatterns = new PipelineSettings(ratesOnly, 5_000, 600_000, 30_000, 0, defaults);
        assertThat(comparedWithPatterns.eventProjection()).isEqualTo(EventProjection.ALL);
        PipelineSettings comparedRatesOnly = new PipelineSettings(ratesOnly, 5_000, 600_000, 30_000, 0, ratesOnly);
        assertThat(comparedRatesOnly.eventProjection()).isEqualTo(EventProjection.RATES);
    }
}
