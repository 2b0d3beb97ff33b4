package io.paywatch.jobs.ingest;

import io.paywatch.model.PaymentEvent;

/**
 * An event that arrived behind its partition's watermark. It is either a redelivery of an event
 * already seen (a duplicate, counted as such) or genuinely late (dead-lettered); the
 * {@link DuplicateFilter} tells which.
 */
public class LateEvent {
    public PaymentEvent event;
    /** The dead letter to write when it is not a duplicate. */
    public DeadLetter deadLetter;
    /** Event time at which its outcome is counted: ahead of every watermark it can meet. */
    public long tallyTime;

    public LateEvent() {}
}
