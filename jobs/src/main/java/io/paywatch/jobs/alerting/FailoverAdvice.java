package io.paywatch.jobs.alerting;

import io.paywatch.model.Alert;
import io.paywatch.model.Durations;
import io.paywatch.model.RuleSettings;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Where to send the traffic instead (contract section 3c): the other channels with at least
 * {@link #MIN_PAYMENTS} payments in the same window, with their live success rates, best first —
 * for a merchant's alert, among the channels that merchant used, leaving out the one carrying its
 * failures, and any channel with a firing channel alert of its own. A firing alert's
 * {@code recommended_action} names the best one. Pure logic over the channel windows of the
 * evaluation at or before the alert.
 */
public final class FailoverAdvice {
    public static final int MIN_PAYMENTS = 20;
    private static final Set<String> RULES = Set.of(RuleSettings.FAILURE_RATE,
            RuleSettings.FAILURE_RATE_ANOMALY, RuleSettings.TRAFFIC_DROP, RuleSettings.TIMEOUT_BURST);

    /** Best first: success rate, then more payments, then the name (ties are deterministic). */
    static final Comparator<Alert.Alternative> BEST = Comparator
            .comparingDouble((Alert.Alternative x) -> -x.successRate)
            .thenComparingLong(x -> -x.total)
            .thenComparing(x -> x.channel);

    private FailoverAdvice() {}

    public static boolean applies(Alert a) {
        return RULES.contains(a.rule);
    }

    /**
     * Adds the alternatives (in place) from {@code windows}: the channels' windows of the latest
     * evaluation at or before the alert's transition.
     */
    public static Alert advise(Alert a, Collection<ChannelWindow> windows, Set<String> unhealthy) {
        long evaluationTime = Long.MIN_VALUE;
        for (ChannelWindow w : windows) {
            if (w.time <= a.transitionTime() && w.time > evaluationTime) {
                evaluationTime = w.time;
            }
        }
        String own = a.scope.get(RuleSettings.SCOPE_CHANNEL);
        boolean merchantOnly = own == null && a.scope.containsKey(RuleSettings.SCOPE_MERCHANT);
        String failing = merchantOnly ? Inhibition.causeChannel(a) : own;
        List<Alert.Alternative> alternatives = new ArrayList<>();
        long windowMs = 0;
        for (ChannelWindow w : windows) {
            if (w.time != evaluationTime || w.total < MIN_PAYMENTS || w.channel.equals(failing)
                    || w.channel.equals(own) || unhealthy.contains(w.channel)
                    || (merchantOnly && !a.channelsUsed.isEmpty() && !a.channelsUsed.contains(w.channel))) {
                continue;
            }
            alternatives.add(new Alert.Alternative(w.channel,
                    Math.round(w.successRate() * 10_000) / 10_000.0, w.total));
            windowMs = w.windowMs;
        }
        alternatives.sort(BEST);
        a.evidenceAlternatives = new ArrayList<>(alternatives);
        if (!alternatives.isEmpty() && Alert.FIRING.equals(a.status)) {
            Alert.Alternative best = alternatives.get(0);
            String advice = String.format(Locale.ROOT, "switch to %s: %.1f %% of %,d payments succeeded over %s",
                    best.channel, best.successRate * 100, best.total, Durations.format(windowMs));
            a.recommendedAction = a.recommendedAction == null || a.recommendedAction.isEmpty()
                    ? capitalised(advice) + "."
                    : a.recommendedAction + (a.recommendedAction.endsWith(".") ? " " : ". ")
                            + "Best alternative: " + advice + ".";
        }
        return a;
    }

    private static String capitalised(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
