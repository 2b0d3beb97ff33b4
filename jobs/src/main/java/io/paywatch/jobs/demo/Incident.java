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

    public Incident(String scope, String key, long fromMs, long toMs, double failureRate, String code) {
        this.scope = scope;
        this.key = key;
        this.fromMs = fromMs;
        this.toMs = toMs;
        this.failureRate = failureRate;
        this.code = code;
    }

    public boolean covers(String merchantId, String channel, long time) {
        if (time < fromMs || time >= toMs) {
            return false;
        }
        return "channel".equals(scope) ? key.equals(channel) : key.equals(merchantId);
    }

    @Override
    public String toString() {
        return scope + "=" + key + " " + failureRate + " x " + code + " [" + fromMs + "," + toMs + ")";
    }
}
