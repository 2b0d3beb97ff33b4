package io.paywatch.jobs.rates;

/**
 * What the adaptive rules keep per key in {@link RateKeyState}: the minute history their
 * baselines come from and each rule's incident.
 */
public class AdaptiveKeyState {
    public TrailingMinutes history;
    public AdaptiveIncident anomaly = new AdaptiveIncident();
    public AdaptiveIncident drop = new AdaptiveIncident();

    public AdaptiveKeyState() {}

    public AdaptiveKeyState(int capacity) {
        history = new TrailingMinutes(capacity);
    }

    public boolean anyFiring() {
        return anomaly.firing() || drop.firing();
    }

    public AdaptiveKeyState copy() {
        AdaptiveKeyState c = new AdaptiveKeyState();
        c.history = history.copy();
        c.anomaly = anomaly.copy();
        c.drop = drop.copy();
        return c;
    }
}
