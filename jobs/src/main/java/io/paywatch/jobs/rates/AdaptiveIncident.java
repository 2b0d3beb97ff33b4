package io.paywatch.jobs.rates;

/** One adaptive rule's incident for one key: open while {@link #severity} is set. */
public class AdaptiveIncident {
    /** The open incident's severity, null when the rule does not hold. */
    public String severity;
    /** Evaluation time at which the open (or last) incident first held. */
    public long since;
    /** The baseline when it fired: judged against it until it resolves (the alert says it). */
    public double baseline;
    /** The last evaluation time at which the rule held; 0 when never. */
    public long lastHeld;

    public AdaptiveIncident() {}

    public boolean firing() {
        return severity != null;
    }

    public AdaptiveIncident copy() {
        AdaptiveIncident c = new AdaptiveIncident();
        c.severity = severity;
        c.since = since;
        c.baseline = baseline;
        c.lastHeld = lastHeld;
        return c;
    }
}
