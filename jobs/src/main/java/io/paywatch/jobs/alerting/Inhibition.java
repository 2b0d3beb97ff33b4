package io.paywatch.jobs.alerting;

import io.paywatch.model.Alert;
import io.paywatch.model.RuleSettings;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One page for an outage, not one per merchant: while a channel's {@code failure_rate} or
 * {@code failure_rate_anomaly} alert fires, a merchant's incident of either rule whose failures
 * are mostly on that channel (and a merchant's {@code traffic_drop} on a channel whose own
 * {@code traffic_drop} fires) is
 * inhibited — recorded, marked {@code inhibited_by}, but not paged — and listed in the channel
 * alert's evidence when it resolves. An incident inhibited when it fired stays inhibited to its
 * end (no lone "resolved" page for something never paged). Pure logic over alerts in event-time
 * order; its state is serialisable.
 */
public final class Inhibition implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Share of a merchant's failures on the channel that makes the channel its cause. */
    public static final double CAUSE_SHARE = 0.5;

    /** Firing channel alerts: channel → alert id. */
    final Map<String, String> firingChannels = new HashMap<>();
    /** Channel alert id → merchant alert ids it inhibited. */
    final Map<String, List<String>> inhibitedBy = new HashMap<>();
    /** Inhibited merchant incidents (alert id → channel alert id), until they resolve. */
    final Map<String, String> inhibitedIncidents = new HashMap<>();
    /** Silenced incidents (alert id → the window's reason), until they resolve. */
    final Map<String, String> silencedIncidents = new HashMap<>();

    /**
     * Planned maintenance: an incident that starts inside a silence of its channel or merchant is
     * marked silenced (recorded, not paged) for its whole life.
     */
    public Alert applySilences(Alert a, List<io.paywatch.model.Silence> silences) {
        String already = silencedIncidents.get(a.alertId);
        if (already != null) {
            a.silencedBy = already;
            if (Alert.RESOLVED.equals(a.status)) {
                silencedIncidents.remove(a.alertId);
            }
            return a;
        }
        if (Alert.FIRING.equals(a.status) && a.transitionTime() == a.startsAt) {
            for (io.paywatch.model.Silence s : silences) {
                if (s.covers(a.scope, a.startsAt)) {
                    a.silencedBy = s.reason;
                    silencedIncidents.put(a.alertId, s.reason);
                    break;
                }
            }
        }
        return a;
    }

    /** The rules whose channel alerts explain merchant alerts: the failure rates, static and adaptive. */
    private static final Set<String> RATE_RULES =
            Set.of(RuleSettings.FAILURE_RATE, RuleSettings.FAILURE_RATE_ANOMALY);

    /**
     * The key of a firing channel alert in {@link #firingChannels}: the channel itself for
     * {@code failure_rate} (as state written before version 2 holds it), the rule, U+001F and the
     * channel for the others (a control character, so no channel name can collide).
     */
    static String firingKey(String rule, String channel) {
        return RuleSettings.FAILURE_RATE.equals(rule) ? channel : rule + '\u001f' + channel;
    }

    /** Marks the alert (in place) with the deployment's defaults and returns it. */
    public Alert apply(Alert a) {
        return apply(a, DEFAULTS);
    }

    private static final RuleSettings DEFAULTS = RuleSettings.defaults();

    /** Marks the alert (in place) and returns it; {@code rules} give each order's horizon. */
    public Alert apply(Alert a, RuleSettings rules) {
        if (RuleSettings.FAILED_BUT_CHARGED.equals(a.rule) || RuleSettings.CHARGED_UNFULFILLED.equals(a.rule)) {
            return onePagePerOrder(a, rules);
        }
        if (!RATE_RULES.contains(a.rule) && !RuleSettings.TRAFFIC_DROP.equals(a.rule)) {
            return a;
        }
        String channel = a.scope.get(RuleSettings.SCOPE_CHANNEL);
        if (channel != null) {
            if (sameScopeFailureRate(a, firingChannels.get(channel))) {
                return a; // the channel's failure_rate alert pages for it
            }
            if (Alert.FIRING.equals(a.status)) {
                firingChannels.put(firingKey(a.rule, channel), a.alertId);
            } else {
                firingChannels.remove(firingKey(a.rule, channel));
                List<String> inhibited = inhibitedBy.remove(a.alertId);
                if (inhibited != null) {
                    a.evidenceInhibited.addAll(inhibited);
                }
            }
            return a;
        }
        String merchant = a.scope.get(RuleSettings.SCOPE_MERCHANT);
        if (merchant == null) {
            return a;
        }
        if (RuleSettings.FAILURE_RATE.equals(a.rule)) {
            // kept for the merchant's anomaly alerts, which its failure_rate alert inhibits
            String key = merchantFiringKey(merchant);
            if (Alert.FIRING.equals(a.status)) {
                firingChannels.put(key, a.alertId);
            } else {
                firingChannels.remove(key);
                List<String> inhibited = inhibitedBy.remove(a.alertId);
                if (inhibited != null) {
                    a.evidenceInhibited.addAll(inhibited);
                }
            }
        }
        if (stillInhibited(a)) {
            return a;
        }
        if (sameScopeFailureRate(a, firingChannels.get(merchantFiringKey(merchant)))) {
            return a;
        }
        // a merchant's traffic_drop on a channel whose own traffic_drop fires: one page, the channel's
        if (RuleSettings.TRAFFIC_DROP.equals(a.rule) && Alert.FIRING.equals(a.status) && isFirstTransition(a)) {
            for (String ch : a.channelsUsed) { // sorted: the first by name when several drop
                String channelAlert = firingChannels.get(firingKey(RuleSettings.TRAFFIC_DROP, ch));
                if (channelAlert != null && ch.indexOf('\u001f') < 0) {
                    a.inhibitedBy = channelAlert;
                    inhibitedIncidents.put(a.alertId, channelAlert);
                    List<String> list = inhibitedBy.computeIfAbsent(channelAlert, k -> new ArrayList<>());
                    if (!list.contains(merchant)) {
                        list.add(merchant);
                    }
                    break;
                }
            }
            return a;
        }
        if (Alert.FIRING.equals(a.status) && a.severity != null && RATE_RULES.contains(a.rule)) {
            String channelAlert = causingChannelAlert(a);
            if (channelAlert != null && isFirstTransition(a)) {
                a.inhibitedBy = channelAlert;
                inhibitedIncidents.put(a.alertId, channelAlert);
                List<String> list = inhibitedBy.computeIfAbsent(channelAlert, k -> new ArrayList<>());
                if (!list.contains(merchant)) {
                    list.add(merchant);
                }
            }
        }
        return a;
    }

    /**
     * The key of an order's {@code failed_but_charged} incident in {@link #firingChannels}; its
     * value is the alert id, its start and its end (0 while it fires), separated by U+001F.
     */
    private static String orderKey(String merchant, String order) {
        return RuleSettings.FAILED_BUT_CHARGED + '\u001f' + merchant + '\u001f' + order;
    }

    /**
     * One page per order (contract section 3c): a {@code charged_unfulfilled} incident of an
     * order with a {@code failed_but_charged} incident (same merchant, a payment of that order)
     * firing, or raised within the rule's horizon, is inhibited by it; the latter's resolution lists
     * it in {@code evidence.inhibited}.
     */
    private Alert onePagePerOrder(Alert a, RuleSettings rules) {
        String merchant = a.scope.get(RuleSettings.SCOPE_MERCHANT);
        String order = RuleSettings.CHARGED_UNFULFILLED.equals(a.rule) ? a.scope.get("order_id") : a.orderId;
        if (merchant == null || order == null) {
            return a;
        }
        long horizon = rules.patternFor(RuleSettings.CHARGED_UNFULFILLED, merchant, null).withinMs;
        forgetOrdersBefore(a.transitionTime() - horizon);
        String key = orderKey(merchant, order);
        if (RuleSettings.FAILED_BUT_CHARGED.equals(a.rule)) {
            String[] known = orderIncident(key);
            if (Alert.FIRING.equals(a.status)) {
                if (known == null) { // the order's first incident stands for it
                    firingChannels.put(key, a.alertId + '\u001f' + a.startsAt + '\u001f' + 0);
                }
            } else if (known != null && known[0].equals(a.alertId)) {
                firingChannels.put(key, a.alertId + '\u001f' + a.startsAt + '\u001f' + a.transitionTime());
                List<String> inhibited = inhibitedBy.remove(a.alertId);
                if (inhibited != null) {
                    a.evidenceInhibited.addAll(inhibited);
                }
            }
            return a;
        }
        if (stillInhibited(a)) {
            return a;
        }
        String[] known = orderIncident(key);
        if (known != null && Alert.FIRING.equals(a.status) && isFirstTransition(a)
                && (Long.parseLong(known[2]) == 0 || Long.parseLong(known[1]) >= a.startsAt - horizon)) {
            a.inhibitedBy = known[0];
            inhibitedIncidents.put(a.alertId, known[0]);
            if (Long.parseLong(known[2]) == 0) { // still open: its resolution will list this one
                inhibitedBy.computeIfAbsent(known[0], k -> new ArrayList<>()).add(a.alertId);
            }
        }
        return a;
    }

    private String[] orderIncident(String key) {
        String v = firingChannels.get(key);
        return v == null ? null : v.split("\u001f", -1);
    }

    /** Drops the order incidents that resolved and were raised before {@code time}. */
    private void forgetOrdersBefore(long time) {
        String prefix = RuleSettings.FAILED_BUT_CHARGED + '\u001f';
        firingChannels.entrySet().removeIf(e -> {
            if (!e.getKey().startsWith(prefix)) {
                return false;
            }
            String[] v = e.getValue().split("\u001f", -1);
            return Long.parseLong(v[2]) != 0 && Long.parseLong(v[1]) < time;
        });
    }

    /**
     * Whether the alert belongs to an incident inhibited when it started (marked in place: it
     * stays inhibited to its end, and is forgotten with its resolution).
     */
    private boolean stillInhibited(Alert a) {
        String already = inhibitedIncidents.get(a.alertId);
        if (already == null) {
            return false;
        }
        a.inhibitedBy = already;
        if (Alert.RESOLVED.equals(a.status)) {
            inhibitedIncidents.remove(a.alertId);
        }
        return true;
    }

    private static String merchantFiringKey(String merchant) {
        return RuleSettings.FAILURE_RATE + '\u001f' + RuleSettings.SCOPE_MERCHANT + '\u001f' + merchant;
    }

    /**
     * One page per key: a {@code failure_rate_anomaly} incident that starts while the same key's
     * {@code failure_rate} alert ({@code firing}, its id or null) fires is inhibited by it.
     * Returns whether the alert was such an incident (marked in place).
     */
    private boolean sameScopeFailureRate(Alert a, String firing) {
        if (!RuleSettings.FAILURE_RATE_ANOMALY.equals(a.rule)) {
            return false;
        }
        if (stillInhibited(a)) {
            return true;
        }
        if (firing == null || !Alert.FIRING.equals(a.status) || !isFirstTransition(a)) {
            return false;
        }
        a.inhibitedBy = firing;
        inhibitedIncidents.put(a.alertId, firing);
        inhibitedBy.computeIfAbsent(firing, k -> new ArrayList<>()).add(a.alertId);
        return true;
    }

    /** A merchant incident is judged when it starts, not at a later severity change. */
    private static boolean isFirstTransition(Alert a) {
        return a.transitionTime() == a.startsAt;
    }

    /**
     * The firing channel alert (failure_rate first, else failure_rate_anomaly) of a channel
     * carrying at least {@link #CAUSE_SHARE} of the merchant's failures, or null.
     */
    private String causingChannelAlert(Alert a) {
        long failed = 0;
        for (long n : a.evidenceByChannel.values()) {
            failed += n;
        }
        if (failed == 0) {
            return null;
        }
        for (Map.Entry<String, Long> e : a.evidenceByChannel.entrySet()) {
            if (e.getValue() < CAUSE_SHARE * failed || e.getKey().indexOf('\u001f') >= 0) {
                continue; // (input validation rejects such a channel; this keeps the keys apart anyway)
            }
            for (String rule : List.of(RuleSettings.FAILURE_RATE, RuleSettings.FAILURE_RATE_ANOMALY)) {
                String id = firingChannels.get(firingKey(rule, e.getKey()));
                if (id != null) {
                    return id;
                }
            }
        }
        return null;
    }

    /**
     * The channel that causes a {@code failure_rate} or {@code failure_rate_anomaly} incident (and a
     * channel's {@code traffic_drop}: its own), for Alertmanager's inhibit rules
     * (label {@code cause_channel}): a channel alert's own channel; for a merchant alert, the
     * channel carrying at least {@link #CAUSE_SHARE} of its failures (the most; on a tie the first
     * by name), whether or not that channel fires; else null.
     */
    public static String causeChannel(Alert a) {
        String channel = a.scope.get(RuleSettings.SCOPE_CHANNEL);
        if (RuleSettings.TRAFFIC_DROP.equals(a.rule)) {
            return a.scope.get(RuleSettings.SCOPE_MERCHANT) == null ? channel : null;
        }
        if (!RATE_RULES.contains(a.rule)) {
            return null;
        }
        if (channel != null) {
            return channel;
        }
        if (a.scope.get(RuleSettings.SCOPE_MERCHANT) == null) {
            return null;
        }
        long failed = 0;
        String most = null;
        long mostFailed = 0;
        for (Map.Entry<String, Long> e : a.evidenceByChannel.entrySet()) { // sorted by channel
            failed += e.getValue();
            if (e.getValue() > mostFailed) {
                most = e.getKey();
                mostFailed = e.getValue();
            }
        }
        return failed > 0 && mostFailed >= CAUSE_SHARE * failed ? most : null;
    }

    public boolean isEmpty() {
        return firingChannels.isEmpty() && inhibitedIncidents.isEmpty() && inhibitedBy.isEmpty()
                && silencedIncidents.isEmpty();
    }

    Set<String> inhibitedIncidentIds() {
        return new HashSet<>(inhibitedIncidents.keySet());
    }
}
