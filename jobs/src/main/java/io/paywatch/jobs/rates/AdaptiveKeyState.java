package io.paywatch.jobs.rates;

/**
 * What the adaptive rules keep per key in {@link RateKeyState}: the minute history their
 * baselines come from and each rule's incident.
 */
public class AdaptiveKeyState {
    public TrailingMinutes history;
    public AdaptiveIncident anomaly = new AdaptiveIncident();
    public AdaptiveIncident drop = new AdaptiveIncident();
    /**
     * The channels a merchant's payments used, each with the last minute it had one, kept while
     * inside the history: what a merchant's traffic drop is "on" (its channel's drop inhibits it)
     * and where it could send traffic instead. Empty for channel keys.
     */
    public String[] channels = new String[0];
    public long[] channelLastMinute = new long[0];

    public AdaptiveKeyState() {}

    public AdaptiveKeyState(int capacity) {
        history = new TrailingMinutes(capacity);
    }

    /** Notes the channels of a bucket starting in {@code minute}; forgets those last seen before {@code oldest}. */
    public void noteChannels(String[] seen, long minute, long oldest) {
        java.util.TreeMap<String, Long> m = new java.util.TreeMap<>();
        for (int i = 0; i < channels.length; i++) {
            if (channelLastMinute[i] >= oldest) {
                m.put(channels[i], channelLastMinute[i]);
            }
        }
        for (String c : seen) {
            m.merge(c, minute, Math::max);
        }
        channels = m.keySet().toArray(new String[0]);
        channelLastMinute = m.values().stream().mapToLong(Long::longValue).toArray();
    }

    /** The channels used from {@code minute} on, sorted. */
    public java.util.List<String> channelsSince(long minute) {
        java.util.List<String> out = new java.util.ArrayList<>();
        for (int i = 0; i < channels.length; i++) {
            if (channelLastMinute[i] >= minute) {
                out.add(channels[i]);
            }
        }
        return out;
    }

    public boolean anyFiring() {
        return anomaly.firing() || drop.firing();
    }

    public AdaptiveKeyState copy() {
        AdaptiveKeyState c = new AdaptiveKeyState();
        c.history = history.copy();
        c.anomaly = anomaly.copy();
        c.drop = drop.copy();
        c.channels = channels.clone();
        c.channelLastMinute = channelLastMinute.clone();
        return c;
    }
}
