package io.paywatch.jobs.alerting;

import io.paywatch.jobs.control.ControlSignal;
import io.paywatch.jobs.control.LiveRules;
import io.paywatch.jobs.ingest.EndOfInput;
import io.paywatch.model.Alert;
import io.paywatch.model.NotificationSettings;
import io.paywatch.model.RuleSettings;
import io.paywatch.model.Silence;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The last stage before delivery: alerts of every rule, applied in event-time order (they come
 * from parallel operators, so they are buffered until the watermark reaches them) to
 * {@link Inhibition}, the silences (rules file and control topic), {@link Flapping} and
 * {@link Renotification}. Rule changes from the control topic are echoed here as {@code info}
 * alerts. Keyed by a constant and run at parallelism 1: alerts are few, and inhibition spans all
 * keys.
 */
public class AlertRoutingFunction extends KeyedBroadcastProcessFunction<Integer, Alert, ControlSignal, Alert> {
    private static final long serialVersionUID = 1L;

    /** Channel alerts before merchant alerts of the same instant: the cause before its effects. */
    static final Comparator<Alert> ORDER = Comparator
            .comparingLong(Alert::transitionTime)
            .thenComparingInt((Alert a) -> a.scope.containsKey(RuleSettings.SCOPE_CHANNEL)
                    && !a.scope.containsKey(RuleSettings.SCOPE_MERCHANT) ? 0 : 1)
            .thenComparing(a -> a.alertId)
            .thenComparing(a -> a.status);

    private final RuleSettings rules;

    public AlertRoutingFunction(RuleSettings rules) {
        this.rules = rules;
    }

    private transient ListState<Alert> pending;
    private transient ValueState<Inhibition> inhibition;
    private transient ValueState<Flapping> flapping;
    private transient ValueState<Renotification> renotification;

    @Override
    public void open(OpenContext openContext) {
        pending = getRuntimeContext().getListState(
                new ListStateDescriptor<>("pending-alerts", TypeInformation.of(Alert.class)));
        inhibition = getRuntimeContext().getState(
                new ValueStateDescriptor<>("inhibition", TypeInformation.of(Inhibition.class)));
        flapping = getRuntimeContext().getState(
                new ValueStateDescriptor<>("flapping", TypeInformation.of(Flapping.class)));
        renotification = getRuntimeContext().getState(
                new ValueStateDescriptor<>("renotification", TypeInformation.of(Renotification.class)));
    }

    @Override
    public void processBroadcastElement(ControlSignal signal, Context ctx, Collector<Alert> out)
            throws Exception {
        signal.recordEndOfInput(ctx.getBroadcastState(EndOfInput.STATE));
        if (signal.change != null) {
            LiveRules.applySilences(signal.change, ctx.getBroadcastState(LiveRules.SILENCES));
            out.collect(RuleChangeAlerts.applied(signal.change, signal.signedBy));
        }
    }

    @Override
    public void processElement(Alert a, ReadOnlyContext ctx, Collector<Alert> out) throws Exception {
        pending.add(a);
        ctx.timerService().registerEventTimeTimer(a.transitionTime());
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out) throws Exception {
        NotificationSettings n = rules.notifications();
        List<Alert> due = new ArrayList<>();
        List<Alert> later = new ArrayList<>();
        for (Alert a : pending.get()) {
            (a.transitionTime() <= timestamp ? due : later).add(a);
        }
        due.sort(ORDER);
        Inhibition inh = orNew(inhibition.value(), Inhibition::new);
        Flapping flap = orNew(flapping.value(), Flapping::new);
        Renotification renotify = orNew(renotification.value(), Renotification::new);

        List<Silence> silences = due.isEmpty() ? List.of()
                : LiveRules.silences(rules, ctx.getBroadcastState(LiveRules.SILENCES));
        for (Alert a : due) {
            Alert routed = flap.apply(inh.apply(inh.applySilences(a, silences), rules), n);
            renotify.track(routed, n);
            out.collect(routed);
        }
        if (!due.isEmpty()) {
            pending.update(later);
        }

        // what happens with time alone (flapping that settles, repeats of long incidents) is not
        // made up beyond the end of a bounded input
        boolean withinData = timestamp != Long.MAX_VALUE && !EndOfInput.beyondData(timestamp,
                ctx.timerService().currentWatermark(),
                ctx.getBroadcastState(EndOfInput.STATE).immutableEntries());
        if (withinData) {
            for (Alert a : flap.settle(timestamp, n)) {
                renotify.track(a, n);
                out.collect(a);
            }
            for (Alert a : renotify.due(timestamp, n)) {
                out.collect(a);
            }
            long next = Math.min(flap.nextSettle(n), renotify.nextDue());
            if (next != Long.MAX_VALUE) {
                ctx.timerService().registerEventTimeTimer(next);
            }
        }
        save(inhibition, inh, inh.isEmpty());
        save(flapping, flap, flap.isEmpty());
        save(renotification, renotify, renotify.isEmpty());
    }

    private static <T> T orNew(T value, java.util.function.Supplier<T> fresh) {
        return value != null ? value : fresh.get();
    }

    private static <T> void save(ValueState<T> state, T value, boolean empty) throws Exception {
        if (empty) {
            state.clear();
        } else {
            state.update(value);
        }
    }
}
