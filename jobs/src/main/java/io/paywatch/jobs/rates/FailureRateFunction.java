package io.paywatch.jobs.rates;

import io.paywatch.jobs.PipelineTags;
import io.paywatch.jobs.alerting.FailureRateAlerts;
import io.paywatch.jobs.alerting.FailureRateRule;
import io.paywatch.model.Alert;
import io.paywatch.model.FailureRateSettings;
import io.paywatch.model.Measure;
import io.paywatch.model.AnomalySettings;
import io.paywatch.model.TrafficDropSettings;
import io.paywatch.model.ReturnCodeCatalog;
import io.paywatch.model.RuleSettings;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.base.LongSerializer;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import io.paywatch.jobs.control.ControlSignal;
import io.paywatch.jobs.runtime.StateLayout;
import io.paywatch.jobs.control.LiveRules;
import io.paywatch.jobs.ingest.EndOfInput;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Sliding failure rates for one scope (merchant or channel) and the {@code failure_rate} rule.
 *
 * <p>Payments arrive counted per bucket by {@link RateBuckets}; each partial is added to its
 * bucket of a {@link BucketRing}, held where the state backend keeps it best
 * ({@link StateLayout}): on the heap inside the key's {@link RateKeyState} (one state lookup per
 * partial and per evaluation), on RocksDB in a map state with one entry per bucket (a partial
 * reads and writes its bucket, not the window). Either layout restores from a checkpoint of the
 * other: a key's buckets move over the first time the key is read after the restore. An
 * event-time timer at every bucket end evaluates the window, emits a {@link RateSnapshot} and
 * feeds {@link FailureRateRule}. Timers form one chain per key that stops, and the key's state
 * is cleared, as soon as the window is empty and no incident is open. This replaces
 * {@code SlidingEventTimeWindows}, which would copy every event into window/slide windows.
 */
