package io.paywatch.jobs.ingest;

/** Input counts of one interval of event time: the {@code paywatch_input} measurement. */
public class InputHealth {
    /** End of the interval (event time, ms). */
    public long time;
    public long accepted;
    public long rejected;
    public long duplicates;
    public long late;

    public InputHealth() {}
}
