package io.paywatch.jobs.alerting;

/** Alert severities of the contract. */
public final class Severity {
    public static final String CRITICAL = "critical";
    public static final String WARNING = "warning";
    public static final String INFO = "info";

    private Severity() {}
}
