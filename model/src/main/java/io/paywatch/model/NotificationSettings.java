package io.paywatch.model;

import java.io.Serializable;

/**
 * The alert lifecycle beyond the contract's "firing once, resolved once" (rules file,
 * {@code notifications:}); both are off by default, so the default lifecycle is the contract's.
 *
 * <pre>
 * notifications:
 *   renotify_every: 4h      # re-send the firing of an incident still open after 4 h, 8 h, …
 *   flapping_changes: 6     # 6 state changes of one rule and scope within …
 *   flapping_window: 30m    # … 30 min: held as flapping until stable for 30 min
 * </pre>
 */
public final class NotificationSettings implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final NotificationSettings OFF = new NotificationSettings(0, 0, 1_800_000);

    /** Event-time interval at which a still-firing incident is re-sent; 0 = never. */
    public final long renotifyEveryMs;
    /** Transitions of one rule and scope within {@link #flappingWindowMs} that mean flapping; 0 = off. */
    public final int flappingChanges;
    public final long flappingWindowMs;

    public NotificationSettings(long renotifyEveryMs, int flappingChanges, long flappingWindowMs) {
        this.renotifyEveryMs = renotifyEveryMs;
        this.flappingChanges = flappingChanges;
        this.flappingWindowMs = flappingWindowMs;
    }

    public boolean flappingDetection() {
        return flappingChanges > 0;
    }
}
