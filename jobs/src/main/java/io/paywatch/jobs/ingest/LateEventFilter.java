package io.paywatch.jobs.ingest;

import io.paywatch.jobs.PipelineTags;
import io.paywatch.model.PaymentEvent;
import io.paywatch.model.Timestamps;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The gate between parsing and the keyed operators. Valid, on-time events pass. Rejected
 * records go to the dead-letter output. Events behind their partition's watermark go to the
 * late output: within the dedup horizon they may still be redeliveries, which the duplicate
 * filter counts as duplicates; older ones are dead-lettered here.
 *
 * <p>Runs chained to the source, so it sees each partition in order and decides lateness from
 * the partition's own event times: the same decision on every run and at any parallelism.
 */
public class LateEventFilter extends ProcessFunction<ParsedRecord, PaymentEvent> {
    private static final long serialVersionUID = 1L;

    private final long boundMs;
    private final long dedupHorizonMs;
    private transient PartitionWatermarks marks;

    public LateEventFilter(long boundMs, long dedupHorizonMs) {
        this.boundMs = boundMs;
        this.dedupHorizonMs = dedupHorizonMs;
    }

    @Override
    public void processElement(ParsedRecord record, Context ctx, Collector<PaymentEvent> out) {
        if (marks == null) {
            // idleness is the watermark generator's business; here only the per-partition maxima
            marks = new PartitionWatermarks(boundMs, 0);
        }
        long watermark = ctx.timerService().currentWatermark();
        IngestProgress.RECORDS.increment();
        if (!record.isValid()) {
            IngestProgress.REJECTED.increment();
            ctx.output(PipelineTags.DEAD_LETTERS, record.deadLetter);
            ctx.output(PipelineTags.INPUT_OUTCOMES,
                    InputOutcome.of(InputOutcome.REJECTED, tallyTime(record.partition, watermark)));
            return;
        }
        PaymentEvent e = record.event;
        boolean late = marks.observe(record.partition, e.eventTime, 0) || e.eventTime <= watermark;
        if (!late) {
            IngestProgress.sawEventTime(e.eventTime);
            out.collect(e);
            return;
        }
        long newest = marks.maxTimestamp(record.partition);
        DeadLetter d = DeadLetter.of(Rejection.LATE, "event_time",
                "event time " + Timestamps.rfc3339(e.eventTime) + " is more than " + boundMs
                        + " ms behind the newest event of its partition ("
                        + Timestamps.rfc3339(Math.max(newest, watermark)) + ")",
                record.rawText(), record.source);
        d.eventTime = e.eventTime;
        long tally = tallyTime(record.partition, watermark);
        boolean withinHorizon = newest - e.eventTime <= dedupHorizonMs
                && (watermark == Long.MIN_VALUE || e.eventTime > watermark - dedupHorizonMs);
        if (withinHorizon) {
            LateEvent le = new LateEvent();
            le.event = e;
            le.deadLetter = d;
            le.tallyTime = tally;
            ctx.output(PipelineTags.LATE_EVENTS, le);
        } else {
            IngestProgress.LATE.increment();
            ctx.output(PipelineTags.DEAD_LETTERS, d);
            ctx.output(PipelineTags.INPUT_OUTCOMES, InputOutcome.of(InputOutcome.LATE, tally));
        }
    }

    /**
     * Rejected and late records are counted at the partition's newest event time: always ahead
     * of the watermark, so the tally is never late itself.
     */
    private long tallyTime(int partition, long watermark) {
        long max = marks.maxTimestamp(partition);
        return Math.max(max == Long.MIN_VALUE ? 0 : max, watermark + 1);
    }
}
