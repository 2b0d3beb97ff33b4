package io.paywatch.jobs.rates;

import io.paywatch.jobs.control.ControlSignal;
import io.paywatch.jobs.control.LiveRules;
import io.paywatch.jobs.ingest.EndOfInput;
import java.util.List;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;

/** Harnesses of a {@link FailureRateFunction} in the job's operator, or on Flink's keyed timers. */
final class RateHarnesses {
    /** The control stream's broadcast states, as the job declares them. */
    static final List<MapStateDescriptor<?, ?>> STATES = List.of(EndOfInput.STATE, LiveRules.FAILURE_RATE,
            LiveRules.FAILURE_RATE_MEASURES, LiveRules.SILENCES, LiveRules.ANOMALY, LiveRules.TRAFFIC_DROP);

    private RateHarnesses() {}

    /**
     * Subtask {@code index} of {@code parallelism} (maximum parallelism 128), not yet opened.
     *
     * @param onTimers in Flink's own operator, its evaluations on keyed timers (builds before the
     *     evaluation calendar), rather than in the job's {@link RateEvaluationOperator}
     */
    static KeyedBroadcastOperatorTestHarness<String, RatePartial, ControlSignal, RateSnapshot> of(
            FailureRateFunction f, boolean onTimers, int parallelism, int index) throws Exception {
        var h = new KeyedBroadcastOperatorTestHarness<>(onTimers
                ? new CoBroadcastWithKeyedOperator<>(f, STATES) : new RateEvaluationOperator(f, STATES),
                (RatePartial p) -> p.key, Types.STRING, 128, parallelism, index);
        h.getExecutionConfig().enableObjectReuse();
        return h;
    }

    /** Evaluations waiting: keyed timers, and the calendar's. */
    static int scheduled(KeyedBroadcastOperatorTestHarness<String, RatePartial, ControlSignal, RateSnapshot> h) {
        return h.numEventTimeTimers()
                + (h.getOperator() instanceof RateEvaluationOperator o ? o.scheduledEvaluations() : 0);
    }
}
