package io.paywatch.jobs.rates;

import io.paywatch.jobs.alerting.AdaptiveAlerts;
import io.paywatch.jobs.alerting.AnomalyRule;
import io.paywatch.jobs.alerting.FailureRateRule;
import io.paywatch.jobs.alerting.TrafficDropRule;
import io.paywatch.model.Alert;
import io.paywatch.model.AnomalySettings;
import io.paywatch.model.FailureRateSettings;
import io.paywatch.model.ReturnCodeCatalog;
import io.paywatch.model.RuleSettings;
import io.paywatch.model.TrafficDropSettings;
import java.util.List;
import java.util.function.Consumer;

/**
 * The adaptive rules of one rate scope at one evaluation of a key (contract section 3b):
 * {@code failure_rate_anomaly} and {@code traffic_drop} judged on the window the
 * {@code failure_rate} rule just measured, against baselines learned from the buckets that left
 * earlier windows. Plain logic over a key's {@link AdaptiveKeyState}, called by
 * {@link FailureRateFunction}: no exchange, no state of its own.
 */
public final class AdaptiveRules {
    /** Something computed only when an alert needs it (a merchant's full window, its failures). */
    public interface Lazy<T> {
        T get() throws Exception;
    }

    /** The key's baselines at the evaluation, for its {@code paywatch_rate} point; null when none. */
    public static final class Baselines {
        public static final Baselines NONE = new Baselines(null, null);
        public final Double failureRate;
        public final Double volume;

        Baselines(Double failureRate, Double volume) {
            this.failureRate = failureRate;
            this.volume = volume;
        }
    }

    private final String scope;
    private final ReturnCodeCatalog catalog;
    private final boolean anomalyOn;
    private final boolean dropOn;

    public AdaptiveRules(String scope, RuleSettings rules, ReturnCodeCatalog catalog) {
        this.scope = scope;
        this.catalog = catalog;
        this.anomalyOn = rules.enabled(RuleSettings.FAILURE_RATE_ANOMALY);
        this.dropOn = rules.enabled(RuleSettings.TRAFFIC_DROP);
    }

    /**
     * Judges the window ending at {@code evaluationTime} ({@code window}: its totals and
     * categories) with the key's settings now (rules file or live override) and sends each
     * rule's transitions to {@code alerts}.
     */
    public Baselines evaluate(AdaptiveKeyState st, String key, AnomalySettings anomaly,
            TrafficDropSettings drop, long evaluationTime, long windowMs,
            FailureCounts window, Lazy<FailureCounts> fullWindow, Lazy<List<String>> failures,
            Consumer<Alert> alerts) throws Exception {
        Double shownRate = null;
        Double shownVolume = null;
        if (anomalyOn) {
            AnomalySettings s = anomaly;
            double baseline = io.paywatch.jobs.rates.Baselines.failureRate(st.history, evaluationTime, windowMs, s);
            AdaptiveIncident inc = st.anomaly;
            FailureRateRule.Decision d = AnomalyRule.evaluate(inc.firing(), inc.baseline, window.total,
                    s.measure.failures(window.failed, window.systemFailed()), baseline, s);
            if (d.transition == FailureRateRule.Transition.FIRE) {
                inc.severity = d.severity;
                inc.since = evaluationTime;
                inc.baseline = baseline;
                alerts.accept(AdaptiveAlerts.anomalyFiring(scope, key, evaluationTime, evaluationTime,
                        windowMs, fullWindow.get(), baseline, d.threshold, s, failures.get(), catalog));
            } else if (d.transition == FailureRateRule.Transition.RESOLVE) {
                alerts.accept(AdaptiveAlerts.anomalyResolved(scope, key, inc.since, evaluationTime,
                        windowMs, fullWindow.get(), inc.baseline, d.threshold, s, failures.get(), catalog));
                inc.severity = null;
            }
            if (inc.firing()) {
                inc.lastHeld = evaluationTime;
            }
            shownRate = shown(baseline, inc);
        }
        if (dropOn) {
            TrafficDropSettings s = drop;
            double baseline = io.paywatch.jobs.rates.Baselines.volume(st.history, evaluationTime, windowMs, s);
            AdaptiveIncident inc = st.drop;
            FailureRateRule.Decision d = TrafficDropRule.evaluate(inc.severity, inc.baseline,
                    window.total, baseline, s);
            switch (d.transition) {
                case FIRE:
                    inc.since = evaluationTime;
                    inc.baseline = baseline;
                    // fall through: a new incident and a severity change both send "firing"
                case SEVERITY_CHANGE:
                    inc.severity = d.severity;
                    Alert firing = AdaptiveAlerts.dropFiring(scope, key, inc.since, evaluationTime,
                            d.severity, fullWindow.get(), inc.baseline, d.threshold, s, catalog);
                    // what the merchant's traffic usually rides on (its window may hold none of it)
                    firing.channelsUsed = new java.util.ArrayList<>(st.channelsSince(
                            io.paywatch.jobs.rates.Baselines.endMinute(evaluationTime, windowMs)
                                    - s.baselineMs / TrailingMinutes.MINUTE_MS));
                    alerts.accept(firing);
                    break;
                case RESOLVE:
                    alerts.accept(AdaptiveAlerts.dropResolved(scope, key, inc.since, evaluationTime,
                            inc.severity, fullWindow.get(), inc.baseline, d.threshold, s, catalog));
                    inc.severity = null;
                    break;
                default:
                    break;
            }
            if (inc.firing()) {
                inc.lastHeld = evaluationTime;
            }
            shownVolume = shown(baseline, inc);
        }
        return shownRate == null && shownVolume == null ? Baselines.NONE : new Baselines(shownRate, shownVolume);
    }

