package io.paywatch.jobs.sinks;

import java.io.IOException;

/** A failed write to InfluxDB; {@link #retriable} tells an outage from a rejected batch. */
public class InfluxWriteException extends IOException {
    private static final long serialVersionUID = 1L;

    public final boolean retriable;

    public InfluxWriteException(String message, boolean retriable) {
        super(message);
        this.retriable = retriable;
    }
}
