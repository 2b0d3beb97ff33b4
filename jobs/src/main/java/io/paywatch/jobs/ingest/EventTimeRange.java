package io.paywatch.jobs.ingest;

import org.apache.flink.api.common.functions.FilterFunction;

/**
 * A replay selected by event time ({@code replay --kafka-topic … --time-basis event}): keeps the
 * events whose event time is in [from, to) and every record that is not an event (its dead letter
 * says why); the rest were read only because they share partitions with the range.
 */
public final class EventTimeRange implements FilterFunction<ParsedRecord> {
    private static final long serialVersionUID = 1L;

    private final long fromMs;
    private final long toMs;

    public EventTimeRange(long fromMs, long toMs) {
        this.fromMs = fromMs;
        this.toMs = toMs;
    }

    @Override
    public boolean filter(ParsedRecord r) {
        return !r.isValid() || (r.event.eventTime >= fromMs && r.event.eventTime < toMs);
    }
}
