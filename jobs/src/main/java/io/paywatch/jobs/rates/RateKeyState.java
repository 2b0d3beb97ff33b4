package io.paywatch.jobs.rates;

/** Per-key bookkeeping of {@link FailureRateFunction} besides the buckets. */
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

    public RateKeyState() {}
}
