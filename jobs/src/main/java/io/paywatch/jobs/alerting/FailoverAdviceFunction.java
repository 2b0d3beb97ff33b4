package io.paywatch.jobs.alerting;

import io.paywatch.model.Alert;
import io.paywatch.model.RuleSettings;
import java.util.Set;
import java.util.TreeSet;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Brings the channel rates to where alerts are built (contract section 3c): the channel rate
 * operator's windows (a few per evaluation, not per payment) and the alerts meet here, keyed by a
 * constant at parallelism 1 like alert routing. An alert of a rule with failover advice waits for
 * the watermark to reach it, so that every channel's window of its evaluation has arrived, and
 * leaves with {@link FailoverAdvice}'s alternatives; other alerts pass straight through.
 */
public class FailoverAdviceFunction extends KeyedCoProcessFunction<Integer, Alert, ChannelWindow, Alert> {
    private static final long serialVersionUID = 1L;
    /** How long windows are kept behind a timer's time, for alerts that reach here behind it. */
    static final long RETENTION_MS = 600_000;

    private transient ListState<Alert> pending;
    private transient ListState<ChannelWindow> windows;
    /** Firing channel alerts (rule, U+001F, channel → alert id): such a channel is no alternative. */
    private transient MapState<String, String> firingChannels;

    @Override
    public void open(OpenContext openContext) {
        pending = getRuntimeContext().getListState(
                new ListStateDescriptor<>("advice-pending-alerts", TypeInformation.of(Alert.class)));
        windows = getRuntimeContext().getListState(
                new ListStateDescriptor<>("channel-windows", TypeInformation.of(ChannelWindow.class)));
        firingChannels = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("firing-channel-alerts", Types.STRING, Types.STRING));
    }

    @Override
    public void processElement1(Alert a, Context ctx, Collector<Alert> out) throws Exception {
        if (!FailoverAdvice.applies(a)) {
            out.collect(a);
            return;
        }
        pending.add(a);
        ctx.timerService().registerEventTimeTimer(a.transitionTime());
    }

    @Override
    public void processElement2(ChannelWindow w, Context ctx, Collector<Alert> out) throws Exception {
        windows.add(w);
        // a clean-up for quiet times without alerts: one timer per minute of windows at most
        ctx.timerService().registerEventTimeTimer(
                Math.floorDiv(w.time + RETENTION_MS, 60_000) * 60_000 + 60_000);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out) throws Exception {
        List<ChannelWindow> known = new ArrayList<>();
        for (ChannelWindow w : windows.get()) {
            known.add(w);
        }
        List<Alert> due = new ArrayList<>();
        List<Alert> later = new ArrayList<>();
        for (Alert a : pending.get()) {
            (a.transitionTime() <= timestamp ? due : later).add(a);
        }
        due.sort(AlertRoutingFunction.ORDER); // a channel's alert before the merchants' of its instant
        for (Alert a : due) {
            String channel = a.scope.size() == 1 ? a.scope.get(RuleSettings.SCOPE_CHANNEL) : null;
            if (channel != null) {
                String key = a.rule + '\u001f' + channel;
                if (Alert.FIRING.equals(a.status)) {
                    firingChannels.put(key, a.alertId);
                } else {
                    firingChannels.remove(key);
                }
            }
            Set<String> unhealthy = new TreeSet<>();
            for (String key : firingChannels.keys()) {
                unhealthy.add(key.substring(key.indexOf('\u001f') + 1));
            }
            out.collect(FailoverAdvice.advise(a, known, unhealthy));
        }
        pending.update(later);
        // by this timer's time, not the watermark: one watermark may pass many timers (a replay's
        // periodic watermark, the end of input), and the later ones still need their windows
        long keepFrom = timestamp - RETENTION_MS;
        List<ChannelWindow> kept = new ArrayList<>();
        for (ChannelWindow w : known) {
            if (w.time >= keepFrom) {
                kept.add(w);
            }
        }
        if (kept.size() != known.size()) {
            windows.update(kept);
        }
    }
}
