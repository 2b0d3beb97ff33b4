package io.paywatch.model;

/**
 * What a failure-rate rule pages on (contract section 3c): every failure, or only those SREs can
 * act on, the system-health categories ({@code timeout}, {@code system}, {@code unknown}).
 */
public enum Measure {
    FAILURE_RATE("failure_rate", "failed"),
    SYSTEM_FAILURE_RATE("system_failure_rate", "failed with system errors (timeout, system, unknown)");

    private final String wireName;
    private final String verb;

    Measure(String wireName, String verb) {
        this.wireName = wireName;
        this.verb = verb;
    }

    /** The rules file's and the alert's name of the measure. */
    public String wireName() {
        return wireName;
    }

    /** How a summary says what the counted payments did: "12 of 400 payments failed". */
    public String verb() {
        return verb;
    }

    /** The failures this measure counts, given all failures and the system-health ones. */
    public int failures(int failed, int systemFailed) {
        return this == FAILURE_RATE ? failed : systemFailed;
    }

    /** @return the measure, or null for an unknown name */
    public static Measure ofWireName(String name) {
        for (Measure m : values()) {
            if (m.wireName.equals(name)) {
                return m;
            }
        }
        return null;
    }
}
