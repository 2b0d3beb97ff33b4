package io.paywatch.jobs.alerting;

import io.paywatch.model.Alert;
import io.paywatch.model.NotificationSettings;
import java.io.Serializable;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Flapping detection, as Kapacitor does it: an alert whose rule and scope changed state
 * {@code flapping_changes} times within {@code flapping_window} is held as flapping — its
 * transitions are recorded (marked {@code flapping}) but not paged — until it has been stable for
 * a whole window. Then receivers are brought to the alert's actual state with at most two
 * messages (the resolve of the incident they last saw firing, the firing of the current one).
 * Pure logic over alerts in event-time order; its state is serialisable.
 */
public final class Flapping implements Serializable {
    private static final long serialVersionUID = 1L;

    static final class History implements Serializable {
        private static final long serialVersionUID = 1L;
        final ArrayDeque<Long> changes = new ArrayDeque<>();
        boolean flapping;
        long lastChange;
        /** The newest transition (held or not). */
        Alert last;
        /** The firing receivers last got and whose resolve they have not got, or null. */
        Alert pagedOpen;
        /** The resolve of {@link #pagedOpen}, once it happened while held. */
        Alert pagedOpenResolved;
    }

    final Map<String, History> byRuleScope = new HashMap<>();

    static String ruleScope(Alert a) {
        return a.rule + a.scope;
    }

    /** Whether an alert is paged (webhooks, Alertmanager): not inhibited, silenced or flapping. */
    public static boolean pages(Alert a) {
        return a.inhibitedBy == null && a.silencedBy == null && !a.flapping;
    }

    /**
     * What Alertmanager gets when its own inhibit rules decide ({@code --alertmanager-inhibition
     * alertmanager}): the pages and the alerts PayWatch inhibited, never silenced or flapping ones.
     */
    public static boolean pagesUnlessInhibited(Alert a) {
        return a.silencedBy == null && !a.flapping;
    }

    /** Marks the alert (in place) when its rule and scope are flapping, and returns it. */
    public Alert apply(Alert a, NotificationSettings n) {
        if (!n.flappingDetection() || "info".equals(a.severity)) {
            return a;
        }
        long t = a.transitionTime();
        History h = byRuleScope.computeIfAbsent(ruleScope(a), k -> new History());
        h.changes.addLast(t);
        while (!h.changes.isEmpty() && h.changes.peekFirst() <= t - n.flappingWindowMs) {
            h.changes.removeFirst();
        }
        if (!h.flapping && h.changes.size() >= n.flappingChanges) {
            h.flapping = true;
        }
        h.lastChange = t;
        if (h.flapping) {
            a.flapping = true;
            if (h.pagedOpen != null && a.alertId.equals(h.pagedOpen.alertId) && Alert.RESOLVED.equals(a.status)) {
                h.pagedOpenResolved = a.copy();
            }
        } else if (pages(a)) {
            h.pagedOpen = Alert.FIRING.equals(a.status) ? a.copy() : null;
            h.pagedOpenResolved = null;
        }
        h.last = a.copy();
        return a;
    }

    /**
     * Ends the flapping of every alert stable since {@code time - window}, returning what brings
     * receivers to its state; forgets histories that no longer matter.
     */
    public List<Alert> settle(long time, NotificationSettings n) {
        List<Alert> out = new ArrayList<>();
        for (Iterator<History> it = byRuleScope.values().iterator(); it.hasNext(); ) {
            History h = it.next();
            if (time < h.lastChange + n.flappingWindowMs) {
                continue;
            }
            if (h.flapping) {
                h.flapping = false;
                boolean nowFiring = Alert.FIRING.equals(h.last.status) && pages(unheld(h.last));
                boolean sameAsPaged = h.pagedOpen != null && nowFiring
                        && h.pagedOpen.alertId.equals(h.last.alertId)
                        && h.pagedOpen.severity.equals(h.last.severity);
                if (!sameAsPaged) {
                    if (h.pagedOpen != null && h.pagedOpenResolved != null) {
                        out.add(stable(h.pagedOpenResolved, time));
                    }
                    if (nowFiring) {
                        out.add(stable(h.last, time));
                    }
                }
                h.pagedOpen = nowFiring ? h.last : (h.pagedOpenResolved == null ? h.pagedOpen : null);
                h.pagedOpenResolved = null;
            }
            h.changes.clear();
            if (h.pagedOpen == null) {
                it.remove();
            }
        }
        return out;
    }

    private static Alert unheld(Alert a) {
        Alert c = a.copy();
        c.flapping = false;
        return c;
    }

    private static Alert stable(Alert held, long time) {
        Alert a = unheld(held);
        a.transitionAt = time;
        a.summary = "Stable again after flapping: " + held.summary;
        return a;
    }

    /** The next event time at which {@link #settle} has something to do, or Long.MAX_VALUE. */
    public long nextSettle(NotificationSettings n) {
        long next = Long.MAX_VALUE;
        for (History h : byRuleScope.values()) {
            if (h.flapping || !h.changes.isEmpty()) {
                next = Math.min(next, h.lastChange + n.flappingWindowMs);
            }
        }
        return next;
    }

    public boolean isEmpty() {
        return byRuleScope.isEmpty();
    }
}
