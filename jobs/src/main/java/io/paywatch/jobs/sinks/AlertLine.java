package io.paywatch.jobs.sinks;

import io.paywatch.model.Alert;
import io.paywatch.model.PlainText;
import io.paywatch.model.Timestamps;
import java.util.Locale;

/**
 * One console line per alert transition: always one line, whatever the identifiers it quotes
 * hold (the one place console alert lines are escaped: nobody who can send an event can forge a
 * {@code [RESOLVED]} line).
 */
public final class AlertLine {
    private AlertLine() {}

    public static String format(Alert a) {
        return PlainText.visible(unescaped(a));
    }

    private static String unescaped(Alert a) {
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
