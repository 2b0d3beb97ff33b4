package io.paywatch.jobs.sinks;

import io.paywatch.model.Alert;
import io.paywatch.model.Timestamps;
import java.util.Locale;

/** One console line per alert transition. */
public final class AlertLine {
    private AlertLine() {}

    public static String format(Alert a) {
        boolean firing = Alert.FIRING.equals(a.status);
        if (a.silencedBy != null) {
            return String.format(Locale.ROOT, "  (silenced: %s) %s %s %s %s", a.silencedBy, a.status,
                    a.rule, a.scope, Timestamps.rfc3339(a.transitionTime()).substring(11, 19));
        }
        if (a.inhibitedBy != null) {
            return String.format(Locale.ROOT, "  (inhibited by the channel alert) %s %s %s %s", a.status,
                    a.rule, a.scope, Timestamps.rfc3339(a.transitionTime()).substring(11, 19));
        }
        return String.format(Locale.ROOT, "%s %-8s %-8s %-20s %-28s %s",
                firing ? "[FIRING]  " : "[RESOLVED]",
                a.severity,
                Timestamps.rfc3339(a.transitionTime()).substring(11, 19),
                a.rule,
                a.scope.toString(),
                a.summary);
    }
}
