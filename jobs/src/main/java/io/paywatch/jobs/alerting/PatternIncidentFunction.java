package io.paywatch.jobs.alerting;

import io.paywatch.model.Alert;
import io.paywatch.model.PatternSignal;
import io.paywatch.model.ReturnCodeCatalog;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import io.paywatch.jobs.ingest.EndOfInput;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Flink shell around {@link PatternIncidents}, keyed by incident key. Signals come from several
 * operators (the CEP patterns emit when the watermark passes; resolving events come straight from
 * the input), so they are buffered and applied in event-time order when the watermark reaches
 * them: the outcome does not depend on which path was faster. Quiet periods end on event-time
 * timers. Incidents that only an event can resolve are forgotten after {@link #EXPIRE_MS}, so
 * state stays bounded.
 */
public class PatternIncidentFunction
        extends KeyedBroadcastProcessFunction<String, PatternSignal, io.paywatch.jobs.control.ControlSignal, Alert> {
    private static final long serialVersionUID = 1L;
    /** An unresolved charged_unfulfilled or failed_but_charged incident is kept this long. */
    public static final long EXPIRE_MS = 7L * 24 * 3_600_000;

    private static final Comparator<PatternSignal> ORDER = Comparator
            .comparingLong((PatternSignal s) -> s.time)
            .thenComparingInt(s -> s.type)
            .thenComparing(s -> s.eventIds.length == 0 ? "" : s.eventIds[0]);

    private transient ListState<PatternSignal> pending;
    private transient ValueState<OpenIncident> open;
    private transient PatternIncidents incidents;

    @Override
    public void open(OpenContext openContext) {
        pending = getRuntimeContext().getListState(
                new ListStateDescriptor<>("pending-signals", TypeInformation.of(PatternSignal.class)));
        open = getRuntimeContext().getState(
                new ValueStateDescriptor<>("open-incident", TypeInformation.of(OpenIncident.class)));
        incidents = new PatternIncidents(ReturnCodeCatalog.defaultCatalog());
    }

    @Override
    public void processBroadcastElement(io.paywatch.jobs.control.ControlSignal signal, Context ctx,
            Collector<Alert> out) throws Exception {
        // pattern parameters are compiled into the CEP patterns: rule changes do not apply here
        signal.recordEndOfInput(ctx.getBroadcastState(EndOfInput.STATE));
    }

    @Override
    public void processElement(PatternSignal s, ReadOnlyContext ctx, Collector<Alert> out)
            throws Exception {
        pending.add(s);
        ctx.timerService().registerEventTimeTimer(s.time);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out) throws Exception {
        if (EndOfInput.beyondData(timestamp, ctx.timerService().currentWatermark(),
                ctx.getBroadcastState(EndOfInput.STATE).immutableEntries())) {
            return; // a deadline or quiet period the input ended before: not made up
        }
        List<PatternSignal> due = new ArrayList<>();
        List<PatternSignal> later = new ArrayList<>();
        for (PatternSignal s : pending.get()) {
            (s.time <= timestamp ? due : later).add(s);
        }
        due.sort(ORDER);
        OpenIncident incident = open.value();
        OpenIncident before = incident;
        long quietBefore = PatternIncidents.quietEnd(incident);
        for (PatternSignal s : due) {
            incident = incidents.apply(incident, s, out::collect);
        }
        incident = incidents.quietUntil(incident, timestamp, out::collect);

        if (later.isEmpty()) {
            pending.clear();
        } else if (!due.isEmpty()) {
            pending.update(later);
        }
        // stale timers (an extended quiet period, a signal's time) are left to fire as no-ops:
        // deleting one could also delete the timer of a pending signal at the same time
        if (incident == null) {
            open.clear();
            return;
        }
        if (incident != before || !due.isEmpty()) {
            open.update(incident);
        }
        long quietEnd = PatternIncidents.quietEnd(incident);
        if (quietEnd != quietBefore && quietEnd != Long.MIN_VALUE) {
            ctx.timerService().registerEventTimeTimer(quietEnd);
        }
        if (quietEnd == Long.MIN_VALUE) {
            long expiry = incident.startsAt + EXPIRE_MS;
            if (timestamp >= expiry) {
                open.clear(); // never resolved: forget it rather than keep state forever
            } else {
                ctx.timerService().registerEventTimeTimer(expiry);
            }
        }
    }
}
