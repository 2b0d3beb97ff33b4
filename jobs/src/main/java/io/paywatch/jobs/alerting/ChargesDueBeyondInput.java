package io.paywatch.jobs.alerting;

import io.paywatch.jobs.control.ControlSignal;
import io.paywatch.jobs.ingest.EndOfInput;
import io.paywatch.model.EventKind;
import io.paywatch.model.PaymentEvent;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;

/**
 * In the {@code charged_unfulfilled} CEP operator's task, in front of it: once every event time
 * gate has reported the end of a bounded input ({@link EndOfInput}), a charge whose deadline
 * (charge + within) lies beyond the greatest gate's cutoff stops here. At the end of a replay the
 * screens release every charge they still hold, up to the input's last fifteen minutes of them
 * with slow fulfilments, and CEP would buffer each, match it at +∞ and send the incidents a
 * signal they skip.
 *
 * <p>Why nothing else changes: every finite watermark in the job comes from a gate and is at most
 * that gate's cutoff, so a deadline beyond the greatest cutoff is passed only by the final +∞
 * watermark, in CEP and in the incidents alike; the incidents skip a signal due then beyond the
 * least cutoff ({@link EndOfInput#beyondData}). A charge only starts a match of its own (a later
 * charge is not an order's completion) and, with {@code skipPastLastEvent}, matches are emitted in
 * the order they started, so the match of a charge that started later than another changes none of
 * that other's. Which charges stop here depends on when the broadcast arrives (before it, all pass),
 * never what comes out. Built only when every source is bounded: a live run's end of input is a
 * {@code stop --drain}, and a job resumed from that savepoint would still hold the signals the
 * incidents skipped at +∞ (which this would make depend on timing).
 *
 * <p>Not keyed (it keeps no state: what it knows of the gates is for this attempt only, so a
 * restored run that never hears from its finished gates again lets everything through); the
 * control input's watermarks are ignored, so it holds CEP back no more than before.
 */
public final class ChargesDueBeyondInput extends AbstractStreamOperator<PaymentEvent>
        implements TwoInputStreamOperator<PaymentEvent, ControlSignal, PaymentEvent> {
    private static final long serialVersionUID = 1L;

    private final long withinMs;
    /** Gate subtask → cutoff, as reported in this attempt. */
    private transient Map<Integer, Long> cutoffs;
    private transient int gates;
    /** The greatest cutoff once every gate has reported, else {@code Long.MAX_VALUE} (nothing stops). */
    private transient long greatestCutoff;
    private transient Counter stopped;

    public ChargesDueBeyondInput(long withinMs) {
        this.withinMs = withinMs;
    }

    @Override
    public void open() throws Exception {
        super.open();
        cutoffs = new HashMap<>();
        gates = -1;
        greatestCutoff = Long.MAX_VALUE;
        // for the bench and the curious: how many charges the end of input kept from CEP
        stopped = getMetricGroup().counter("chargesDueBeyondInput");
    }

    @Override
    public void processElement1(StreamRecord<PaymentEvent> element) throws Exception {
        PaymentEvent e = element.getValue();
        if (e.kind == EventKind.CHARGE && e.eventTime + withinMs > greatestCutoff) {
            stopped.inc();
            return;
        }
        output.collect(element);
    }

    @Override
    public void processElement2(StreamRecord<ControlSignal> element) {
        EndOfInput end = element.getValue().endOfInput;
        if (end == null) {
            return; // rule changes do not reach CEP's compiled patterns
        }
        if (end.parallelism != gates) {
            cutoffs.clear(); // one attempt's gates share one parallelism
            gates = end.parallelism;
        }
        cutoffs.put(end.subtask, end.cutoff);
        long greatest = Long.MIN_VALUE;
        for (long c : cutoffs.values()) {
            greatest = Math.max(greatest, c);
        }
        greatestCutoff = cutoffs.size() == gates ? greatest : Long.MAX_VALUE;
    }

    @Override
    public void close() throws Exception {
        if (stopped != null && stopped.getCount() > 0) {
            LOG.info("{}: {} charges due beyond the end of the input (greatest cutoff {}) kept from CEP",
                    getOperatorName(), stopped.getCount(), greatestCutoff);
        }
        super.close();
    }

    /** The greatest cutoff once every gate has reported, else {@code Long.MAX_VALUE} (tests). */
    long greatestCutoff() {
        return greatestCutoff;
    }

    @Override
    public void processWatermark1(Watermark mark) throws Exception {
        processWatermark(mark);
    }

    @Override
    public void processWatermark2(Watermark mark) {
        // the gates' watermarks, also on the events' side: they must not hold CEP back
    }

    @Override
    protected void processWatermarkStatus(WatermarkStatus status, int inputIndex) {
        if (inputIndex == 0) {
            output.emitWatermarkStatus(status); // the events' side alone, as for its watermarks
        }
    }
}
