package io.paywatch.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One alert transition (contract section 4, {@code alert.schema.json}). Times are event time in
 * epoch milliseconds; {@link AlertJson} renders them as RFC 3339.
 */
public class Alert {
    public static final String FIRING = "firing";
    public static final String RESOLVED = "resolved";

    public String alertId;
    public String rule;
    public String status;
    public String severity;
    /** The rule's scope keys, sorted by name so that ids and JSON are stable. */
    public TreeMap<String, String> scope = new TreeMap<>();

    public long startsAt;
    /** Set on resolved alerts. */
    public Long endsAt;
    /**
     * Event time of this transition (PayWatch addition, {@code transition_at}): the start for a
     * new incident, the evaluation at which a severity changed, the end for a resolution.
     */
    public long transitionAt;

    public Double value;
    public Double threshold;
    public String summary;
    public String recommendedAction;

    public TreeMap<String, Long> evidenceByCategory = new TreeMap<>();
    public TreeMap<String, Long> evidenceByCode = new TreeMap<>();
    public ArrayList<String> evidenceEventIds = new ArrayList<>();
    /** Failures by channel (merchant failure-rate alerts). */
    public TreeMap<String, Long> evidenceByChannel = new TreeMap<>();
    /**
     * Set when a firing channel alert explains this merchant alert (inhibition): the channel
     * alert's id. Inhibited alerts are recorded but do not page.
     */
    public String inhibitedBy;
    /** Set when a planned maintenance window silences this alert: the window's reason. */
    public String silencedBy;
    /**
     * Set while the alert's rule and scope change state too often (flapping): the transition is
     * recorded but not paged until the alert has been stable for the flapping window.
     */
    public boolean flapping;
    /** A repeated {@code firing} of a long incident (re-notify interval): its count, else 0. */
    public int renotification;
    /** On a channel alert: the merchant alerts it inhibited. */
    public ArrayList<String> evidenceInhibited = new ArrayList<>();
    /** Merchants involved (pattern rules that span merchants, e.g. card testing). */
    public ArrayList<String> evidenceMerchants = new ArrayList<>();

    /** What a failure-rate rule measured ({@code failure_rate} or {@code system_failure_rate}); null for other rules. */
    public String measure;
    /** The adaptive rules' baseline: the usual failure rate ({@code failure_rate_anomaly}). */
    public Double evidenceBaseline;
    /** The usual payments per window ({@code traffic_drop}). */
    public Double evidenceBaselineVolume;

    /**
     * The channels a merchant's window had payments on (failover advice picks among them); not
     * an output field of its own.
     */
    public ArrayList<String> channelsUsed = new ArrayList<>();
    /** The order of a pattern alert's payment (one page per order); not an output field of its own. */
    public String orderId;
    /**
     * Where to send the traffic instead (contract section 3c): other channels, best first; null
     * for rules without failover advice, empty when no channel qualifies.
     */
    public ArrayList<Alternative> evidenceAlternatives;

    /** One other channel's live health over the alert's window. */
    public static class Alternative {
        public String channel;
        public double successRate;
        public long total;

        public Alternative() {}

        public Alternative(String channel, double successRate, long total) {
            this.channel = channel;
            this.successRate = successRate;
            this.total = total;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Alternative && ((Alternative) o).channel.equals(channel)
                    && ((Alternative) o).successRate == successRate && ((Alternative) o).total == total;
        }

        @Override
        public int hashCode() {
            return Objects.hash(channel, successRate, total);
        }

        @Override
        public String toString() {
            return channel + "=" + successRate + "/" + total;
        }
    }

    /** Processing time at which the alert left the rule (never part of the id). */
    public long emittedAt;

    public Alert() {}

    /** An independent copy (collections copied too), for a re-sent transition. */
    public Alert copy() {
        Alert c = new Alert();
        c.alertId = alertId;
        c.rule = rule;
        c.status = status;
        c.severity = severity;
        c.scope = new TreeMap<>(scope);
        c.startsAt = startsAt;
        c.endsAt = endsAt;
        c.transitionAt = transitionAt;
        c.value = value;
        c.threshold = threshold;
        c.summary = summary;
        c.recommendedAction = recommendedAction;
        c.evidenceByCategory = new TreeMap<>(evidenceByCategory);
        c.evidenceByCode = new TreeMap<>(evidenceByCode);
        c.evidenceEventIds = new ArrayList<>(evidenceEventIds);
        c.evidenceByChannel = new TreeMap<>(evidenceByChannel);
        c.inhibitedBy = inhibitedBy;
        c.silencedBy = silencedBy;
        c.evidenceInhibited = new ArrayList<>(evidenceInhibited);
        c.evidenceMerchants = new ArrayList<>(evidenceMerchants);
        c.flapping = flapping;
        c.renotification = renotification;
        c.emittedAt = emittedAt;
        c.measure = measure;
        c.channelsUsed = new ArrayList<>(channelsUsed);
        c.orderId = orderId;
        c.evidenceAlternatives = evidenceAlternatives == null ? null : new ArrayList<>(evidenceAlternatives);
        c.evidenceBaseline = evidenceBaseline;
        c.evidenceBaselineVolume = evidenceBaselineVolume;
        return c;
    }

    /** The event time of this transition: start for firing, end for resolved. */
    public long transitionTime() {
        if (transitionAt != 0) {
            return transitionAt;
        }
        return endsAt != null && RESOLVED.equals(status) ? endsAt : startsAt;
    }

    public Alert withScope(String key, String value) {
        scope.put(key, value);
        return this;
    }

    public List<String> eventIds() {
        return evidenceEventIds;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Alert)) {
            return false;
        }
        Alert a = (Alert) o;
        return startsAt == a.startsAt
                && Objects.equals(alertId, a.alertId)
                && Objects.equals(rule, a.rule)
                && Objects.equals(status, a.status)
                && Objects.equals(severity, a.severity)
                && Objects.equals(scope, a.scope)
                && Objects.equals(endsAt, a.endsAt)
                && Objects.equals(value, a.value)
                && Objects.equals(threshold, a.threshold)
                && Objects.equals(summary, a.summary)
                && Objects.equals(recommendedAction, a.recommendedAction)
                && Objects.equals(evidenceByCategory, a.evidenceByCategory)
                && Objects.equals(evidenceByCode, a.evidenceByCode)
                && Objects.equals(evidenceEventIds, a.evidenceEventIds);
    }

    @Override
    public int hashCode() {
        return Objects.hash(alertId, status, severity, startsAt);
    }

    @Override
    public String toString() {
        return rule + "/" + status + "/" + severity + " " + scope + " " + alertId;
    }
}
