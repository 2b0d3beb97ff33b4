package io.paywatch.jobs.alerting;

import io.paywatch.model.Alert;
import io.paywatch.model.AlertIds;
import io.paywatch.model.Durations;
import io.paywatch.model.PatternSignal;
import io.paywatch.model.ReturnCodeCatalog;
import io.paywatch.model.RuleSettings;
import io.paywatch.model.Timestamps;
import java.util.Arrays;
import java.util.Locale;
import java.util.TreeMap;

/** The alert messages of the pattern rules: summary, recommended action, evidence. */
public final class PatternAlerts {
    private PatternAlerts() {}

    static String severityOf(String rule) {
        switch (rule) {
            case RuleSettings.CHARGED_UNFULFILLED:
            case RuleSettings.FAILED_BUT_CHARGED:
                return Severity.CRITICAL; // money taken from a payer without the order
            default:
                return Severity.WARNING;
        }
    }

    public static Alert firing(PatternSignal s, ReturnCodeCatalog catalog) {
        Alert a = base(s);
        a.status = Alert.FIRING;
        a.severity = severityOf(s.rule);
        a.startsAt = s.time;
        a.transitionAt = s.time;
        a.alertId = AlertIds.of(a.rule, a.scope, a.startsAt);
        a.value = (double) s.count;
        a.threshold = (double) s.threshold;
        String dominant = dominantCode(s);
        switch (s.rule) {
            case RuleSettings.TIMEOUT_BURST:
                a.summary = String.format(Locale.ROOT,
                        "Timeout burst: %d timed-out payments within %s for merchant %s on channel %s"
                                + " (%s to %s)", s.count, Durations.format(s.withinMs),
                        s.scopeValue("merchant_id"), s.scopeValue("channel"),
                        Timestamps.rfc3339(s.firstTime), Timestamps.rfc3339(s.time));
                a.recommendedAction = catalog.actionFor(dominant == null ? "202" : dominant);
                break;
            case RuleSettings.RISK_BLOCK:
                String keyName = s.scopeNames[0];
                a.summary = String.format(Locale.ROOT,
                        "Possible card testing: %d risk-control blocks within %s for %s %s at %d"
                                + " merchant(s) %s, codes %s", s.count, Durations.format(s.withinMs),
                        keyName, s.scopeValues[0], s.merchants.length,
                        String.join(", ", s.merchants), String.join(", ", s.codes));
                a.recommendedAction = "Block or step up verification for " + keyName + " "
                        + s.scopeValues[0] + " across merchants and review the merchants' recent"
                        + " orders from it. " + catalog.actionFor(dominant == null ? "301" : dominant);
                a.value = (double) s.count;
                break;
            case RuleSettings.CHARGED_UNFULFILLED:
                a.value = s.withinMs / 60_000.0;
                a.threshold = s.withinMs / 60_000.0;
                a.summary = String.format(Locale.ROOT,
                        "Charged but not fulfilled: order %s of merchant %s was charged %s (payment %s)"
                                + " at %s and neither fulfilled nor refunded within %s",
                        s.orderId, s.scopeValue("merchant_id"), amount(s), s.paymentId,
                        Timestamps.rfc3339(s.firstTime), Durations.format(s.withinMs));
                a.recommendedAction = "Reconcile order " + s.orderId + ": fulfil it, or refund the"
                        + " payer's " + amount(s) + " (payment " + s.paymentId + "), and tell the payer.";
                break;
            case RuleSettings.FAILED_BUT_CHARGED:
                a.summary = String.format(Locale.ROOT,
                        "Failed but charged: payment %s of merchant %s was reported failed (code %s)"
                                + " yet the payer was charged %s, %s apart",
                        s.paymentId, s.scopeValue("merchant_id"), dominant == null ? "?" : dominant,
                        amount(s), Durations.format(Math.max(0, s.time - s.firstTime)));
                a.recommendedAction = "Refund the payer's " + amount(s) + " for payment " + s.paymentId
                        + " or complete the order, and do not ask the payer to pay again before the"
                        + " funds are reconciled with the platform.";
                break;
            default:
                a.summary = s.rule + " matched";
        }
        return a;
    }

    public static Alert resolvedQuiet(OpenIncident open, long quietEnd) {
        Alert a = resolvedBase(open, quietEnd);
        a.summary = String.format(Locale.ROOT, "Resolved: no new %s for %s %s after %s (%d match(es))",
                open.first.rule.equals(RuleSettings.TIMEOUT_BURST) ? "timeout burst" : "blocks",
                open.first.scopeNames.length == 1 ? open.first.scopeNames[0] : "merchant/channel",
                String.join("/", open.first.scopeValues), Durations.format(open.first.quietMs),
                open.matches);
        return a;
    }

    public static Alert resolvedBy(OpenIncident open, PatternSignal resolver) {
        Alert a = resolvedBase(open, resolver.time);
        a.summary = String.format(Locale.ROOT, "Resolved: %s of %s %s at %s",
                resolver.resolverKind, open.first.rule.equals(RuleSettings.CHARGED_UNFULFILLED)
                        ? "order" : "payment",
                open.first.rule.equals(RuleSettings.CHARGED_UNFULFILLED) ? open.first.orderId
                        : open.first.paymentId,
                Timestamps.rfc3339(resolver.time));
        a.evidenceEventIds.add(resolver.eventIds[0]);
        return a;
    }

    private static Alert resolvedBase(OpenIncident open, long endsAt) {
        Alert first = base(open.first);
        first.status = Alert.RESOLVED;
        first.severity = open.severity;
        first.startsAt = open.startsAt;
        first.endsAt = endsAt;
        first.transitionAt = endsAt;
        first.alertId = open.alertId;
        first.value = (double) open.first.count;
        first.threshold = (double) open.first.threshold;
        first.recommendedAction = null;
        return first;
    }

    private static Alert base(PatternSignal s) {
        Alert a = new Alert();
        a.rule = s.rule;
        a.orderId = s.orderId;
        TreeMap<String, String> scope = new TreeMap<>();
        for (int i = 0; i < s.scopeNames.length; i++) {
            scope.put(s.scopeNames[i], s.scopeValues[i]);
        }
        a.scope = scope;
        for (int i = 0; i < s.codes.length; i++) {
            a.evidenceByCode.put(s.codes[i], (long) s.codeCounts[i]);
            String cat = ReturnCodeCatalog.defaultCatalog().categoryOf(s.codes[i]).wireName();
            a.evidenceByCategory.merge(cat, (long) s.codeCounts[i], Long::sum);
        }
        a.evidenceEventIds.addAll(Arrays.asList(s.eventIds));
        if (s.merchants.length > 1 || RuleSettings.RISK_BLOCK.equals(s.rule)) {
            a.evidenceMerchants.addAll(Arrays.asList(s.merchants));
        }
        return a;
    }

    private static String dominantCode(PatternSignal s) {
        String best = null;
        int n = 0;
        for (int i = 0; i < s.codes.length; i++) {
            if (s.codeCounts[i] > n) {
                best = s.codes[i];
                n = s.codeCounts[i];
            }
        }
        return best;
    }

    private static String amount(PatternSignal s) {
        if (s.amountMinor == null) {
            return "an unknown amount";
        }
        return String.format(Locale.ROOT, "%d.%02d %s", s.amountMinor / 100, s.amountMinor % 100,
                s.currency == null ? "" : s.currency).trim();
    }
}
