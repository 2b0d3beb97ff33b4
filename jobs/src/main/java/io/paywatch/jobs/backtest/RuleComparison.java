package io.paywatch.jobs.backtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Backtesting a rule change: the incidents two rule sets raise over the same events, compared.
 * An incident is one {@code alert_id}: its rule, scope, start, highest severity and end. Incidents
 * of the same rule and scope whose times overlap are the same incident seen by both sets; if their
 * start or highest severity differs they are {@code changed}. The others are only the candidate's
 * or only the current set's.
 */
public final class RuleComparison {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One incident of one rule set. */
    public static final class Incident {
        public final String alertId;
        public final String rule;
        public final JsonNode scope;
        public final String startsAt;
        public String endsAt;
        public String severity;

        Incident(String alertId, String rule, JsonNode scope, String startsAt) {
            this.alertId = alertId;
            this.rule = rule;
            this.scope = scope;
            this.startsAt = startsAt;
        }

        String key() {
            return rule + " " + scope;
        }

        boolean overlaps(Incident o) {
            String end = endsAt == null ? "9999" : endsAt;
            String otherEnd = o.endsAt == null ? "9999" : o.endsAt;
            return startsAt.compareTo(otherEnd) <= 0 && o.startsAt.compareTo(end) <= 0;
        }

        ObjectNode toJson() {
            ObjectNode n = JSON.createObjectNode();
            n.put("alert_id", alertId);
            n.put("rule", rule);
            n.set("scope", scope);
            n.put("starts_at", startsAt);
            if (endsAt != null) {
                n.put("ends_at", endsAt);
            }
            n.put("severity", severity);
            return n;
        }
    }

    public final List<Incident> onlyCandidate = new ArrayList<>();
    public final List<Incident> onlyCurrent = new ArrayList<>();
    /** Pairs: candidate, current. */
    public final List<Incident[]> changed = new ArrayList<>();
    public final Map<String, Integer> candidateCounts = new TreeMap<>();
    public final Map<String, Integer> currentCounts = new TreeMap<>();
    public int same;

    private RuleComparison() {}

    /** Compares the alert files (JSONL lines) of the candidate and the current rule set. */
    public static RuleComparison compare(List<String> candidateAlerts, List<String> currentAlerts) {
        RuleComparison c = new RuleComparison();
        List<Incident> cand = incidents(candidateAlerts);
        List<Incident> curr = incidents(currentAlerts);
        cand.forEach(i -> c.candidateCounts.merge(i.rule, 1, Integer::sum));
        curr.forEach(i -> c.currentCounts.merge(i.rule, 1, Integer::sum));
        List<Incident> unmatched = new ArrayList<>(curr);
        for (Incident i : cand) {
            Incident match = null;
            for (Incident j : unmatched) {
                if (j.key().equals(i.key()) && j.overlaps(i)) {
                    match = j;
                    break;
                }
            }
            if (match == null) {
                c.onlyCandidate.add(i);
                continue;
            }
            unmatched.remove(match);
            if (match.startsAt.equals(i.startsAt) && match.severity.equals(i.severity)) {
                c.same++;
            } else {
                c.changed.add(new Incident[] {i, match});
            }
        }
        c.onlyCurrent.addAll(unmatched);
        return c;
    }

    static List<Incident> incidents(List<String> alertLines) {
        Map<String, Incident> byId = new LinkedHashMap<>();
        for (String line : alertLines) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode a;
            try {
                a = JSON.readTree(line);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            String id = a.path("alert_id").asText();
            Incident i = byId.computeIfAbsent(id, k -> new Incident(id, a.path("rule").asText(),
                    a.path("scope"), a.path("starts_at").asText()));
            String sev = a.path("severity").asText();
            if (i.severity == null || rank(sev) > rank(i.severity)) {
                i.severity = sev;
            }
            if (a.path("status").asText().equals("resolved")) {
                i.endsAt = a.path("ends_at").asText();
            }
        }
        List<Incident> out = new ArrayList<>(byId.values());
        out.sort(Comparator.comparing((Incident i) -> i.startsAt).thenComparing(Incident::key));
        return out;
    }

    private static int rank(String severity) {
        switch (severity) {
            case "critical":
                return 3;
            case "warning":
                return 2;
            default:
                return 1;
        }
    }

    /** The contract's diff document: only_candidate, only_current, changed, counts per rule. */
    public String toJson(String candidateName, String currentName) {
        ObjectNode root = JSON.createObjectNode();
        root.put("candidate", candidateName);
        root.put("current", currentName);
        ArrayNode oc = root.putArray("only_candidate");
        onlyCandidate.forEach(i -> oc.add(i.toJson()));
        ArrayNode ou = root.putArray("only_current");
        onlyCurrent.forEach(i -> ou.add(i.toJson()));
        ArrayNode ch = root.putArray("changed");
        for (Incident[] p : changed) {
            ObjectNode n = ch.addObject();
            n.put("rule", p[0].rule);
            n.set("scope", p[0].scope);
            n.set("candidate", p[0].toJson());
            n.set("current", p[1].toJson());
        }
        ObjectNode counts = root.putObject("counts");
        ObjectNode cc = counts.putObject("candidate");
        candidateCounts.forEach(cc::put);
        ObjectNode cu = counts.putObject("current");
        currentCounts.forEach(cu::put);
        root.put("same", same);
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A readable summary for the console. */
    public List<String> summary() {
        List<String> out = new ArrayList<>();
        TreeMap<String, Integer> rules = new TreeMap<>(candidateCounts);
        currentCounts.keySet().forEach(r -> rules.putIfAbsent(r, 0));
        out.add(String.format("  %-22s %10s %10s", "incidents per rule", "candidate", "current"));
        for (String r : rules.keySet()) {
            out.add(String.format("  %-22s %10d %10d", r, candidateCounts.getOrDefault(r, 0),
                    currentCounts.getOrDefault(r, 0)));
        }
        out.add(String.format("  same %d, changed %d, only with the candidate %d, only with the current %d",
                same, changed.size(), onlyCandidate.size(), onlyCurrent.size()));
        for (Incident i : onlyCandidate.subList(0, Math.min(5, onlyCandidate.size()))) {
            out.add("  + " + i.rule + " " + i.scope + " from " + i.startsAt + " (" + i.severity + ")");
        }
        for (Incident i : onlyCurrent.subList(0, Math.min(5, onlyCurrent.size()))) {
            out.add("  - " + i.rule + " " + i.scope + " from " + i.startsAt + " (" + i.severity + ")");
        }
        return out;
    }
}
