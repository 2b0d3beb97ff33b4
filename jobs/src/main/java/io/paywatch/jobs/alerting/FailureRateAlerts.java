package io.paywatch.jobs.alerting;

import io.paywatch.jobs.rates.FailureCounts;
import io.paywatch.model.Alert;
import io.paywatch.model.AlertIds;
import io.paywatch.model.Category;
import io.paywatch.model.Durations;
import io.paywatch.model.FailureRateSettings;
import io.paywatch.model.Measure;
import io.paywatch.model.ReturnCodeCatalog;
import io.paywatch.model.RuleSettings;
import java.util.List;
import java.util.Locale;

/** Builds the alert messages of the {@code failure_rate} rule: summary, action, evidence. */
public final class FailureRateAlerts {
    private FailureRateAlerts() {}

    /** The scope key name for a rate scope: {@code merchant_id} or {@code channel}. */
    public static String scopeKey(String rateScope) {
        return "merchant".equals(rateScope) ? RuleSettings.SCOPE_MERCHANT : RuleSettings.SCOPE_CHANNEL;
    }

    public static Alert firing(
            String rateScope,
            String key,
            long startsAt,
            long evaluationTime,
            String severity,
            double threshold,
            FailureCounts window,
            FailureRateSettings settings,
            Measure measure,
            List<String> eventIds,
            ReturnCodeCatalog catalog) {
        Alert a = base(RuleSettings.FAILURE_RATE, rateScope, key, startsAt, window, eventIds, catalog);
        a.status = Alert.FIRING;
        a.transitionAt = evaluationTime;
        a.severity = severity;
        double rate = rate(window, measure);
        a.value = round4(rate);
        a.threshold = threshold;
        markMeasure(a, measure);
        String dominant = window.dominantCode();
        a.summary = String.format(Locale.ROOT,
                "%s %s %s (%d of %d payments %s) for %s %s over %s at %s, %s"
                        + " threshold %s%s",
                severity.equals(Severity.CRITICAL) ? "Critical" : "High",
                measure == Measure.FAILURE_RATE ? "failure rate" : "system failure rate",
                percent(rate), measure.failures(window.failed, window.systemFailed()), window.total,
                measure.verb(), rateScope, key,
                Durations.format(settings.windowMs),
                io.paywatch.model.Timestamps.rfc3339(evaluationTime), severity, percent(threshold),
                dominant == null ? "" : "; mostly " + dominant + " ("
                        + catalog.meaningOf(dominant) + ")");
        return a;
    }

    public static Alert resolved(
            String rateScope,
            String key,
            long startsAt,
            long evaluationTime,
            String lastSeverity,
            FailureCounts window,
            FailureRateSettings settings,
            Measure measure,
            List<String> eventIds,
            ReturnCodeCatalog catalog) {
        Alert a = base(RuleSettings.FAILURE_RATE, rateScope, key, startsAt, window, eventIds, catalog);
        a.status = Alert.RESOLVED;
        a.severity = lastSeverity;
        a.endsAt = evaluationTime;
        a.transitionAt = evaluationTime;
        double rate = rate(window, measure);
        a.value = round4(rate);
        markMeasure(a, measure);
        boolean lowVolume = window.total < settings.minVolume;
        a.threshold = lowVolume ? (double) settings.minVolume : settings.resolveBelow;
        a.summary = lowVolume
                ? String.format(Locale.ROOT,
                        "Resolved: %s %s has %d payments over %s, below the minimum of %d",
                        rateScope, key, window.total, Durations.format(settings.windowMs),
                        settings.minVolume)
                : String.format(Locale.ROOT,
                        "Resolved: %s for %s %s back to %s (%d of %d) over %s, below %s",
                        measure == Measure.FAILURE_RATE ? "failure rate" : "system failure rate",
                        rateScope, key, percent(rate), measure.failures(window.failed,
                                window.systemFailed()), window.total,
                        Durations.format(settings.windowMs), percent(settings.resolveBelow));
        return a;
    }

    /** The window's rate by the measure. */
    public static double rate(FailureCounts window, Measure measure) {
        return measure == Measure.FAILURE_RATE ? window.failureRate() : window.systemFailureRate();
    }

    /** The measure on the alert; left out for failure_rate's default, whose alerts are as in version 1. */
    private static void markMeasure(Alert a, Measure measure) {
        if (measure != Measure.FAILURE_RATE) {
            a.measure = measure.wireName();
        }
    }

    static Alert base(String rule, String rateScope, String key, long startsAt, FailureCounts window,
            List<String> eventIds, ReturnCodeCatalog catalog) {
        Alert a = new Alert();
        a.rule = rule;
        a.scope.put(scopeKey(rateScope), key);
        a.startsAt = startsAt;
        a.alertId = AlertIds.of(a.rule, a.scope, startsAt);
        String dominant = window.dominantCode();
        a.recommendedAction = dominant == null
                ? "Check the payment channel's health and recent deployments."
                : catalog.actionFor(dominant);
        for (Category c : Category.ALL) {
            if (window.count(c) > 0) {
                a.evidenceByCategory.put(c.wireName(), (long) window.count(c));
            }
        }
        window.byCode().forEach((code, n) -> a.evidenceByCode.put(code, (long) n));
        if ("merchant".equals(rateScope)) {
            window.byChannel().forEach((ch, n) -> a.evidenceByChannel.put(ch, (long) n));
            a.channelsUsed.addAll(window.channelsUsed());
        }
        for (int i = 0; i < eventIds.size() && i < 20; i++) {
            a.evidenceEventIds.add(eventIds.get(i));
        }
        return a;
    }

    public static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.1f%%", fraction * 100);
    }

    static double round4(double d) {
        return Math.round(d * 10_000) / 10_000.0;
    }
}
