package io.paywatch.jobs.delivery;

/** How the delivery of one request ended. */
public class DeliveryOutcome {
    public String receiver;
    public String format;
    public String alertId;
    public String status;
    public long transitionAt;
    public boolean delivered;
    public int attempts;
    /** The last HTTP status, 0 when there was no answer. */
    public int httpStatus;
    public long latencyMs;
    /** Why it failed, when it did. */
    public String reason;
    /** The body that could not be delivered (for the dead letter). */
    public String body;

    public DeliveryOutcome() {}
}