public class FailureRateFunction
        extends KeyedBroadcastProcessFunction<String, RatePartial, ControlSignal, RateSnapshot> {
    private static final long serialVersionUID = 1L;
    /** The key's state, whose {@link RateKeyState#nextEvaluation} is the evaluation it waits for. */
    static final String KEY_STATE = "rate-key";

    private final String scope;
    private final RuleSettings rules;
    private final StateLayout layout;

    /** {@link StateLayout#MAP}: the key's buckets by index. */
    private transient MapState<Long, FailureCounts> buckets;
    private transient ValueState<RateKeyState> keyState;
    /** {@link StateLayout#MAP}: {@link #buckets}; {@link StateLayout#TABLE}: the current key's table. */
    private transient BucketRing.Store store;
    private transient Map<FailureRateSettings, BucketRing> rings;
    /** The last settings {@link #ring} was asked for and their ring: nearly every key has the file's. */
    private transient FailureRateSettings lastSettings;
    private transient BucketRing lastRing;
    private transient ReturnCodeCatalog catalog;
    /** Channel snapshots carry codes (paywatch_code points); merchant ones totals only. */
    private transient boolean fullWindow;
    private transient String scopeKey;
    /** Whether failure_rate_anomaly or traffic_drop is on: keys then keep minute history. */
    private transient boolean adaptiveOn;
    /** Whether {@code failure_rate} judges the windows (read per evaluation: kept, not looked up). */
    private transient boolean failureRateOn;
    private transient int historyMinutes;
    private transient AdaptiveRules adaptiveRules;
    /**
     * Where evaluations are scheduled when the function runs in a {@link RateEvaluationOperator}
     * (the job); otherwise, or when null, in Flink's timer service.
     */
    private transient EvaluationCalendar<String> calendar;
    /**
     * The broadcast states every evaluation reads, fetched once: the operator hands out the same
     * state objects for its lifetime, and a lookup by descriptor (hashing and comparing
     * descriptors) was 9 % of the merchant-rate thread.
     */
    private transient ReadOnlyBroadcastState<String, FailureRateSettings> liveFailureRate;
    private transient ReadOnlyBroadcastState<String, String> liveMeasures;
    private transient ReadOnlyBroadcastState<Integer, Long> endOfInput;

    /** Flink's POJO serializers for the state, as builds before 2026-12-02: upgrade tests only. */
    private boolean pojoState;

    /** @param scope {@link RateSnapshot#MERCHANT} or {@link RateSnapshot#CHANNEL} */
    public FailureRateFunction(String scope, RuleSettings rules) {
        this(scope, rules, StateLayout.MAP);
    }

    /**
     * @param scope {@link RateSnapshot#MERCHANT} or {@link RateSnapshot#CHANNEL}
     * @param layout where the buckets live: {@link StateLayout#forState} of the job's configuration
     */
    public FailureRateFunction(String scope, RuleSettings rules, StateLayout layout) {
        this.scope = scope;
        this.rules = rules;
        this.layout = layout;
    }

    /** The same function with its state written as an older build wrote it (upgrade tests). */
    FailureRateFunction withPojoState() {
        if (layout == StateLayout.TABLE) {
            // the POJO serializer skips the key state's transient table: older builds had none
            throw new IllegalStateException("older builds kept the buckets in a map state only");
        }
        pojoState = true;
        return this;
    }

    @Override
    public void open(OpenContext openContext) {
        // own serializers: every payment reads and writes this state (on RocksDB, serialised)
        buckets = getRuntimeContext().getMapState(pojoState
                ? new MapStateDescriptor<>("buckets", Types.LONG, TypeInformation.of(FailureCounts.class))
                : new MapStateDescriptor<>("buckets", LongSerializer.INSTANCE, FailureCountsSerializer.INSTANCE));
        keyState = getRuntimeContext().getState(pojoState
                ? new ValueStateDescriptor<>(KEY_STATE, TypeInformation.of(RateKeyState.class))
                : new ValueStateDescriptor<>(KEY_STATE, RateKeyStateSerializer.INSTANCE));
        store = layout == StateLayout.TABLE ? null : new BucketRing.Store() {
            @Override
            public FailureCounts get(long index) throws Exception {
                return buckets.get(index);
            }

            @Override
            public void put(long index, FailureCounts counts) throws Exception {
                buckets.put(index, counts);
            }

            @Override
            public void remove(long index) throws Exception {
                buckets.remove(index);
            }

            @Override
            public Iterable<Long> indexes() throws Exception {
                return buckets.keys();
            }
        };
        rings = new HashMap<>();
        catalog = ReturnCodeCatalog.defaultCatalog();
        fullWindow = RateSnapshot.CHANNEL.equals(scope);
        scopeKey = FailureRateAlerts.scopeKey(scope);
        adaptiveOn = rules.anyAdaptiveEnabled();
        failureRateOn = rules.enabled(RuleSettings.FAILURE_RATE);
        // fetched again from this operator's context (the function may be opened anew)
        liveFailureRate = null;
        liveMeasures = null;
        endOfInput = null;
        calendar = null;
        historyMinutes = (int) (rules.longestBaselineMs() / TrailingMinutes.MINUTE_MS) + 1;
        adaptiveRules = new AdaptiveRules(scope, rules, catalog);
    }

    /** The window with its codes and channels: merged from the buckets unless it already is. */
    private FailureCounts full(BucketRing ring, FailureCounts window, long evaluationTime) throws Exception {
        return fullWindow ? window : ring.window(store, evaluationTime);
    }

    /**
     * The rules file's settings for the key, or a live override from the control topic. With
     * {@code failure_rate} off nothing judges its thresholds, and an override's window would be
     * another operator's (traffic_drop's own operators, {@link RuleSettings#trafficDropAlone()}).
     */
    private FailureRateSettings settings(ReadOnlyContext ctx, String key) throws Exception {
        broadcastStates(ctx); // first of every element and evaluation: the states are at hand after it
        if (!failureRateOn) {
            return rules.failureRateFor(scopeKey, key);
        }
        return LiveRules.failureRateFor(rules, scopeKey, key, liveFailureRate);
    }

    /** Fetches the broadcast states an evaluation reads, once. */
    private void broadcastStates(ReadOnlyContext ctx) throws Exception {
        if (endOfInput == null) {
            liveFailureRate = ctx.getBroadcastState(LiveRules.FAILURE_RATE);
            liveMeasures = ctx.getBroadcastState(LiveRules.FAILURE_RATE_MEASURES);
            endOfInput = ctx.getBroadcastState(EndOfInput.STATE);
        }
    }

    private BucketRing ring(FailureRateSettings s) {
        // per evaluation: the settings' hash is computed over all their fields
        if (s != lastSettings) {
            lastRing = rings.computeIfAbsent(s, x -> new BucketRing(x.everyMs, x.bucketCount()));
            lastSettings = s;
        }
        return lastRing;
    }

    @Override
    public void processBroadcastElement(ControlSignal signal, Context ctx, Collector<RateSnapshot> out)
            throws Exception {
        signal.recordEndOfInput(ctx.getBroadcastState(EndOfInput.STATE));
        if (signal.change != null) {
            // takes effect at the next evaluation of each key (window and every cannot change live)
            LiveRules.applyOverrides(signal.change, ctx.getBroadcastState(LiveRules.FAILURE_RATE),
                    ctx.getBroadcastState(LiveRules.FAILURE_RATE_MEASURES));
            if (!signal.change.adaptiveOverrides.isEmpty()) {
                LiveRules.applyAdaptiveOverrides(signal.change, ctx.getBroadcastState(LiveRules.ANOMALY),
                        ctx.getBroadcastState(LiveRules.TRAFFIC_DROP));
            }
        }
    }

    /**
     * Puts the key's buckets where this layout keeps them, moving them over from the other
     * layout's state once after a restore, and points {@link #store} at them.
     *
     * @return whether {@code st} changed (and has to be stored)
     */
    private boolean settleBuckets(RateKeyState st) throws Exception {
        if (layout == StateLayout.TABLE) {
            boolean moved = false;
            if (st.buckets == null) { // state of the map layout (or of a build before the table)
                st.buckets = new RateBucketTable();
                for (Map.Entry<Long, FailureCounts> b : buckets.entries()) {
                    st.buckets.put(b.getKey(), b.getValue());
                }
                buckets.clear();
                moved = true;
            }
            store = st.buckets;
            return moved;
        }
        if (st.buckets != null) { // state of the table layout
            RateBucketTable table = st.buckets;
            st.buckets = null;
            table.forEach(buckets::put);
            return true;
        }
        return false;
    }

    @Override
    public void processElement(RatePartial p, ReadOnlyContext ctx, Collector<RateSnapshot> out)
            throws Exception {
        BucketRing ring = ring(settings(ctx, ctx.getCurrentKey()));
        RateKeyState st = keyState.value();
        boolean changed = false;
        if (st == null) {
            st = new RateKeyState();
            if (layout == StateLayout.TABLE) {
                st.buckets = new RateBucketTable();
            }
            changed = true;
        }
        // on the heap the key's table changes in place: the backend holds that very object
        // (copied on read while a snapshot holds it), so it is stored only when new
        changed |= settleBuckets(st);
        ring.add(store, p.counts);
        long evaluation = ring.bucketEnd(p.counts.start);
        if (st.nextEvaluation == 0 || evaluation < st.nextEvaluation) {
            // the first evaluation that includes this event; later ones follow as a chain
            schedule(ctx, evaluation);
            st.nextEvaluation = evaluation;
            changed = true;
        }
        if (changed) {
            keyState.update(st);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<RateSnapshot> out)
            throws Exception {
        long evaluationTime = timestamp + 1;
        String key = ctx.getCurrentKey();
        FailureRateSettings s = settings(ctx, key);
        BucketRing ring = ring(s);
        RateKeyState st = keyState.value();
        if (st == null || st.nextEvaluation != evaluationTime) {
            return; // nothing of the key left, or a timer its chain has moved past
        }
        if (EndOfInput.beyondData(timestamp, ctx.timerService().currentWatermark(),
                endOfInput.immutableEntries())) {
            return; // the input ended before this evaluation: do not make one up
        }
        settleBuckets(st); // every path below stores the key's state or clears it
        // a merchant's totals are kept from its last evaluation (two bucket reads, not a merge
        // of the window); codes and channels are merged only where they are used: channel
        // metrics (few keys) and alerts
        FailureCounts window;
        if (fullWindow) {
            window = ring.window(store, evaluationTime);
        } else {
            FailureCounts partial = new FailureCounts(evaluationTime + s.everyMs);
            window = ring.totals(store, evaluationTime,
                    st.partialWindowFor == evaluationTime ? st.partialWindow : null, partial);
            st.partialWindow = partial;
            st.partialWindowFor = evaluationTime + s.everyMs;
        }

        // with the rule switched off the window is still measured (metrics), never judged
        Measure measure = LiveRules.failureRateMeasureFor(rules, scopeKey, key,
                liveFailureRate, liveMeasures);
        FailureRateRule.Decision d = failureRateOn
                ? FailureRateRule.evaluate(st.firingSeverity, window.total,
                        FailureRateAlerts.rate(window, measure), s)
                : FailureRateRule.NONE;
        switch (d.transition) {
            case FIRE:
                st.firingSince = evaluationTime;
                // fall through: a new incident and a severity change both send "firing"
            case SEVERITY_CHANGE:
                st.firingSeverity = d.severity;
                ctx.output(PipelineTags.ALERTS, FailureRateAlerts.firing(scope, key, st.firingSince,
                        evaluationTime, d.severity, d.threshold, full(ring, window, evaluationTime), s,
                        measure, ring.recentFailures(store, evaluationTime, 20), catalog));
                break;
            case RESOLVE:
                Alert resolved = FailureRateAlerts.resolved(scope, key, st.firingSince,
                        evaluationTime, st.firingSeverity, full(ring, window, evaluationTime), s,
                        measure, ring.recentFailures(store, evaluationTime, 20), catalog);
                ctx.output(PipelineTags.ALERTS, resolved);
                st.firingSeverity = null;
                st.firingSince = 0;
                break;
            default:
                break;
        }

        AdaptiveKeyState adaptive = null;
        AdaptiveRules.Baselines baselines = AdaptiveRules.Baselines.NONE;
        AnomalySettings anomalySettings = null;
        TrafficDropSettings dropSettings = null;
        if (adaptiveOn) {
            adaptive = adaptive(st);
            FailureCounts judged = window;
            anomalySettings = LiveRules.anomalyFor(rules, scopeKey, key, ctx.getBroadcastState(LiveRules.ANOMALY));
            dropSettings = LiveRules.trafficDropFor(rules, scopeKey, key, ctx.getBroadcastState(LiveRules.TRAFFIC_DROP));
            baselines = adaptiveRules.evaluate(adaptive, key, anomalySettings, dropSettings, evaluationTime, s.windowMs, judged,
                    () -> full(ring, judged, evaluationTime),
                    () -> ring.recentFailures(store, evaluationTime, 20),
                    alert -> ctx.output(PipelineTags.ALERTS, alert));
        }

        if (!window.isEmpty() || baselines.volume != null) {
            RateSnapshot snap = new RateSnapshot();
            snap.scope = scope;
            snap.key = key;
            snap.time = evaluationTime;
            snap.windowMs = s.windowMs;
            snap.counts = window;
            snap.firingSeverity = st.firingSeverity;
            snap.baselineFailureRate = baselines.failureRate;
            snap.baselineVolume = baselines.volume;
            out.collect(snap);
        }

        long next = evaluationTime + s.everyMs;
        if (adaptive != null) {
            // the bucket leaving the window becomes history (marked if a rule fired on it)
            adaptiveRules.learn(adaptive, ring.oldest(store, evaluationTime), evaluationTime, s);
        }
        ring.expireOldest(store, next);
        // the next window holds data when what it shares with this one does (the running
        // totals); only otherwise look for buckets ahead, or find the key gone quiet
        boolean nextHasData = !fullWindow && st.partialWindow != null && st.partialWindow.total > 0;
        boolean everyBucket = st.firingSeverity != null
                || (adaptive != null && adaptiveRules.evaluatedEveryBucket(adaptive, dropSettings, next, s.windowMs));
        if (!everyBucket && !nextHasData) {
            next = ring.nextEvaluationWithData(store, next);
            if (next == Long.MIN_VALUE && adaptive != null) {
                // no payments ahead, but history still counts in a baseline: come back once
                // it no longer does, so that the key's state goes then
                next = adaptiveRules.historyExpires(adaptive, evaluationTime + s.everyMs, s);
            }
        }
        if (next != Long.MIN_VALUE) {
            schedule(ctx, next);
            st.nextEvaluation = next;
            keyState.update(st);
        } else {
            // the key went quiet: nothing of it stays in state
            if (layout == StateLayout.MAP) {
                buckets.clear();
            }
            keyState.clear();
        }
    }

    /** Evaluations go to {@code calendar} from now on (the operator's, for its subtask). */
    void scheduleIn(EvaluationCalendar<String> calendar) {
        this.calendar = calendar;
    }

    /** The current key's evaluation at {@code evaluationTime}: a timer one millisecond before it. */
    private void schedule(ReadOnlyContext ctx, long evaluationTime) {
        if (calendar != null) {
            calendar.schedule(evaluationTime - 1, ctx.getCurrentKey());
        } else {
            ctx.timerService().registerEventTimeTimer(evaluationTime - 1);
        }
    }

    /** The timer time of the current key's next evaluation, or {@link Long#MIN_VALUE} for none. */
    long scheduledTimer() throws Exception {
        RateKeyState st = keyState.value();
        return st == null || st.nextEvaluation == 0 ? Long.MIN_VALUE : st.nextEvaluation - 1;
    }

    /** The key's adaptive state, created at its first evaluation, its ring sized to the rules. */
    private AdaptiveKeyState adaptive(RateKeyState st) {
        if (st.adaptive == null) {
            st.adaptive = new AdaptiveKeyState(historyMinutes);
        } else if (st.adaptive.history.capacity != historyMinutes) {
            st.adaptive.history = st.adaptive.history.resized(historyMinutes);
        }
        return st.adaptive;
    }
}
