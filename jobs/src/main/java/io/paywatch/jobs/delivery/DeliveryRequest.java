package io.paywatch.jobs.delivery;

/** One alert transition for one receiver, rendered in the receiver's format. */
public class DeliveryRequest {
    public int target;
    public String alertId;
    public String status;
    public long transitionAt;
    public String body;

    public DeliveryRequest() {}

    /** The idempotency key receivers deduplicate on: the same transition, the same key, always. */
    public String idempotencyKey() {
        return alertId + ":" + status + ":" + transitionAt;
    }
}
