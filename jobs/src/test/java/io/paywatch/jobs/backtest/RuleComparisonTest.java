package io.paywatch.jobs.backtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class RuleComparisonTest {
    static String alert(String id, String scope, String status, String severity, String start, String end) {
        return "{\"alert_id\":\"" + id + "\",\"rule\":\"failure_rate\",\"status\":\"" + status
                + "\",\"severity\":\"" + severity + "\",\"scope\":{\"channel\":\"" + scope
                + "\"},\"starts_at\":\"" + start + "\"" + (end == null ? "" : ",\"ends_at\":\"" + end + "\"")
                + ",\"summary\":\"s\"}";
    }

    @Test
    void pairsOverlappingIncidentsAndReportsWhatChanged() {
        List<String> candidate = List.of(
                alert("a1", "wallet", "firing", "warning", "10:12", null),
                alert("a1", "wallet", "firing", "critical", "10:12", null),
                alert("a1", "wallet", "resolved", "critical", "10:12", "10:20"),
                alert("b1", "qr", "firing", "warning", "10:40", null),
                alert("b1", "qr", "resolved", "warning", "10:40", "10:45"),
                alert("c1", "card", "firing", "warning", "10:50", null));
        List<String> current = List.of(
                alert("a2", "wallet", "firing", "warning", "10:13", null),
                alert("a2", "wallet", "resolved", "warning", "10:13", "10:19"),
                alert("b2", "qr", "firing", "warning", "10:40", null),
                alert("b2", "qr", "resolved", "warning", "10:40", "10:44"),
                alert("d2", "bnpl", "firing", "warning", "10:30", null),
                alert("d2", "bnpl", "resolved", "warning", "10:30", "10:31"));
        RuleComparison c = RuleComparison.compare(candidate, current);
        assertThat(c.same).isEqualTo(1); // qr: same start and severity
        assertThat(c.changed).hasSize(1); // wallet: later start and lower severity in the current
        assertThat(c.changed.get(0)[0].severity).isEqualTo("critical");
        assertThat(c.changed.get(0)[1].startsAt).isEqualTo("10:13");
        assertThat(c.onlyCandidate).extracting(i -> i.alertId).containsExactly("c1");
        assertThat(c.onlyCurrent).extracting(i -> i.alertId).containsExactly("d2");
        assertThat(c.candidateCounts).containsEntry("failure_rate", 3);
        assertThat(c.currentCounts).containsEntry("failure_rate", 3);
        String json = c.toJson("cand.yaml", "current.yaml");
        assertThat(json).contains("\"only_candidate\"", "\"only_current\"", "\"changed\"", "\"counts\"");
    }

    @Test
    void incidentsOfTheSameScopeThatDoNotOverlapAreNotPaired() {
        RuleComparison c = RuleComparison.compare(
                List.of(alert("x", "card", "firing", "warning", "10:00", null),
                        alert("x", "card", "resolved", "warning", "10:00", "10:05")),
                List.of(alert("y", "card", "firing", "warning", "10:30", null)));
        assertThat(c.onlyCandidate).hasSize(1);
        assertThat(c.onlyCurrent).hasSize(1);
        assertThat(c.changed).isEmpty();
    }
}
