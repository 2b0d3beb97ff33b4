package io.paywatch.jobs.alerting;

import io.paywatch.model.PatternSignal;

/** A pattern incident in progress: what fired it, and the newest match that kept it alive. */
public class OpenIncident {
    public String alertId;
    public long startsAt;
    public long lastMatch;
    public int matches;
    public String severity;
    /** The match that opened the incident: scope and evidence of the alert. */
    public PatternSignal first;

    public OpenIncident() {}
}
