package io.paywatch.jobs.rates;

import io.paywatch.jobs.control.ControlSignal;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.operators.TimerHeapInternalTimer;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.api.watermark.Watermark;

/**
 * Flink's operator for a {@link FailureRateFunction}, with the evaluations scheduled in an
 * {@link EvaluationCalendar} of the subtask instead of a keyed timer per key and evaluation (the
 * timer queue was about a quarter of the merchant-rate thread). When the watermark advances, the
 * keys due up to it are evaluated in time order, each through {@link #onEventTime} exactly as its
 * timer fired before, and only then is the watermark passed on: the snapshots and alerts go out
 * ahead of it, as they did.
 *
 * <p>The calendar is not state. After a restore it is rebuilt from the keys' own state, which
 * holds each key's next evaluation; the keyed state moves with its key groups when the job is
 * rescaled, so each subtask rebuilds the calendar of its keys. Timers in a checkpoint of an older
 * build still fire (Flink's timer service is advanced first) and continue their key's chain in
 * the calendar.
 */
public final class RateEvaluationOperator
        extends CoBroadcastWithKeyedOperator<String, RatePartial, ControlSignal, RateSnapshot> {
    private static final long serialVersionUID = 1L;

    private transient EvaluationCalendar<String> calendar;

    /** @param broadcastStates the broadcast states of the control stream, as for {@code process} */
    public RateEvaluationOperator(FailureRateFunction function, List<MapStateDescriptor<?, ?>> broadcastStates) {
        super(function, broadcastStates);
    }

    @Override
    public void open() throws Exception {
        super.open(); // opens the function: its state is registered
        calendar = new EvaluationCalendar<>();
        FailureRateFunction function = (FailureRateFunction) userFunction;
        List<String> keys;
        KeyedStateBackend<String> backend = getKeyedStateBackend();
        try (Stream<String> restored = backend.getKeys(FailureRateFunction.KEY_STATE, VoidNamespace.INSTANCE)) {
            keys = restored.collect(Collectors.toList()); // read each key's state after the scan
        }
        for (String key : keys) {
            setCurrentKey(key);
            long timer = function.scheduledTimer();
            if (timer != Long.MIN_VALUE) {
                calendar.schedule(timer, key);
            }
        }
        function.scheduleIn(calendar);
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        if (timeServiceManager != null) {
            timeServiceManager.advanceWatermark(mark); // timers of an older build's checkpoint
        }
        calendar.runUpTo(mark.getTimestamp(), (time, key) -> {
            setCurrentKey(key);
            onEventTime(new TimerHeapInternalTimer<>(time, key, VoidNamespace.INSTANCE));
        });
        output.emitWatermark(mark);
    }

    /** How many evaluations wait in the calendar (tests: a quiet key leaves none). */
    int scheduledEvaluations() {
        return calendar.size();
    }
}
