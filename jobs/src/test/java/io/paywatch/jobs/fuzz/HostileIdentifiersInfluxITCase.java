package io.paywatch.jobs.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.paywatch.jobs.metrics.MetricLines;
import io.paywatch.jobs.rates.FailureCounts;
import io.paywatch.jobs.rates.RateSnapshot;
import io.paywatch.jobs.sinks.InfluxClient;
import io.paywatch.jobs.sinks.InfluxTarget;
import io.paywatch.jobs.testing.HostileInput;
import io.paywatch.jobs.testing.InfluxQl;
import io.paywatch.jobs.testing.TestServices;
import io.paywatch.model.Alert;
import io.paywatch.model.AlertIds;
import io.paywatch.model.PlainText;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Hostile identifiers (mentions, links, quotes, commas, equals signs, spaces, backslashes,
 * control characters) written by PayWatch's line protocol into the real InfluxDB: every line is
 * accepted, each point lands as one series with the identifier as its tag, and the summaries
 * read back as written. Identifiers with control characters never get this far (the parser
 * rejects them); here they prove the line stays one line anyway.
 */
class HostileIdentifiersInfluxITCase {
    @Test
    void everyHostileIdentifierIsOneTagValueInTheRealInfluxDb() throws Exception {
        String url = TestServices.influx();
        String db = "pw_hostile_" + System.nanoTime();
        List<String> lines = new ArrayList<>();
        long time = 1_795_428_000_000L;
        for (String s : HostileInput.IDENTIFIERS) {
            RateSnapshot r = new RateSnapshot();
            r.scope = RateSnapshot.MERCHANT;
            r.key = s;
            r.time = time;
            r.windowMs = 300_000;
            r.counts = new FailureCounts(time);
            lines.addAll(MetricLines.of(r, "hostile-it"));
            Alert a = new Alert();
            a.rule = "failure_rate";
            a.status = Alert.FIRING;
            a.severity = "critical";
            a.scope.put("merchant_id", s);
            a.startsAt = time;
            a.transitionAt = time;
            a.alertId = AlertIds.of(a.rule, a.scope, time);
            a.value = 0.5;
            a.threshold = 0.3;
            a.summary = "Critical failure rate for merchant " + s + " over 5m";
            lines.add(MetricLines.of(a, "hostile-it"));
        }
        try (InfluxClient influx = InfluxClient.create(InfluxTarget.v1(url, db, null))) {
            influx.ensureReady();
            influx.write(lines);
        }

        Set<String> merchants = new HashSet<>();
        for (List<JsonNode> row : InfluxQl.rows(url, db, "SHOW TAG VALUES FROM paywatch_rate WITH KEY = \"merchant_id\"")) {
            merchants.add(row.get(1).asText());
        }
        Set<String> summaries = new HashSet<>();
        for (List<JsonNode> row : InfluxQl.rows(url, db, "SELECT summary, merchant_id FROM paywatch_alert")) {
            summaries.add(row.get(1).asText());
        }
        assertThat(merchants).hasSize(HostileInput.IDENTIFIERS.size());
        assertThat(summaries).hasSize(HostileInput.IDENTIFIERS.size());
        for (String s : HostileInput.IDENTIFIERS) {
            if (PlainText.firstForbidden(s) < 0) {
                // exactly, but for a backslash line protocol cannot carry (MetricLines.tag)
                assertThat(merchants).contains(MetricLines.tag(s));
            }
            assertThat(summaries).contains(PlainText.visible("Critical failure rate for merchant " + s + " over 5m"));
        }
    }
}