    /** The baseline for the key's point: learned now, else the one an open incident fired on. */
    private static Double shown(double baseline, AdaptiveIncident inc) {
        if (!Double.isNaN(baseline)) {
            return baseline;
        }
        return inc.firing() ? Double.valueOf(inc.baseline) : null;
    }

    /**
     * Adds the bucket that leaves the window after the evaluation at {@code evaluationTime} (the
     * oldest of that window; null when empty) to the key's history, marked for each rule that
     * held at any evaluation whose window held it. A key's history starts with its first payment.
     */
    public void learn(AdaptiveKeyState st, FailureCounts leaving, long evaluationTime,
            FailureRateSettings s) {
        TrailingMinutes h = st.history;
        if (leaving == null && h.firstMinute == Long.MIN_VALUE) {
            return;
        }
        long start = evaluationTime - s.windowMs;
        // the bucket was in the windows ending from its end up to this evaluation
        long firstWindowWithIt = start + s.everyMs;
        int flags = (st.anomaly.lastHeld >= firstWindowWithIt ? TrailingMinutes.ANOMALY_FIRED : 0)
                | (st.drop.lastHeld >= firstWindowWithIt ? TrailingMinutes.DROP_FIRED : 0);
        if (leaving == null) {
            h.add(start, 0, 0, 0, flags);
        } else {
            h.add(start, leaving.total, leaving.failed, leaving.systemFailed(), flags);
            if (!scope.equals(RateSnapshot.CHANNEL) && leaving.channels.length > 0) {
                st.noteChannels(leaving.channels, TrailingMinutes.minuteOf(start), h.newestMinute - h.capacity + 1);
            }
        }
    }

    /**
     * Whether the key must be evaluated at every bucket end from {@code next} on, payments or
     * not: an adaptive incident is open, or {@code traffic_drop} could fire (the key's usual
     * volume is established), which it must do on an empty window too.
     */
    public boolean evaluatedEveryBucket(AdaptiveKeyState st, TrafficDropSettings s, long next, long windowMs) {
        if (st.anyFiring()) {
            return true;
        }
        if (!dropOn) {
            return false;
        }
        double baseline = io.paywatch.jobs.rates.Baselines.volume(st.history, next, windowMs, s);
        return !Double.isNaN(baseline) && baseline >= s.minBaseline;
    }

    /**
     * The first evaluation from {@code candidate} on at which no payment of the key's history
     * lies in any baseline any more, or {@link Long#MIN_VALUE} when that is already so: the key
     * is then forgotten.
     */
    public long historyExpires(AdaptiveKeyState st, long candidate, FailureRateSettings s) {
        long last = st.history.lastMinuteWithPayments();
        if (last == Long.MIN_VALUE) {
            return Long.MIN_VALUE;
        }
        long baselineMinutes = st.history.capacity - 1;
        // the baseline of the window ending at T covers minutes up to minuteOf(T - window)
        long clearOfIt = (last + baselineMinutes + 1) * TrailingMinutes.MINUTE_MS + s.windowMs;
        long at = Math.floorDiv(clearOfIt + s.everyMs - 1, s.everyMs) * s.everyMs;
        return at <= candidate ? Long.MIN_VALUE : at;
    }
}
