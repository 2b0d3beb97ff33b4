package io.paywatch.jobs.alerting;

import io.paywatch.model.Alert;
import io.paywatch.model.AlertIds;
import io.paywatch.model.RuleChange;
import java.util.TreeMap;

/** The {@code info} alert that makes a live rule change visible wherever alerts go. */
public final class RuleChangeAlerts {
    public static final String RULE = "rule_change";

    private RuleChangeAlerts() {}

    public static Alert applied(RuleChange change) {
        return applied(change, null);
    }

    /** {@code signedBy}: the signer's key id, "" when signed without one, null when unsigned. */
    public static Alert applied(RuleChange change, String signedBy) {
        Alert a = new Alert();
        a.rule = RULE;
        a.status = Alert.FIRING;
        a.severity = "info";
        a.scope = new TreeMap<>();
        a.scope.put("change_id", change.changeId);
        a.startsAt = change.at;
        a.transitionAt = change.at;
        a.alertId = AlertIds.of(RULE, a.scope, 0);
        String signer = signedBy == null ? "" : signedBy.isEmpty() ? " (signed)"
                : " (signed with key " + signedBy + ")";
        a.summary = "Rule change " + change.changeId + " applied" + signer + ": " + change.description;
        a.recommendedAction = "None: the change is in force from the next evaluation of each key.";
        return a;
    }
}
