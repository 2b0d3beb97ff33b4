package io.paywatch.jobs.ingest;

/** What happened to one input record, for the {@code paywatch_input} measurement. */
public class InputOutcome {
    public static final byte ACCEPTED = 0;
    public static final byte REJECTED = 1;
    public static final byte DUPLICATE = 2;
    public static final byte LATE = 3;

    public byte kind;
    /** Event time at which the outcome is counted. */
    public long time;
    /** How many records had this outcome at this time (pre-aggregated by {@link InputOutcomeCounter}). */
    public long count = 1;

    public InputOutcome() {}

    public static InputOutcome of(byte kind, long time) {
        InputOutcome o = new InputOutcome();
        o.kind = kind;
        o.time = time;
        return o;
    }
}
