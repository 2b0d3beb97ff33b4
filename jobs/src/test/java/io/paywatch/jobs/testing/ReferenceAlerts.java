package io.paywatch.jobs.testing;

import io.paywatch.jobs.alerting.FailureRateRule;
import io.paywatch.jobs.ingest.EventParser;
import io.paywatch.jobs.ingest.ParsedRecord;
import io.paywatch.model.FailureRateSettings;
import io.paywatch.model.PaymentEvent;
import io.paywatch.model.ReturnCodeCatalog;
import io.paywatch.model.RuleSettings;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * An independent, brute-force reading of the contract for one replay file: which events are
 * accepted (not malformed, not late by more than the bound behind the newest event, not a
 * redelivery within 10 minutes), and which {@code failure_rate} transitions the rule produces
 * when every 5-minute window is counted from scratch at every 10-second evaluation. The
 * pipeline's alerts must equal these.
 */
public final class ReferenceAlerts {
    private ReferenceAlerts() {}

    public static List<PaymentEvent> acceptedEvents(List<String> lines, long boundMs) {
        EventParser parser = new EventParser(ReturnCodeCatalog.defaultCatalog());
        List<PaymentEvent> accepted = new ArrayList<>();
        Map<String, Long> seen = new HashMap<>();
        long max = Long.MIN_VALUE;
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            ParsedRecord r = parser.parse(line, "ref", 0);
            if (!r.isValid()) {
                continue;
            }
            PaymentEvent e = r.event;
            if (max != Long.MIN_VALUE && e.eventTime < max - boundMs) {
                continue; // late
            }
            max = Math.max(max, e.eventTime);
            Long first = seen.get(e.eventId);
            if (first != null && Math.abs(first - e.eventTime) <= 600_000) {
                continue; // duplicate
            }
            seen.put(e.eventId, e.eventTime);
            accepted.add(e);
        }
        return accepted;
    }

    /**
     * {@code charged_unfulfilled}: "merchant|order" of every accepted charge with no accepted
     * fulfilment or refund of its order within {@code withinMs}, whose deadline is at or before
     * {@code cutoff}.
     */
    public static TreeSet<String> unfulfilledCharges(List<PaymentEvent> events, long withinMs, long cutoff) {
        Map<String, List<PaymentEvent>> byOrder = new HashMap<>();
        for (PaymentEvent e : events) {
            byOrder.computeIfAbsent(e.merchantId + "|" + e.orderId, k -> new ArrayList<>()).add(e);
        }
        TreeSet<String> out = new TreeSet<>();
        for (Map.Entry<String, List<PaymentEvent>> o : byOrder.entrySet()) {
            for (PaymentEvent c : o.getValue()) {
                if (c.kind != io.paywatch.model.EventKind.CHARGE || c.eventTime + withinMs > cutoff) {
                    continue;
                }
                boolean done = o.getValue().stream().anyMatch(x ->
                        (x.kind == io.paywatch.model.EventKind.FULFILMENT
                                || x.kind == io.paywatch.model.EventKind.REFUND)
                        && x.eventTime >= c.eventTime && x.eventTime <= c.eventTime + withinMs);
                if (!done) {
                    out.add(o.getKey());
                }
            }
        }
        return out;
    }

    /** Transitions as {@code "scopeKey=key status severity startsAt endsAt"} lines, sorted. */
    public static TreeSet<String> failureRateTransitions(List<PaymentEvent> events, RuleSettings rules) {
        return failureRateTransitions(events, rules, Long.MAX_VALUE);
    }

    /**
     * Transitions of evaluations up to event time {@code cutoff}: at the end of a bounded input
     * event time stops at what the data supports (newest event − bound − 1).
     */
    public static TreeSet<String> failureRateTransitions(List<PaymentEvent> events, RuleSettings rules,
            long cutoff) {
        TreeSet<String> out = new TreeSet<>();
        for (String scope : List.of(RuleSettings.SCOPE_MERCHANT, RuleSettings.SCOPE_CHANNEL)) {
            Map<String, List<PaymentEvent>> byKey = new TreeMap<>();
            for (PaymentEvent e : events) {
                if (e.isPayment()) {
                    byKey.computeIfAbsent(scope.equals(RuleSettings.SCOPE_MERCHANT) ? e.merchantId
                            : e.channel, k -> new ArrayList<>()).add(e);
                }
            }
            for (Map.Entry<String, List<PaymentEvent>> k : byKey.entrySet()) {
                FailureRateSettings s = rules.failureRateFor(scope, k.getKey());
                List<PaymentEvent> list = k.getValue();
                long min = list.stream().mapToLong(e -> e.eventTime).min().getAsLong();
                long maxT = list.stream().mapToLong(e -> e.eventTime).max().getAsLong();
                String severity = null;
                long since = 0;
                for (long t = Math.floorDiv(min, s.everyMs) * s.everyMs + s.everyMs;
                        t <= maxT + s.windowMs + s.everyMs && t - 1 <= cutoff; t += s.everyMs) {
                    int total = 0;
                    int failed = 0;
                    for (PaymentEvent e : list) {
                        if (e.eventTime >= t - s.windowMs && e.eventTime < t) {
                            total++;
                            failed += e.failed ? 1 : 0;
                        }
                    }
                    double rate = total == 0 ? 0 : (double) failed / total;
                    FailureRateRule.Decision d = FailureRateRule.evaluate(severity, total, rate, s);
                    switch (d.transition) {
                        case FIRE:
                            since = t;
                            severity = d.severity;
                            out.add(scope + "=" + k.getKey() + " firing " + severity + " " + since + " -");
                            break;
                        case SEVERITY_CHANGE:
                            severity = d.severity;
                            out.add(scope + "=" + k.getKey() + " firing " + severity + " " + since + " -");
                            break;
                        case RESOLVE:
                            out.add(scope + "=" + k.getKey() + " resolved " + severity + " " + since + " " + t);
                            severity = null;
                            break;
                        default:
                            break;
                    }
                }
            }
        }
        return out;
    }
}
