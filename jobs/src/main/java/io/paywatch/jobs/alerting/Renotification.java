package io.paywatch.jobs.alerting;

import io.paywatch.model.Alert;
import io.paywatch.model.NotificationSettings;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The optional re-notify interval ({@code notifications.renotify_every}): an incident still
 * firing — and paged — after the interval is sent again as {@code firing} with the same id and
 * {@code starts_at}, a later {@code transition_at} and its {@code renotification} count, as
 * Alertmanager's repeat interval does. Pure logic over alerts in event-time order.
 */
public final class Renotification implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Paged, still-firing incidents by alert id (sorted: repeats come out in a stable order). */
    final TreeMap<String, Alert> open = new TreeMap<>();
    final Map<String, Long> due = new TreeMap<>();

    /** Follows one routed alert. */
    public void track(Alert a, NotificationSettings n) {
        if (n.renotifyEveryMs <= 0 || "info".equals(a.severity)) {
            return;
        }
        if (Alert.FIRING.equals(a.status) && Flapping.pages(a)) {
            open.put(a.alertId, a.copy());
            due.put(a.alertId, a.transitionTime() + n.renotifyEveryMs);
        } else if (Alert.RESOLVED.equals(a.status) || Alert.FIRING.equals(a.status)) {
            // resolved, or held (flapping) / silenced: the receivers' view changes elsewhere
            open.remove(a.alertId);
            due.remove(a.alertId);
        }
    }

    /** The repeats due at or before {@code time}. */
    public List<Alert> due(long time, NotificationSettings n) {
        List<Alert> out = new ArrayList<>();
        for (Map.Entry<String, Alert> e : open.entrySet()) {
            long at = due.get(e.getKey());
            while (at <= time) {
                Alert repeat = e.getValue().copy();
                repeat.transitionAt = at;
                repeat.renotification = e.getValue().renotification + 1;
                repeat.emittedAt = 0;
                e.getValue().renotification = repeat.renotification;
                out.add(repeat);
                at += n.renotifyEveryMs;
            }
            due.put(e.getKey(), at);
        }
        return out;
    }

    /** The next event time a repeat is due, or Long.MAX_VALUE. */
    public long nextDue() {
        long next = Long.MAX_VALUE;
        for (long t : due.values()) {
            next = Math.min(next, t);
        }
        return next;
    }

    public boolean isEmpty() {
        return open.isEmpty();
    }
}
