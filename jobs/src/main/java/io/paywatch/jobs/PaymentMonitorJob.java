package io.paywatch.jobs;

import io.paywatch.jobs.alerting.AlertRoutingFunction;
import io.paywatch.jobs.alerting.ChannelWindow;
import io.paywatch.jobs.alerting.FailoverAdviceFunction;
import io.paywatch.jobs.metrics.AlertOutputMetrics;
import io.paywatch.jobs.alerting.PatternDetection;
import io.paywatch.jobs.control.ControlParseFunction;
import io.paywatch.jobs.control.ControlSignal;
import io.paywatch.jobs.control.LiveRules;
import io.paywatch.jobs.ingest.DeadLetter;
import io.paywatch.jobs.ingest.DuplicateFilter;
import io.paywatch.jobs.ingest.DuplicateFilterOperator;
import io.paywatch.jobs.ingest.InputOutcome;
import io.paywatch.jobs.ingest.InputOutcomeCounter;
import io.paywatch.jobs.ingest.InputHealth;
import io.paywatch.jobs.ingest.InputHealthFunction;
import io.paywatch.jobs.ingest.EndOfInput;
import io.paywatch.jobs.ingest.EventTimeGate;
import io.paywatch.jobs.ingest.EventTimeGateFactory;
import io.paywatch.jobs.ingest.ParseFunction;
import io.paywatch.jobs.ingest.ParsedRecord;
import io.paywatch.jobs.ingest.EventTimeRange;
import io.paywatch.jobs.ingest.RawRecord;
import io.paywatch.jobs.ingest.SourcePartitions;
import io.paywatch.jobs.rates.RateBuckets;
import io.paywatch.jobs.rates.RatePartial;
import io.paywatch.jobs.rates.FailureRateFunction;
import io.paywatch.jobs.rates.RateEvaluationOperator;
import io.paywatch.jobs.rates.RateSnapshot;
import io.paywatch.jobs.runtime.NetworkBuffers;
import io.paywatch.jobs.runtime.StateLayout;
import io.paywatch.model.Alert;
import io.paywatch.model.PaymentEvent;
import io.paywatch.model.RuleSettings;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * The PayWatch pipeline, as a diagram in code:
 *
 * <pre>
 * raw records ─ parse ─ event time gate ─┬─ keyBy(merchant) dedup ─┬─ (same keys) failure rates per merchant ─┐
 *                                         │                         ├─ keyBy(channel) failure rates ───────────┼─ rates, alerts
 *                                         │                         └─ CEP pattern rules, incidents ───────────┤
 *                                         └─ dead letters, input outcomes (counted locally) ─ input health ────┘
 * </pre>
 *
 * <p>With every pattern rule switched off, the parser passes on only the fields the rate rules
 * read ({@link PipelineSettings#eventProjection()}): the exchange to dedup carries less.
 *
 * <p>Sources and sinks are chosen by the caller ({@link io.paywatch.jobs.cli.PayWatchCli}, or a
 * test with finite sources and collecting sinks); this class only wires the named functions.
 */
public final class PaymentMonitorJob {
    /** The streams the pipeline produces, for the caller to attach sinks to. */
    public static final class Outputs {
        /**
         * The accepted events: with every pattern rule switched off, only the fields the rate rules
         * read ({@link io.paywatch.jobs.ingest.EventProjection#RATES}).
         */
        public final DataStream<PaymentEvent> events;
        /** Every rate snapshot: {@link #merchantRates} and {@link #channelRates}. */
        public final DataStream<RateSnapshot> rates;
        /**
         * The merchant rates alone, from the operator that computes them: what is chained to it
         * (rate points) takes them without an exchange, which a consumer of {@link #rates} (two
         * inputs) cannot.
         */
        public final DataStream<RateSnapshot> merchantRates;
        /** The channel rates alone (see {@link #merchantRates}). */
        public final DataStream<RateSnapshot> channelRates;
        public final DataStream<Alert> alerts;
        public final DataStream<InputHealth> inputHealth;
        public final DataStream<DeadLetter> deadLetters;
        /** The alerts of the compared rule set ({@code --compare-rules}), or null. */
        public final DataStream<Alert> compareAlerts;

        Outputs(DataStream<PaymentEvent> events, DataStream<RateSnapshot> merchantRates,
                DataStream<RateSnapshot> channelRates,
                DataStream<Alert> alerts, DataStream<InputHealth> inputHealth,
                DataStream<DeadLetter> deadLetters, DataStream<Alert> compareAlerts) {
            this.compareAlerts = compareAlerts;
            this.events = events;
            this.merchantRates = merchantRates;
            this.channelRates = channelRates;
            this.rates = merchantRates.union(channelRates);
            this.alerts = alerts;
            this.inputHealth = inputHealth;
            this.deadLetters = deadLetters;
        }
    }

    /**
     * How often (processing time) the gate emits a watermark: an alert waits for the next one, so
     * half of it is in the median detection latency. 100 ms took the median from Kafka from
     * 452–493 to 399–413 ms on both backends, without a throughput cost beyond the noise
     * (docs/performance.md, eleventh session; tried once before when the job was slower, and not
     * kept then).
     */
    static final long WATERMARK_INTERVAL_MS = 100;

    private PaymentMonitorJob() {}

    /** CEP's late output: empty by construction (see {@link EventTimeGate}), never silent. */
    static DeadLetter lateAtPatterns(PaymentEvent e) {
        DeadLetter d = DeadLetter.of(io.paywatch.jobs.ingest.Rejection.LATE, "event_time",
                "behind the watermark at the pattern rules", "{\"event_id\":\"" + e.eventId + "\"}",
                null);
        d.eventTime = e.eventTime;
        return d;
    }

    /**
     * @param raw the input records, from a source whose partitions {@code partitions} describes
     */
    public static Outputs build(DataStream<RawRecord> raw, SourcePartitions partitions,
            PipelineSettings settings) {
        return build(raw, partitions, settings, null);
    }

    /**
     * @param controlRecords the control topic's records (live rule changes), or null
     */
    public static Outputs build(DataStream<RawRecord> raw, SourcePartitions partitions,
            PipelineSettings settings, DataStream<RawRecord> controlRecords) {
        int sourceParallelism = raw.getParallelism();

        SingleOutputStreamOperator<ParsedRecord> parsed = raw
                .map(new ParseFunction(settings.eventProjection()))
                .name("parse and validate").uid("parse")
                .setParallelism(sourceParallelism);
        if (settings.eventTimeRange() != null) {
            parsed = parsed.filter(new EventTimeRange(settings.eventTimeRange()[0], settings.eventTimeRange()[1]))
                    .name("events in the replay's event-time range").uid("event-time-range")
                    .setParallelism(sourceParallelism);
        }
        SingleOutputStreamOperator<PaymentEvent> onTime = parsed
                .transform("event time gate", TypeInformation.of(PaymentEvent.class),
                        new EventTimeGateFactory(new EventTimeGate(settings.outOfOrdernessMs,
                                settings.dedupHorizonMs, settings.idleTimeoutMs,
                                WATERMARK_INTERVAL_MS, partitions, settings.idleAdvanceMaxMs)))
                .uid("event-time-gate")
                .setParallelism(sourceParallelism)
                // the one exchange that carries every event: full buffers, not early ones
                .setBufferTimeout(NetworkBuffers.EVENTS_MS);

        // input outcomes are counted per interval where they happen (the gate, dedup)
        long healthInterval = settings.rules.failureRate().everyMs;
        // keyed by merchant: the merchant failure rates below reuse this partitioning
        SingleOutputStreamOperator<PaymentEvent> accepted = onTime
                .keyBy(e -> e.merchantId)
                .connect(onTime.getSideOutput(PipelineTags.LATE_EVENTS).keyBy(l -> l.event.merchantId))
                .transform("dedup by event_id", TypeInformation.of(PaymentEvent.class),
                        new DuplicateFilterOperator(new DuplicateFilter(settings.dedupHorizonMs,
                                StateLayout.forState(raw.getExecutionEnvironment().getConfiguration())),
                                healthInterval, partitions.inputName()))
                .uid("dedup-by-merchant");

        // to every rule operator: the end of a bounded input (not to evaluate beyond it) and
        // live rule changes from the control topic
        DataStream<ControlSignal> signals = onTime.getSideOutput(PipelineTags.END_OF_INPUT)
                .map(ControlSignal::of).returns(ControlSignal.TYPE)
                .name("end of input").uid("end-of-input")
                .setParallelism(sourceParallelism);
        SingleOutputStreamOperator<ControlSignal> changes = null;
        if (controlRecords != null) {
            changes = controlRecords
                    .process(new ControlParseFunction(settings.rules, settings.controlSecretEnv()))
                    .returns(ControlSignal.TYPE)
                    .name("rule changes").uid("control-parse")
                    .setParallelism(1);
            // rule changes apply in processing order: they must not hold event time back
            signals = signals.union(changes
                    .assignTimestampsAndWatermarks(ControlSignal.NEVER_HOLDS_EVENT_TIME)
                    .name("rule changes (no event time)").uid("control-watermarks")
                    .setParallelism(1));
        }
        BroadcastStream<ControlSignal> control = signals.broadcast(
                EndOfInput.STATE, LiveRules.FAILURE_RATE, LiveRules.FAILURE_RATE_MEASURES, LiveRules.SILENCES, LiveRules.ANOMALY,
                LiveRules.TRAFFIC_DROP);

        boolean bounded = boundedInput(raw.getTransformation());
        RuleOutputs main = rules(accepted, control, settings.rules, "", settings.screens(), bounded);

        DataStream<InputHealth> inputHealth = onTime.getSideOutput(PipelineTags.INPUT_OUTCOMES)
                .transform("count rejected and late", TypeInformation.of(InputOutcome.class),
                        new InputOutcomeCounter(healthInterval, partitions.inputName(),
                                InputOutcome.REJECTED, InputOutcome.LATE))
                .uid("count-gate-outcomes").setParallelism(sourceParallelism)
                .union(accepted.getSideOutput(PipelineTags.INPUT_OUTCOMES))
                .keyBy(o -> 0)
                .process(new InputHealthFunction(healthInterval))
                .name("input health").uid("input-health");

        DataStream<DeadLetter> deadLetters = onTime.getSideOutput(PipelineTags.DEAD_LETTERS)
                .union(accepted.getSideOutput(PipelineTags.DEAD_LETTERS));
        if (main.lateAtPatterns != null) {
            deadLetters = deadLetters.union(main.lateAtPatterns.map(PaymentMonitorJob::lateAtPatterns)
                    .name("late at patterns").uid("late-at-patterns"));
        }
        if (changes != null) {
            deadLetters = deadLetters.union(changes.getSideOutput(PipelineTags.DEAD_LETTERS));
        }

        // backtesting: a second rule set over the same accepted events, in the same pass
        DataStream<Alert> compareAlerts = null;
        if (settings.compareRules != null) {
            RuleOutputs compare = rules(accepted, control, settings.compareRules, "-compare", settings.screens(),
                    bounded);
            compareAlerts = advised(compare, "-compare");
        }

        // inhibition (one page for a channel outage, not one per merchant riding on it),
        // silences, flapping, re-notification, and the echo of live rule changes
        // where to send the traffic instead: the channel windows meet the alerts (few of either)
        DataStream<Alert> routed = advised(main, "")
                .keyBy(a -> 0)
                .connect(control)
                .process(new AlertRoutingFunction(settings.rules))
                .returns(TypeInformation.of(Alert.class))
                .name("alert routing").uid("alert-routing")
                .setParallelism(1)
                // how far the rules have got in event time, and alerts per rule: the progress line and metrics
                .transform("alert metrics", TypeInformation.of(Alert.class), new AlertOutputMetrics())
                .uid("processed-event-time")
                .setParallelism(1);

        return new Outputs(accepted, main.merchantRates, main.channelRates, routed, inputHealth, deadLetters,
                compareAlerts);
    }

    /** Whether every source upstream of {@code t} is bounded (a replay, the generator, a test's data). */
    static boolean boundedInput(org.apache.flink.api.dag.Transformation<?> t) {
        if (t instanceof org.apache.flink.streaming.api.transformations.SourceTransformation<?, ?, ?> source) {
            return source.getBoundedness() == org.apache.flink.api.connector.source.Boundedness.BOUNDED;
        }
        if (t instanceof org.apache.flink.streaming.api.transformations.LegacySourceTransformation<?> source) {
            return source.getBoundedness() == org.apache.flink.api.connector.source.Boundedness.BOUNDED;
        }
        if (t.getInputs().isEmpty()) {
            return false;
        }
        for (org.apache.flink.api.dag.Transformation<?> input : t.getInputs()) {
            if (!boundedInput(input)) {
                return false;
            }
        }
        return true;
    }

    /** Where to send the traffic instead: a rule set's channel windows meet its alerts (few of either). */
    static DataStream<Alert> advised(RuleOutputs set, String uidSuffix) {
        return set.alerts
                .keyBy(a -> 0)
                .connect(set.channelWindows.keyBy(w -> 0))
                .process(new FailoverAdviceFunction())
                .returns(TypeInformation.of(Alert.class))
                .name("failover advice" + uidSuffix).uid("failover-advice" + uidSuffix)
                .setParallelism(1);
    }

    /** What one rule set produces. */
    static final class RuleOutputs {
        final DataStream<RateSnapshot> merchantRates;
        final DataStream<RateSnapshot> channelRates;
        final DataStream<Alert> alerts;
        /** Each channel's window at each evaluation, for failover advice. */
        final DataStream<ChannelWindow> channelWindows;
        /** Null when every pattern rule is switched off. */
        final DataStream<PaymentEvent> lateAtPatterns;

        RuleOutputs(DataStream<RateSnapshot> merchantRates, DataStream<RateSnapshot> channelRates,
                DataStream<Alert> alerts, DataStream<ChannelWindow> channelWindows,
                DataStream<PaymentEvent> lateAtPatterns) {
            this.merchantRates = merchantRates;
            this.channelRates = channelRates;
            this.alerts = alerts;
            this.channelWindows = channelWindows;
            this.lateAtPatterns = lateAtPatterns;
        }
    }

    /** Failure rates and the pattern rules for one rule set; {@code uidSuffix} tells sets apart. */
    static RuleOutputs rules(DataStream<PaymentEvent> accepted, BroadcastStream<ControlSignal> control,
            RuleSettings rules, String uidSuffix, boolean screens, boolean boundedInput) {
        // only payments count in rates
        DataStream<PaymentEvent> payments = accepted.filter(PaymentEvent::isPayment)
                .name("payments" + uidSuffix).uid("payments" + uidSuffix);
        boolean dropApart = rules.trafficDropHasOwnWindows();
        Rates rates = rates(payments, control, dropApart ? rules.withoutTrafficDrop() : rules, uidSuffix);
        DataStream<Alert> alerts = rates.alerts();
        if (dropApart) {
            // traffic_drop on windows of its own: rate operators of its own judge only it; their
            // points are not written (paywatch_rate is failure_rate's window), their alerts are
            Rates drops = rates(payments, control, rules.trafficDropAlone(), "-traffic-drop" + uidSuffix);
            alerts = alerts.union(drops.alerts());
        }
        DataStream<ChannelWindow> channelWindows = rates.channel
                .map(r -> new ChannelWindow(r.key, r.time, r.windowMs, r.counts.total, r.counts.failed))
                .returns(TypeInformation.of(ChannelWindow.class))
                .name("channel windows" + uidSuffix).uid("channel-windows" + uidSuffix);
        if (!rules.anyPatternEnabled()) {
            return new RuleOutputs(rates.merchant, rates.channel, alerts, channelWindows, null);
        }
        PatternDetection.Result patterns = PatternDetection.build(accepted, control, rules, uidSuffix, screens,
                boundedInput);
        return new RuleOutputs(rates.merchant, rates.channel, alerts.union(patterns.alerts), channelWindows,
                patterns.late);
    }

    /** The rate operators of one rule set: per merchant and per channel. */
    private record Rates(SingleOutputStreamOperator<RateSnapshot> merchant,
            SingleOutputStreamOperator<RateSnapshot> channel) {
        DataStream<Alert> alerts() {
            return merchant.getSideOutput(PipelineTags.ALERTS).union(channel.getSideOutput(PipelineTags.ALERTS));
        }
    }

    /**
     * Counted per key and bucket where dedup runs: merchant rates read dedup's partitioning (no
     * exchange), channel rates get partial counts.
     */
    private static Rates rates(DataStream<PaymentEvent> payments, BroadcastStream<ControlSignal> control,
            RuleSettings rules, String uidSuffix) {
        TypeInformation<RatePartial> partial = TypeInformation.of(RatePartial.class);
        StateLayout layout = StateLayout.forState(payments.getExecutionEnvironment().getConfiguration());
        DataStream<RatePartial> merchantBuckets = payments
                .transform("buckets per merchant" + uidSuffix, partial, new RateBuckets(RateSnapshot.MERCHANT, rules))
                .uid("rate-buckets-merchant" + uidSuffix);
        DataStream<RatePartial> channelBuckets = payments
                .transform("buckets per channel" + uidSuffix, partial, new RateBuckets(RateSnapshot.CHANNEL, rules))
                .uid("rate-buckets-channel" + uidSuffix);
        SingleOutputStreamOperator<RateSnapshot> merchantRates = evaluated(DataStreamUtils
                .reinterpretAsKeyedStream(merchantBuckets, p -> p.key, Types.STRING), control,
                new FailureRateFunction(RateSnapshot.MERCHANT, rules, layout))
                .name("failure rate per merchant" + uidSuffix).uid("failure-rate-merchant" + uidSuffix);
        SingleOutputStreamOperator<RateSnapshot> channelRates = evaluated(channelBuckets
                .keyBy(p -> p.key), control, new FailureRateFunction(RateSnapshot.CHANNEL, rules, layout))
                .name("failure rate per channel" + uidSuffix).uid("failure-rate-channel" + uidSuffix);
        return new Rates(merchantRates, channelRates);
    }

    /**
     * {@code BroadcastConnectedStream.process} of the rate function, in the operator that
     * schedules its evaluations in a calendar of the subtask rather than in keyed timers.
     */
    private static SingleOutputStreamOperator<RateSnapshot> evaluated(KeyedStream<RatePartial, String> partials,
            BroadcastStream<ControlSignal> control, FailureRateFunction function) {
        return partials.connect(ControlSignal.toEverySubtask(control))
                .transform("failure rates", TypeInformation.of(RateSnapshot.class),
                        new RateEvaluationOperator(function, control.getBroadcastStateDescriptors()));
    }
}
