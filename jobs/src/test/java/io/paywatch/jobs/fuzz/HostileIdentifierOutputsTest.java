package io.paywatch.jobs.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paywatch.jobs.metrics.LinePoint;
import io.paywatch.jobs.metrics.MetricLines;
import io.paywatch.jobs.rates.FailureCounts;
import io.paywatch.jobs.rates.RateSnapshot;
import io.paywatch.jobs.sinks.AlertLine;
import io.paywatch.jobs.testing.HostileInput;
import io.paywatch.model.Alert;
import io.paywatch.model.AlertIds;
import io.paywatch.model.AlertJson;
import io.paywatch.model.Category;
import io.paywatch.model.EventKind;
import io.paywatch.model.PaymentEvent;
import io.paywatch.model.PlainText;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile identifiers through the outputs that are not chat (those are in
 * {@code ChatMarkupTest}): line protocol, console lines, the contract's JSON. Each output stays
 * one line of its own syntax and reads back as the identifier was. The parser rejects control
 * characters in identifiers; these outputs make them visible anyway, should one come from
 * anywhere else.
 */
class HostileIdentifierOutputsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static List<String> hostile() {
        return HostileInput.IDENTIFIERS;
    }

    private static boolean plain(String s) {
        return PlainText.firstForbidden(s) < 0;
    }

    @ParameterizedTest
    @MethodSource("hostile")
    void lineProtocolStaysOneLineAndReadsBack(String s) {
        PaymentEvent e = new PaymentEvent();
        e.kind = EventKind.PAYMENT;
        e.merchantId = s;
        e.channel = s;
        e.code = "203";
        e.failed = true;
        e.category = Category.SYSTEM;
        e.eventTime = 1_795_428_000_000L;
        FailureCounts counts = new FailureCounts(e.eventTime);
        counts.add(e);
        for (String scope : List.of(RateSnapshot.MERCHANT, RateSnapshot.CHANNEL)) {
            RateSnapshot r = new RateSnapshot();
            r.scope = scope;
            r.key = s;
            r.time = e.eventTime;
            r.windowMs = 300_000;
            r.counts = counts;
            List<String> lines = MetricLines.of(r, "run-1");
            assertThat(lines).isNotEmpty();
            for (String line : lines) {
                assertThat(line).doesNotContain("\n", "\r");
                LinePoint p = LinePoint.parse(line);
                assertThat(p).as(line).isNotNull();
                assertThat(p.time).isEqualTo(e.eventTime);
                assertThat(p.tags).containsEntry("run_id", "run-1");
                if (plain(s)) {
                    assertThat(p.tags.get(scope.equals(RateSnapshot.CHANNEL) ? "channel" : "merchant_id"))
                            .isEqualTo(MetricLines.tag(s));
                }
            }
        }
        Alert a = alert(s);
        String line = MetricLines.of(a, null);
        assertThat(line).doesNotContain("\n", "\r");
        LinePoint p = LinePoint.parse(line);
        assertThat(p).as(line).isNotNull();
        assertThat(p.fields.get("summary")).isEqualTo(PlainText.visible(a.summary));
        assertThat(p.fields.get("alert_id")).isEqualTo(a.alertId);
        assertThat(p.num("firing")).isEqualTo(1.0);
        if (plain(s)) {
            assertThat(p.tags).containsEntry("merchant_id", MetricLines.tag(s))
                    .containsEntry("channel", MetricLines.tag(s));
        }
    }

    @org.junit.jupiter.api.Test
    void aBackslashLineProtocolCannotCarryIsWrittenFullWidthAndNoOtherIs() {
        assertThat(MetricLines.tag("m-17\\")).isEqualTo("m-17\uFF3C");
        assertThat(MetricLines.tag("a\\,b a\\=b a\\ b a\\\\b")).isEqualTo("a\uFF3C,b a\uFF3C=b a\uFF3C b a\uFF3C\\b");
        assertThat(MetricLines.tag("back\\slash")).isEqualTo("back\\slash");
        assertThat(MetricLines.tag("m-17")).isSameAs(MetricLines.tag("m-17"));
    }

    @ParameterizedTest
    @MethodSource("hostile")
    void aConsoleAlertLineIsOneLineNobodyCanForge(String s) {
        String line = AlertLine.format(alert(s));
        assertThat(plain(line)).isTrue();
        assertThat(line.lines()).hasSize(1);
        assertThat(line).startsWith("[FIRING]");
        // nothing reorders or hides what follows on screen (bidi overrides, zero-width marks)
        assertThat(line.chars().noneMatch(c -> io.paywatch.model.PlainText.isInvisibleFormat((char) c))).isTrue();
    }

    @ParameterizedTest
    @MethodSource("hostile")
    void theContractsJsonIsOneLineWithTheIdentifierExactly(String s) throws Exception {
        Alert a = alert(s);
        String json = AlertJson.toJson(a);
        assertThat(json).doesNotContain("\n", "\r", "\u2028", "\u2029");
        JsonNode n = JSON.readTree(json);
        assertThat(n.path("scope").path("merchant_id").asText()).isEqualTo(s);
        assertThat(n.path("summary").asText()).isEqualTo(a.summary);
    }

    private static Alert alert(String s) {
        Alert a = new Alert();
        a.rule = "failure_rate";
        a.status = Alert.FIRING;
        a.severity = "critical";
        a.scope.put("channel", s);
        a.scope.put("merchant_id", s);
        a.startsAt = 1_795_428_720_000L;
        a.transitionAt = a.startsAt;
        a.alertId = AlertIds.of(a.rule, a.scope, a.startsAt);
        a.value = 0.62;
        a.threshold = 0.5;
        a.summary = "Critical failure rate 62.0% for merchant " + s + " over 5m";
        return a;
    }
}
