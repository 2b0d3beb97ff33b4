package io.paywatch.jobs.ingest;

import io.paywatch.jobs.PipelineTags;
import io.paywatch.jobs.metrics.JobMetrics;
import io.paywatch.model.PaymentEvent;
import io.paywatch.model.Timestamps;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.runtime.operators.coordination.OperatorEvent;
import org.apache.flink.runtime.operators.coordination.OperatorEventGateway;
import org.apache.flink.runtime.operators.coordination.OperatorEventHandler;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Event time for the whole job, decided in one place right after parsing (chained to the
 * source, so it sees each partition in order):
 *
 * <ul>
 *   <li>valid, on-time events pass, stamped with their event time;
 *   <li>rejected records go to the dead-letter output;
 *   <li>events more than the bound behind their partition's newest event are late: within the
 *       dedup horizon they go to the late output (they may be redeliveries, which the duplicate
 *       filter counts as duplicates), older ones straight to the dead letters;
 *   <li>watermarks are the minimum over the active partitions of (newest − bound − 1),
 *       emitted periodically; a partition silent for the idle timeout while others were being
 *       read stops holding them back ({@link PartitionWatermarks}). Silence is counted in a
 *       {@link ReaderClock}, which stands still while this task is backpressured. Whether another subtask is
 *       reading comes from {@link ReaderActivityCoordinator} (see {@link EventTimeGateFactory});
 *       without one (a unit harness) other readers count as reading.
 * </ul>
 *
 * <p>Because lateness and watermarks come from the same bookkeeping, an event that passes is
 * never behind any watermark downstream, and the decisions depend only on each partition's
 * content: the same on every run and at any parallelism.
 */
