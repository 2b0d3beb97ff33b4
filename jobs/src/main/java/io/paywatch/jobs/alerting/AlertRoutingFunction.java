package io.paywatch.jobs.alerting;

import io.paywatch.model.Alert;
import io.paywatch.model.RuleSettings;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The last stage before delivery: alerts of every rule, applied in event-time order (they come
 * from parallel operators, so they are buffered until the watermark reaches them) to
 * {@link Inhibition} and the planned maintenance windows (silences). Keyed by a constant: alerts are few, and the rule spans all keys.
 */
public class AlertRoutingFunction extends KeyedProcessFunction<Integer, Alert, Alert> {
    private static final long serialVersionUID = 1L;

    /** Channel alerts before merchant alerts of the same instant: the cause before its effects. */
    static final Comparator<Alert> ORDER = Comparator
            .comparingLong(Alert::transitionTime)
            .thenComparingInt((Alert a) -> a.scope.containsKey(RuleSettings.SCOPE_CHANNEL)
                    && !a.scope.containsKey(RuleSettings.SCOPE_MERCHANT) ? 0 : 1)
            .thenComparing(a -> a.alertId)
            .thenComparing(a -> a.status);

    private final java.util.List<io.paywatch.model.Silence> silences;

    public AlertRoutingFunction(java.util.List<io.paywatch.model.Silence> silences) {
        this.silences = silences;
    }

    private transient ListState<Alert> pending;
    private transient ValueState<Inhibition> inhibition;

    @Override
    public void open(OpenContext openContext) {
        pending = getRuntimeContext().getListState(
                new ListStateDescriptor<>("pending-alerts", TypeInformation.of(Alert.class)));
        inhibition = getRuntimeContext().getState(
                new ValueStateDescriptor<>("inhibition", TypeInformation.of(Inhibition.class)));
    }

    @Override
    public void processElement(Alert a, Context ctx, Collector<Alert> out) throws Exception {
        pending.add(a);
        ctx.timerService().registerEventTimeTimer(a.transitionTime());
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out) throws Exception {
        List<Alert> due = new ArrayList<>();
        List<Alert> later = new ArrayList<>();
        for (Alert a : pending.get()) {
            (a.transitionTime() <= timestamp ? due : later).add(a);
        }
        if (due.isEmpty()) {
            return;
        }
        due.sort(ORDER);
        Inhibition state = inhibition.value();
        if (state == null) {
            state = new Inhibition();
        }
        for (Alert a : due) {
            out.collect(state.apply(state.applySilences(a, silences)));
        }
        pending.update(later);
        if (state.isEmpty()) {
            inhibition.clear();
        } else {
            inhibition.update(state);
        }
    }
}
