package io.paywatch.jobs.demo;

import java.io.Serializable;

/**
 * An incident the traffic generator injects: from {@code fromMs} to {@code toMs} (event time),
 * payments of the scope fail with {@code failureRate} and return code {@code code}.
 */
public final class Incident implements Serializable {
    private static final long serialVersionUID = 1L;

    /** {@code merchant_id} or {@code channel}. */
    public final String scope;
    public final String key;
    public final long fromMs;
    public final long toMs;
    public final double failureRate;
    public final String code;
    /** Share of the scope's payments that still arrive: 1 normally, 0 when it falls silent. */
    public final double volume;
    /** Whether {@link #failureRate} is the scope's whole failure rate (no background failures). */
    public final boolean replacesBackground;

    public Incident(String scope, String key, long fromMs, long toMs, double failureRate, String code) {
        this(scope, key, fromMs, toMs, failureRate, code, 1.0, false);
    }

    private Incident(String scope, String key, long fromMs, long toMs, double failureRate, String code,
            double volume, boolean replacesBackground) {
        this.scope = scope;
        this.key = key;
        this.fromMs = fromMs;
        this.toMs = toMs;
        this.failureRate = failureRate;
        this.code = code;
        this.volume = volume;
        this.replacesBackground = replacesBackground;
    }

    /** The scope's own normal: it fails at exactly {@code failureRate}, with no background failures. */
    public static Incident usualRate(String scope, String key, long fromMs, long toMs, double failureRate,
            String code) {
        return new Incident(scope, key, fromMs, toMs, failureRate, code, 1.0, true);
    }

    /** Only {@code volume} of the scope's payments arrive (0: it falls silent); failures as usual. */
    public static Incident traffic(String scope, String key, long fromMs, long toMs, double volume) {
        return new Incident(scope, key, fromMs, toMs, 0.0, null, volume, false);
    }

    public boolean changesVolume() {
        return volume < 1.0;
    }

    public boolean covers(String merchantId, String channel, long time) {
        if (time < fromMs || time >= toMs) {
            return false;
        }
        return "channel".equals(scope) ? key.equals(channel) : key.equals(merchantId);
    }

    @Override
    public String toString() {
        return scope + "=" + key + (changesVolume() ? " volume " + volume : " " + failureRate + " x " + code)
                + " [" + fromMs + "," + toMs + ")";
    }
}
