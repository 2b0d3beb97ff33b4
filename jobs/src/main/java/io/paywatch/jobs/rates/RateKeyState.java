package io.paywatch.jobs.rates;

/** Per-key bookkeeping of {@link FailureRateFunction} besides the buckets. */
public class RateKeyState {
    public static final int RECENT_FAILURES = 20;

    /** The pending evaluation time (window end), 0 when none is scheduled. */
    public long nextEvaluation;
    /** Severity of the incident in progress, null when the rule does not hold. */
    public String firingSeverity;
    /** Evaluation time at which the incident in progress first breached. */
    public long firingSince;
    /** The most recent failed payments' event ids and times: the alert's evidence. */
    public String[] recentFailedIds = new String[RECENT_FAILURES];
    public long[] recentFailedTimes = new long[RECENT_FAILURES];
    public int recentNext;

    public RateKeyState() {}

    public void rememberFailure(String eventId, long time) {
        recentFailedIds[recentNext] = eventId;
        recentFailedTimes[recentNext] = time;
        recentNext = (recentNext + 1) % RECENT_FAILURES;
    }

    /** Failed event ids with times in {@code [from, to)}, oldest first, sorted for stable output. */
    public java.util.List<String> failuresBetween(long from, long to) {
        java.util.List<long[]> idx = new java.util.ArrayList<>();
        for (int i = 0; i < RECENT_FAILURES; i++) {
            if (recentFailedIds[i] != null && recentFailedTimes[i] >= from && recentFailedTimes[i] < to) {
                idx.add(new long[] {recentFailedTimes[i], i});
            }
        }
        idx.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0])
                : recentFailedIds[(int) a[1]].compareTo(recentFailedIds[(int) b[1]]));
        java.util.List<String> out = new java.util.ArrayList<>(idx.size());
        for (long[] x : idx) {
            out.add(recentFailedIds[(int) x[1]]);
        }
        return out;
    }
}