public class EventTimeGate extends AbstractStreamOperator<PaymentEvent>
        implements OneInputStreamOperator<ParsedRecord, PaymentEvent>, OperatorEventHandler {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(EventTimeGate.class);

    private final long boundMs;
    private final long dedupHorizonMs;
    private final long idleTimeoutMs;
    private final long emitIntervalMs;
    private final SourcePartitions partitions;
    private final long idleAdvanceMaxMs;

    private transient PartitionWatermarks marks;
    /** The time partitions' silence is counted in: stopped while this task is backpressured. */
    private transient ReaderClock readerClock;
    /** Wall-clock time of this subtask's last valid record, for what it tells the coordinator. */
    private transient long lastRecordWallMs;
    private transient ListState<long[]> maxima;
    private transient long emitted;
    private transient boolean idle;
    /** Processing time until which the watermark is held after this subtask was idle. */
    private transient long holdUntil;
    private transient OperatorEventGateway coordinator;
    /** What the coordinator last said about the other subtasks; true until it speaks. */
    private transient volatile boolean othersReading;
    private transient long lastReportMs;
    private transient volatile int idlePartitions;
    private transient volatile long secondsSilent;
    private transient boolean lastReport;
    /** Per partition: whether it was idle at the last watermark, for the log's transitions. */
    private transient boolean[] idleLogged;
    /** The progress line's counts of this subtask. */
    private transient IngestProgress.Tally records;
    private transient IngestProgress.Tally rejected;
    private transient IngestProgress.Tally lateRecords;
    private transient IngestProgress.Newest newest;

    public EventTimeGate(long boundMs, long dedupHorizonMs, long idleTimeoutMs, long emitIntervalMs,
            SourcePartitions partitions) {
        this(boundMs, dedupHorizonMs, idleTimeoutMs, emitIntervalMs, partitions, 0);
    }

    /**
     * @param idleAdvanceMaxMs when every partition is idle, let event time follow the wall clock
     *     (minus the bound), at most this far beyond the newest event, so that deadlines and quiet
     *     periods still end when traffic stops; 0 disables it (replays)
     */
    public EventTimeGate(long boundMs, long dedupHorizonMs, long idleTimeoutMs, long emitIntervalMs,
            SourcePartitions partitions, long idleAdvanceMaxMs) {
        this.idleAdvanceMaxMs = idleAdvanceMaxMs;
        this.boundMs = boundMs;
        this.dedupHorizonMs = dedupHorizonMs;
        this.idleTimeoutMs = idleTimeoutMs;
        this.emitIntervalMs = emitIntervalMs;
        this.partitions = partitions;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        readerClock = new ReaderClock(getProcessingTimeService()::getCurrentProcessingTime);
        long now = readerClock.millis();
        marks = new PartitionWatermarks(boundMs, idleTimeoutMs);
        emitted = Long.MIN_VALUE;
        othersReading = true;
        lastReportMs = Long.MIN_VALUE;
        idleLogged = new boolean[0];
        lastRecordWallMs = Long.MIN_VALUE;
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        int parallelism = getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
        List<Integer> mine = partitions.assignedTo(subtask, parallelism);
        for (int p : mine) {
            marks.expect(p, now);
        }
        // every subtask sees every partition's newest event time, and keeps its own ones
        maxima = context.getOperatorStateStore().getUnionListState(new ListStateDescriptor<>(
                "partition-max-event-time", PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
        if (context.isRestored()) {
            for (long[] pm : maxima.get()) {
                if (mine.contains((int) pm[0])) {
                    marks.restore((int) pm[0], pm[1], now);
                }
            }
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        records = IngestProgress.RECORDS.tally();
        rejected = IngestProgress.REJECTED.tally();
        lateRecords = IngestProgress.LATE.tally();
        newest = IngestProgress.MAX_EVENT_TIME.tally();
        // for SREs after an outage: which partitions event time no longer waits for, and whether
        // this subtask knows of another one reading (the coordinator's answer)
        org.apache.flink.metrics.MetricGroup input = JobMetrics.input(getMetricGroup(), partitions.inputName());
        input.gauge("idlePartitions", (Gauge<Integer>) () -> idlePartitions);
        input.gauge("otherReadersActive", (Gauge<Integer>) () -> othersReading ? 1 : 0);
        input.gauge("secondsSilent", (Gauge<Long>) () -> secondsSilent);
        getContainingTask().getEnvironment().getMetricGroup().getIOMetricGroup()
                .registerBackPressureListener(readerClock);
        scheduleEmit();
    }

    @Override
    public void close() throws Exception {
        getContainingTask().getEnvironment().getMetricGroup().getIOMetricGroup()
                .unregisterBackPressureListener(readerClock);
        super.close();
    }

    private void scheduleEmit() {
        long now = getProcessingTimeService().getCurrentProcessingTime();
        getProcessingTimeService().registerTimer(now + emitIntervalMs, t -> {
            emitWatermark(getProcessingTimeService().getCurrentProcessingTime());
            scheduleEmit();
        });
    }

    /** Called by {@link EventTimeGateFactory} with the gateway to this operator's coordinator. */
    void connect(OperatorEventGateway gateway) {
        this.coordinator = gateway;
    }

    @Override
    public void handleOperatorEvent(OperatorEvent event) {
        if (event instanceof ReaderActivity.OthersReading others) {
            othersReading = others.reading();
        }
    }

    /**
     * Tells the coordinator whether this subtask is reading: on every change, else each second.
     * Reading means a record within the reading window of wall-clock time: a subtask blocked by
     * backpressure stops counting as reading, as one cut off from the broker does, so that it
     * cannot keep the others' idle clocks running through an outage.
     */
    private void report(long now) {
        if (coordinator == null) {
            return;
        }
        boolean reading = lastRecordWallMs != Long.MIN_VALUE && now - lastRecordWallMs < marks.readingWindowMs();
        if (reading != lastReport || lastReportMs == Long.MIN_VALUE || now - lastReportMs >= 1_000) {
            coordinator.sendEventToCoordinator(new ReaderActivity.Reading(reading));
            lastReport = reading;
            lastReportMs = now;
        }
    }

    private void emitWatermark(long now) {
        long readerNow = readerClock.at(now);
        report(now);
        Long wm = marks.watermark(readerNow, othersReading);
        logIdleTransitions(readerNow);
        idlePartitions = marks.idlePartitions();
        secondsSilent = marks.silentMs(readerNow) / 1_000;
        if (idleAdvanceMaxMs > 0 && marks.allSilent(readerNow) && marks.newestEvent() != Long.MIN_VALUE) {
            // every partition is silent: event time follows the wall clock, bounded, so that an
            // unfulfilled charge is still reported when the traffic stops
            long advanced = Math.min(now - boundMs - 1, marks.newestEvent() + idleAdvanceMaxMs);
            if (advanced > emitted && (wm == null || advanced > wm)) {
                wm = advanced;
            }
        }
        if (wm == null) {
            if (!idle) {
                idle = true;
                output.emitWatermarkStatus(WatermarkStatus.IDLE);
            }
            return;
        }
        if (idle) {
            resume(now);
        }
        if (now < holdUntil) {
            return;
        }
        if (wm > emitted) {
            emitted = wm;
            output.emitWatermark(new Watermark(wm));
        }
    }

    /**
     * Tells SREs when event time stops waiting for a partition and when it waits again: the
     * moments that decide whether the partition's next records can still be on time.
     */
    private void logIdleTransitions(long readerNow) {
        if (idleLogged.length < marks.partitions()) {
            idleLogged = java.util.Arrays.copyOf(idleLogged, marks.partitions());
        }
        for (int p = 0; p < marks.partitions(); p++) {
            boolean isIdle = marks.isIdle(p);
            if (isIdle != idleLogged[p]) {
                idleLogged[p] = isIdle;
                if (isIdle) {
                    LOG.info("Input {} partition {} is idle: silent for {} ms while other partitions were read "
                            + "(--idle-timeout {} ms; {} ms silent in all, backpressure not counted); event time "
                            + "no longer waits for it, and its next records are late if event time passed them",
                            partitions.inputName(), p, marks.quietMs(p), idleTimeoutMs, marks.silentMs(p, readerNow));
                } else {
                    LOG.info("Input {} partition {} delivers again: event time waits for it again",
                            partitions.inputName(), p);
                }
            }
        }
    }

    /**
     * Back from idle: active again, but the watermark stays where it was for a grace period (a
     * third of the idle timeout, at most 10 s). When every subtask went idle together (a broker
     * outage, a producer stop), the first to get records again would otherwise race through its
     * backlog and carry event time past the records the others are about to read, making them
     * late downstream; held, it leaves them time to reconnect. The grace ends well before the
     * partition could count as idle again, so a sparse stream (a record every minute) still moves
     * event time at every record, only that much later. A subtask that wakes alone after a quiet
     * spell is behind the others' watermark anyway: holding its own delays nobody.
     */
    private void resume(long now) {
        idle = false;
        output.emitWatermarkStatus(WatermarkStatus.ACTIVE);
        // the grace is the reading window: as long as a reader counts as reading after a record
        holdUntil = idleTimeoutMs > 0 ? now + marks.readingWindowMs() : 0;
    }

    @Override
    public void processElement(StreamRecord<ParsedRecord> element) {
        ParsedRecord record = element.getValue();
        long now = getProcessingTimeService().getCurrentProcessingTime();
        records.increment();
        if (!record.isValid()) {
            rejected.increment();
            output.collect(PipelineTags.DEAD_LETTERS, new StreamRecord<>(record.deadLetter));
            output.collect(PipelineTags.INPUT_OUTCOMES, new StreamRecord<>(
                    InputOutcome.of(InputOutcome.REJECTED, tallyTime(record.partition))));
            return;
        }
        PaymentEvent e = record.event;
        lastRecordWallMs = now;
        boolean late = marks.observe(record.partition, e.eventTime, readerClock.at(now)) || e.eventTime <= emitted;
        if (!late) {
            newest.saw(e.eventTime);
            if (idle) {
                resume(now);
            }
            output.collect(new StreamRecord<>(e, e.eventTime));
            return;
        }
        long newest = Math.max(marks.maxTimestamp(record.partition), emitted);
        DeadLetter d = DeadLetter.of(Rejection.LATE, "event_time",
                "event time " + Timestamps.rfc3339(e.eventTime) + " is more than " + boundMs
                        + " ms behind the newest event of its partition ("
                        + Timestamps.rfc3339(newest) + ")",
                record.rawText(), record.source);
        d.eventTime = e.eventTime;
        long tally = tallyTime(record.partition);
        if (newest - e.eventTime <= dedupHorizonMs) {
            LateEvent le = new LateEvent();
            le.event = e;
            le.deadLetter = d;
            le.tallyTime = tally;
            output.collect(PipelineTags.LATE_EVENTS, new StreamRecord<>(le, e.eventTime));
        } else {
            lateRecords.increment();
            output.collect(PipelineTags.DEAD_LETTERS, new StreamRecord<>(d));
            output.collect(PipelineTags.INPUT_OUTCOMES,
                    new StreamRecord<>(InputOutcome.of(InputOutcome.LATE, tally)));
        }
    }

    /**
     * Rejected and late records are counted at their partition's newest event time: always
     * ahead of the watermark, so the tally is never late itself.
     */
    private long tallyTime(int partition) {
        long max = marks.maxTimestamp(partition);
        return Math.max(max == Long.MIN_VALUE ? 0 : max, emitted == Long.MIN_VALUE ? 0 : emitted + 1);
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        // the sources emit no watermarks of their own; only the end of input comes through
        if (mark.getTimestamp() == Long.MAX_VALUE) {
            long cutoff = Math.max(emitted, marks.dataWatermark());
            output.collect(PipelineTags.END_OF_INPUT, new StreamRecord<>(EndOfInput.of(
                    getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(),
                    getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks(), cutoff)));
            emitted = Long.MAX_VALUE;
            super.processWatermark(mark);
        }
    }

    @Override
    public void processWatermarkStatus(WatermarkStatus status) {
        // this operator decides idleness itself, per partition
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        List<long[]> out = new ArrayList<>();
        for (int p = 0; p < marks.partitions(); p++) {
            if (marks.isKnown(p) && marks.maxTimestamp(p) != Long.MIN_VALUE) {
                out.add(new long[] {p, marks.maxTimestamp(p)});
            }
        }
        maxima.update(out);
    }
}
