package io.paywatch.jobs.demo;

import java.util.ArrayList;
import java.util.List;

/** The incident schedules of the demo and of the realistic replay hour. */
public final class Scenarios {
    /** Payments per second of the realistic hour: with charges and fulfilments ≈ 120k lines. */
    public static final double HOUR_PAYMENTS_PER_SECOND = 11.5;
    public static final int HOUR_MERCHANTS = 200;

    /** How much history the demo replays at full speed before its live part: what the adaptive rules learn from. */
    public static final long DEMO_HISTORY_MS = 20 * 60_000L;

    private Scenarios() {}

    /**
     * The demo's incidents, repeating every 5 minutes from {@code start} (the live part): a wallet outage
     * (fires within a minute, escalates, steps back, resolves), a merchant's provider timing out
     * (timeout bursts) and a merchant's platform errors.
     */
    public static List<Incident> demo(long start, long durationMs) {
        List<Incident> out = new ArrayList<>();
        for (long cycle = 0; cycle < durationMs; cycle += 300_000) {
            long c = start + cycle;
            out.add(new Incident("channel", "wallet", c + 20_000, c + 60_000, 0.95, "203"));
            out.add(new Incident("merchant_id", "m-004", c + 100_000, c + 170_000, 0.90, "204"));
            // a provider timing out for one merchant: timeout bursts (CEP) within seconds
            out.add(new Incident("merchant_id", "m-003", c + 60_000, c + 80_000, 0.90, "202"));
        }
        return out;
    }

    /**
     * The demo's incidents ({@link #demo}) after {@link #DEMO_HISTORY_MS} of history, with two for
     * the adaptive rules (on in the demo), which learn from that history: m-006, usually at 1.5 %,
     * fails 22 % from a minute before {@code start} for three minutes (below failure_rate's 30 %:
     * only failure_rate_anomaly sees it, about a minute in); bnpl falls silent 4.5 minutes before
     * {@code start} for six (traffic_drop: warning at the start, critical from a minute in, resolved
     * about four minutes in).
     */
    public static List<Incident> demoWithHistory(long start, long durationMs) {
        List<Incident> out = new ArrayList<>();
        // m-006's rise first: the first incident covering a payment decides it
        out.add(Incident.usualRate("merchant_id", "m-006", start - 60_000, start + 120_000, 0.22, "204"));
        out.add(Incident.usualRate("merchant_id", "m-006", start - DEMO_HISTORY_MS, start + durationMs,
                0.015, "101"));
        out.add(Incident.traffic("channel", "bnpl", start - 270_000, start + 90_000, 0.0));
        out.addAll(demo(start, durationMs));
        return out;
    }

    /**
     * A realistic hour from {@code start}: a channel outage, a merchant failure, a timeout wave
     * on one channel, and near misses that must not alert (a merchant at 25%, a small merchant
     * failing on too little volume).
     */
    public static List<Incident> realisticHour(long start) {
        long m = 60_000;
        List<Incident> out = new ArrayList<>();
        // wallet channel outage: maintenance code 203, 12 minutes in, for 6 minutes
        out.add(new Incident("channel", "wallet", start + 12 * m, start + 18 * m, 0.85, "203"));
        // merchant m-007's platform errors, 30 to 40 minutes
        out.add(new Incident("merchant_id", "m-007", start + 30 * m, start + 40 * m, 0.70, "204"));
        // timeouts on qr, 45 to 49 minutes: a warning-level channel incident
        out.add(new Incident("channel", "qr", start + 45 * m, start + 49 * m, 0.40, "202"));
        // near miss: m-011 fails one payment in six for 10 minutes (16%, well below 30%)
        out.add(new Incident("merchant_id", "m-011", start + 20 * m, start + 30 * m, 0.12, "101"));
        // near miss: a tail merchant fails everything, but with too few payments to judge
        out.add(new Incident("merchant_id", "m-190", start + 5 * m, start + 55 * m, 1.0, "203"));
        return out;
    }

    /** How long {@link #adaptive} runs: an hour to learn from, then its incidents. */
    public static final long ADAPTIVE_DURATION_MS = 90 * 60_000L;

    /**
     * The adaptive rules' scenario (contract section 3b), 90 minutes from {@code start}: the first
     * hour is history to learn from; then m-002, usually at 1.5 % failures, fails 15 % for 10
     * minutes (below failure_rate's 30 %: only failure_rate_anomaly sees it); m-003 fails a steady
     * 22 % throughout (its normal: nothing fires); channel bnpl falls silent for 10 minutes
     * (traffic_drop, critical); bank_transfer loses 40 % of its traffic (must not fire).
     */
    public static List<Incident> adaptive(long start) {
        long m = 60_000;
        long end = start + ADAPTIVE_DURATION_MS;
        List<Incident> out = new ArrayList<>();
        out.add(Incident.usualRate("merchant_id", "m-002", start + 65 * m, start + 75 * m, 0.15, "204"));
        out.add(Incident.usualRate("merchant_id", "m-002", start, end, 0.015, "101"));
        out.add(Incident.usualRate("merchant_id", "m-003", start, end, 0.22, "101"));
        out.add(Incident.traffic("channel", "bnpl", start + 65 * m, start + 75 * m, 0.0));
        out.add(Incident.traffic("channel", "bank_transfer", start + 62 * m, end, 0.6));
        return out;
    }
}
