package io.paywatch.jobs.alerting;

import io.paywatch.jobs.rates.FailureCounts;
import io.paywatch.model.Alert;
import io.paywatch.model.AnomalySettings;
import io.paywatch.model.Durations;
import io.paywatch.model.ReturnCodeCatalog;
import io.paywatch.model.RuleSettings;
import io.paywatch.model.Timestamps;
import io.paywatch.model.TrafficDropSettings;
import java.util.List;
import java.util.Locale;

/**
 * The alert messages of the adaptive rules, {@code failure_rate_anomaly} and
 * {@code traffic_drop} (contract section 3b): they say what is unusual against what is usual,
 * in words an on-call SRE reads at 3 am.
 */
public final class AdaptiveAlerts {
    private AdaptiveAlerts() {}

    public static Alert anomalyFiring(String rateScope, String key, long startsAt, long evaluationTime,
            long windowMs, FailureCounts window, double baseline, double threshold, AnomalySettings s,
            List<String> eventIds, ReturnCodeCatalog catalog) {
        Alert a = anomaly(Alert.FIRING, rateScope, key, startsAt, evaluationTime, window, baseline,
                threshold, s, eventIds, catalog);
        double rate = FailureRateAlerts.rate(window, s.measure);
        String dominant = window.dominantCode();
        a.summary = String.format(Locale.ROOT, "%s %s: %s of %,d payments %s over %s; its usual rate is %s (%s)%s",
                rateScope, key, percent(rate), window.total, s.measure.verb(),
                Durations.format(windowMs), percent(baseline), trailing(s.baselineMs),
                dominant == null ? "" : "; mostly " + dominant + " (" + catalog.meaningOf(dominant) + ")");
        return a;
    }

    public static Alert anomalyResolved(String rateScope, String key, long startsAt, long evaluationTime,
            long windowMs, FailureCounts window, double baseline, double resolveThreshold, AnomalySettings s,
            List<String> eventIds, ReturnCodeCatalog catalog) {
        Alert a = anomaly(Alert.RESOLVED, rateScope, key, startsAt, evaluationTime, window, baseline,
                resolveThreshold, s, eventIds, catalog);
        a.endsAt = evaluationTime;
        double rate = FailureRateAlerts.rate(window, s.measure);
        String over = Durations.format(windowMs);
        a.summary = window.total < s.minVolume
                ? String.format(Locale.ROOT, "Resolved: %s %s has %,d payments over %s, below the minimum of %d",
                        rateScope, key, window.total, over, s.minVolume)
                : String.format(Locale.ROOT, "Resolved: %s %s: %s of %,d payments %s over %s, below %s"
                                + " (its usual rate %s plus half the %s-point margin)",
                        rateScope, key, percent(rate), window.total, s.measure.verb(), over,
                        percent(resolveThreshold), percent(baseline), points(s.minIncrease));
        return a;
    }

    /** What an anomaly's firing and resolution share: the window's rate by the measure, the baseline. */
    private static Alert anomaly(String status, String rateScope, String key, long startsAt, long evaluationTime,
            FailureCounts window, double baseline, double threshold, AnomalySettings s, List<String> eventIds,
            ReturnCodeCatalog catalog) {
        Alert a = FailureRateAlerts.base(RuleSettings.FAILURE_RATE_ANOMALY, rateScope, key, startsAt,
                window, eventIds, catalog);
        a.status = status;
        a.severity = Severity.WARNING;
        a.transitionAt = evaluationTime;
        a.value = FailureRateAlerts.round4(FailureRateAlerts.rate(window, s.measure));
        a.threshold = FailureRateAlerts.round4(threshold);
        a.measure = s.measure.wireName();
        a.evidenceBaseline = FailureRateAlerts.round4(baseline);
        return a;
    }

    public static Alert dropFiring(String rateScope, String key, long startsAt, long evaluationTime,
            String severity, FailureCounts window, double baselineVolume, double threshold,
            TrafficDropSettings s, ReturnCodeCatalog catalog) {
        Alert a = FailureRateAlerts.base(RuleSettings.TRAFFIC_DROP, rateScope, key, startsAt, window,
                List.of(), catalog);
        a.status = Alert.FIRING;
        a.severity = severity;
        a.transitionAt = evaluationTime;
        a.value = (double) window.total;
        a.threshold = FailureRateAlerts.round4(threshold);
        a.evidenceBaselineVolume = FailureRateAlerts.round4(baselineVolume);
        String over = Durations.format(s.windowMs);
        a.summary = window.total == 0
                ? String.format(Locale.ROOT, "%s %s: no payments over %s at %s; it usually has %,.0f (%s)",
                        rateScope, key, over, Timestamps.rfc3339(evaluationTime), baselineVolume,
                        trailing(s.baselineMs))
                : String.format(Locale.ROOT, "%s %s: %,d payments over %s at %s, %s of its usual %,.0f (%s)",
                        rateScope, key, window.total, over, Timestamps.rfc3339(evaluationTime),
                        percent(window.total / baselineVolume), baselineVolume, trailing(s.baselineMs));
        a.recommendedAction = "merchant".equals(rateScope)
                ? "Payments from this merchant stopped arriving: check its checkout and its"
                        + " connection to the gateway, and recent releases on either side."
                : "Payments on this channel stopped arriving: check the channel's SDK and provider"
                        + " connectivity, and recent client releases.";
        return a;
    }

    public static Alert dropResolved(String rateScope, String key, long startsAt, long evaluationTime,
            String lastSeverity, FailureCounts window, double baselineVolume, double threshold,
            TrafficDropSettings s, ReturnCodeCatalog catalog) {
        Alert a = dropFiring(rateScope, key, startsAt, evaluationTime, lastSeverity, window,
                baselineVolume, threshold, s, catalog);
        a.status = Alert.RESOLVED;
        a.endsAt = evaluationTime;
        a.summary = String.format(Locale.ROOT, "Resolved: %s %s: %,d payments over %s, %s of its usual %,.0f",
                rateScope, key, window.total, Durations.format(s.windowMs),
                percent(window.total / baselineVolume), baselineVolume);
        return a;
    }

    private static String trailing(long baselineMs) {
        return baselineMs == 3_600_000 ? "last hour" : "last " + Durations.format(baselineMs);
    }

    /** "12.4 %", as the contract's example writes it. */
    static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.1f %%", fraction * 100);
    }

    private static String points(double fraction) {
        return String.format(Locale.ROOT, "%.1f", fraction * 100);
    }
}
