package io.paywatch.jobs.rates;

/** Per-key bookkeeping of {@link FailureRateFunction}, and on the heap its buckets. */
public class RateKeyState {
    /** The pending evaluation time (window end), 0 when none is scheduled. */
    public long nextEvaluation;
    /** Severity of the incident in progress, null when the rule does not hold. */
    public String firingSeverity;
    /** Evaluation time at which the incident in progress first breached. */
    public long firingSince;
    /**
     * The window that ended at the last evaluation minus its oldest bucket (totals and
     * categories only), for the evaluation at {@link #partialWindowFor}; null when none.
     */
    public FailureCounts partialWindow;
    public long partialWindowFor;
    /** The adaptive rules' history and incidents; null while both rules are off. */
    public AdaptiveKeyState adaptive;
    /**
     * The key's buckets where they live in this state ({@code StateLayout.TABLE}, the heap
     * backend), else null (they are a map state of their own). Transient: not part of the POJO
     * type that builds before 2026-12-02 wrote, which their state restores by migration from.
     */
    public transient RateBucketTable buckets;

    public RateKeyState() {}
}
