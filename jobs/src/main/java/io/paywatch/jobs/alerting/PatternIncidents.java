package io.paywatch.jobs.alerting;

import io.paywatch.model.Alert;
import io.paywatch.model.PatternSignal;
import io.paywatch.model.ReturnCodeCatalog;
import java.util.function.Consumer;

/**
 * The lifecycle of pattern incidents, as pure logic over signals in event-time order: the first
 * match fires, later matches extend the incident (one incident per burst, not one per match), and
 * the incident resolves when its quiet period passes without a match or when a resolving event
 * (a late fulfilment, a refund) arrives.
 */
public final class PatternIncidents {
    private final ReturnCodeCatalog catalog;

    public PatternIncidents(ReturnCodeCatalog catalog) {
        this.catalog = catalog;
    }

    /** Applies one signal; returns the incident afterwards (null when none is open). */
    public OpenIncident apply(OpenIncident open, PatternSignal s, Consumer<Alert> out) {
        open = quietUntil(open, s.time, out);
        if (s.type == PatternSignal.MATCH) {
            if (open == null) {
                Alert a = PatternAlerts.firing(s, catalog);
                OpenIncident o = new OpenIncident();
                o.alertId = a.alertId;
                o.startsAt = s.time;
                o.lastMatch = s.time;
                o.matches = 1;
                o.severity = a.severity;
                o.first = s;
                out.accept(a);
                return o;
            }
            open.lastMatch = Math.max(open.lastMatch, s.time);
            open.matches++;
            return open;
        }
        if (open != null) {
            out.accept(PatternAlerts.resolvedBy(open, s));
            return null;
        }
        return null; // a fulfilment or refund with no incident: the normal case
    }

    /**
     * Resolves the incident when its quiet period has passed by {@code time}: "5 minutes pass
     * with no new burst". The resolution is dated at the end of the quiet period.
     */
    public OpenIncident quietUntil(OpenIncident open, long time, Consumer<Alert> out) {
        if (open == null || open.first.quietMs <= 0) {
            return open;
        }
        long quietEnd = open.lastMatch + open.first.quietMs;
        if (quietEnd <= time) {
            out.accept(PatternAlerts.resolvedQuiet(open, quietEnd));
            return null;
        }
        return open;
    }

    /** When the open incident resolves by quiet, or {@link Long#MIN_VALUE} when it cannot. */
    public static long quietEnd(OpenIncident open) {
        return open == null || open.first.quietMs <= 0 ? Long.MIN_VALUE
                : open.lastMatch + open.first.quietMs;
    }
}
