package io.paywatch.bench;

import io.paywatch.jobs.PaymentMonitorJob;
import io.paywatch.jobs.PipelineSettings;
import io.paywatch.jobs.ingest.ParseFunction;
import io.paywatch.jobs.ingest.ParsedRecord;
import io.paywatch.jobs.ingest.RawRecord;
import io.paywatch.jobs.metrics.MetricLines;
import io.paywatch.jobs.rates.FailureCounts;
import io.paywatch.jobs.rates.RateSnapshot;
import io.paywatch.jobs.runtime.NetworkBuffers;
import io.paywatch.model.AlertJson;
import io.paywatch.model.Category;
import io.paywatch.model.PatternRuleSettings;
import io.paywatch.model.PatternSignal;
import io.paywatch.patterns.ChargedUnfulfilledPattern;
import io.paywatch.patterns.FailedButChargedPattern;
import io.paywatch.patterns.RiskBlockPattern;
import io.paywatch.patterns.TimeoutBurstPattern;
import org.apache.flink.cep.CEP;
import io.paywatch.model.PaymentEvent;
import io.paywatch.model.RuleSettings;
import java.time.Duration;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import java.util.List;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.assigners.SlidingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.util.Collector;

/**
 * The four measured jobs over the same source. Each ends in a discarding sink after its output
 * is serialised as it would be for InfluxDB (line protocol) and the alerts file (JSON), and
 * counts its rates in accumulators: the rate checksum proves that the jobs computed the same
 * failure rates, so the comparison is between equals.
 */
final class Measurements {
    static final String RATE_RECORDS = "rate_records";
    static final String RATE_TOTAL = "rate_total_checksum";
    static final long WINDOW_MS = 300_000;
    static final long SLIDE_MS = 10_000;

    private Measurements() {}

    /** 1. bytes → validated events only: the floor for everything after it. */
    static void parse(StreamExecutionEnvironment env) {
        BenchSource.of(env)
                .map(new ParseFunction()).name("parse and validate")
                .filter(p -> p.event != null).name("accepted")
                .sinkTo(new DiscardingSink<>());
    }

    /** 2. The full PayWatch job. */
    static void pipeline(StreamExecutionEnvironment env, long checksumUpTo) {
        pipeline(env, checksumUpTo, RuleSettings.defaults());
    }

    /** The rules file of {@code pipeline_rates}: only {@code failure_rate}, as a user would switch it. */
    static final String RATES_ONLY = String.join("\n",
            "timeout_burst: {enabled: false}", "risk_block: {enabled: false}",
            "charged_unfulfilled: {enabled: false}", "failed_but_charged: {enabled: false}", "");

    /** 2b. PayWatch with only the failure-rate rule: the job the baselines do. */
    static void pipelineRates(StreamExecutionEnvironment env, long checksumUpTo) {
        pipeline(env, checksumUpTo, RuleSettings.parseYaml(RATES_ONLY, "pipeline_rates"));
    }

    static void pipeline(StreamExecutionEnvironment env, long checksumUpTo, RuleSettings rules) {
        NetworkBuffers.apply(env); // as ./paywatch run
        PaymentMonitorJob.Outputs o = PaymentMonitorJob.build(BenchSource.of(env),
                BenchSource.partitions(), PipelineSettings.defaults(rules));
        // each rate operator's snapshots to its own lines, as the baselines' per-scope queries and
        // as ./paywatch run's rate points (whose lines then go to the sink's task)
        for (DataStream<RateSnapshot> rates : List.of(o.merchantRates, o.channelRates)) {
            rates.map(new RateChecksum(checksumUpTo)).name("rate checksum")
                    .flatMap((RateSnapshot s, Collector<String> out) -> MetricLines.of(s, null).forEach(out::collect))
                    .returns(Types.STRING).name("rate lines")
                    .sinkTo(new DiscardingSink<>());
        }
        o.alerts.map(AlertJson::toJson).name("alert json").sinkTo(new DiscardingSink<>());
        o.alerts.map(a -> MetricLines.of(a, null)).name("alert lines").sinkTo(new DiscardingSink<>());
        o.inputHealth.map(h -> MetricLines.of(h, null)).name("input lines").sinkTo(new DiscardingSink<>());
        o.deadLetters.map(d -> d.toJson()).name("dead letter json").sinkTo(new DiscardingSink<>());
    }

    /** The parsed payments with event-time watermarks, as a baseline job would start. */
    private static DataStream<PaymentEvent> payments(StreamExecutionEnvironment env) {
        return BenchSource.of(env)
                .map(new ParseFunction()).name("parse and validate")
                .filter(p -> p.event != null && p.event.isPayment()).name("payments")
                .map((ParsedRecord p) -> p.event).returns(TypeInformation.of(PaymentEvent.class))
                .assignTimestampsAndWatermarks(WatermarkStrategy
                        .<PaymentEvent>forBoundedOutOfOrderness(Duration.ofSeconds(5))
                        .withTimestampAssigner((e, ts) -> e.eventTime));
    }

    /** 3. The same rates the way most Flink users write them: sliding windows + aggregate. */
    static void baselineWindows(StreamExecutionEnvironment env, long checksumUpTo) {
        DataStream<PaymentEvent> payments = payments(env);
        windowRates(payments, checksumUpTo);
    }

    static final String PATTERN_MATCHES = "pattern_matches";

    /**
     * 5. The whole job as a Flink user would write it from the docs: a keyed dedup with state
     * TTL, the rates with sliding windows (as {@link #baselineWindows}), and the four patterns of
     * {@code cep-patterns} applied with {@code CEP.pattern} straight to keyed streams of the
     * parsed events (no screen, no incident lifecycle); matches counted in an accumulator.
     */
    static void baselineCep(StreamExecutionEnvironment env, long checksumUpTo) {
        RuleSettings rules = RuleSettings.defaults();
        DataStream<PaymentEvent> events = BenchSource.of(env)
                .map(new ParseFunction()).name("parse and validate")
                .filter(p -> p.event != null).name("accepted")
                .map((ParsedRecord p) -> p.event).returns(TypeInformation.of(PaymentEvent.class))
                .assignTimestampsAndWatermarks(WatermarkStrategy
                        .<PaymentEvent>forBoundedOutOfOrderness(Duration.ofSeconds(5))
                        .withTimestampAssigner((e, ts) -> e.eventTime))
                .keyBy(e -> e.eventId)
                .filter(new FirstDelivery()).name("dedup with state TTL");
        DataStream<PaymentEvent> payments = events.filter(PaymentEvent::isPayment).name("payments");
        windowRates(payments, checksumUpTo);
        PatternRuleSettings tb = rules.pattern(RuleSettings.TIMEOUT_BURST);
        matches(CEP.pattern(events.filter(TimeoutBurstPattern::relevant).keyBy(TimeoutBurstPattern::keyOf),
                TimeoutBurstPattern.pattern(tb)).inEventTime().process(TimeoutBurstPattern.handler(tb)));
        PatternRuleSettings rb = rules.pattern(RuleSettings.RISK_BLOCK);
        matches(CEP.pattern(events.filter(e -> RiskBlockPattern.relevant(e, RiskBlockPattern.CARD))
                        .keyBy(e -> RiskBlockPattern.keyOf(e, RiskBlockPattern.CARD)), RiskBlockPattern.pattern(rb))
                .inEventTime().process(RiskBlockPattern.handler(rb, RiskBlockPattern.CARD)));
        PatternRuleSettings cu = rules.pattern(RuleSettings.CHARGED_UNFULFILLED);
        matches(CEP.pattern(events.filter(ChargedUnfulfilledPattern::relevant).keyBy(ChargedUnfulfilledPattern::keyOf),
                ChargedUnfulfilledPattern.pattern(cu), ChargedUnfulfilledPattern.SAME_TIME_ORDER)
                .inEventTime().process(ChargedUnfulfilledPattern.handler(cu)));
        PatternRuleSettings fc = rules.pattern(RuleSettings.FAILED_BUT_CHARGED);
        matches(CEP.pattern(events.filter(FailedButChargedPattern::relevant).keyBy(FailedButChargedPattern::keyOf),
                FailedButChargedPattern.pattern(fc)).inEventTime().process(FailedButChargedPattern.handler(fc)));
    }

    private static void matches(DataStream<PatternSignal> signals) {
        signals.map(new MatchCount()).name("match count").sinkTo(new DiscardingSink<>());
    }

    /** The dedup of the docs: a flag per event id, gone after the horizon by state TTL. */
    static final class FirstDelivery extends org.apache.flink.api.common.functions.RichFilterFunction<PaymentEvent> {
        private static final long serialVersionUID = 1L;
        private transient org.apache.flink.api.common.state.ValueState<Boolean> seen;

        @Override
        public void open(OpenContext ctx) {
            org.apache.flink.api.common.state.ValueStateDescriptor<Boolean> d =
                    new org.apache.flink.api.common.state.ValueStateDescriptor<>("seen", Types.BOOLEAN);
            d.enableTimeToLive(org.apache.flink.api.common.state.StateTtlConfig
                    .newBuilder(Duration.ofMinutes(10)).build());
            seen = getRuntimeContext().getState(d);
        }

        @Override
        public boolean filter(PaymentEvent e) throws Exception {
            if (seen.value() != null) {
                return false;
            }
            seen.update(true);
            return true;
        }
    }

    static final class MatchCount extends RichMapFunction<PatternSignal, PatternSignal> {
        private static final long serialVersionUID = 1L;
        private transient LongCounter matches;

        @Override
        public void open(OpenContext ctx) {
            matches = getRuntimeContext().getLongCounter(PATTERN_MATCHES);
        }

        @Override
        public PatternSignal map(PatternSignal s) {
            matches.add(1);
            return s;
        }
    }

    /** Sliding windows + aggregate per merchant and per channel, serialised as line protocol. */
    private static void windowRates(DataStream<PaymentEvent> payments, long checksumUpTo) {
        for (String scope : new String[] {RateSnapshot.MERCHANT, RateSnapshot.CHANNEL}) {
            boolean merchant = scope.equals(RateSnapshot.MERCHANT);
            payments.keyBy(e -> merchant ? e.merchantId : e.channel)
                    .window(SlidingEventTimeWindows.of(Duration.ofMillis(WINDOW_MS), Duration.ofMillis(SLIDE_MS)))
                    .aggregate(new CountFailures(), new ToSnapshot(scope))
                    .name("sliding window rates per " + scope)
                    .map(new RateChecksum(checksumUpTo)).name("rate checksum")
                    .flatMap((RateSnapshot s, Collector<String> out) -> MetricLines.of(s, null).forEach(out::collect))
                    .returns(Types.STRING).name("rate lines")
                    .sinkTo(new DiscardingSink<>());
        }
    }

    /** 4. The same rates in Flink SQL with the HOP window table-valued function. */
    static void baselineSql(StreamExecutionEnvironment env, long checksumUpTo) {
        StreamTableEnvironment tables = StreamTableEnvironment.create(env);
        DataStream<Row> rows = payments(env).map(e -> Row.of(e.merchantId, e.channel,
                        e.failed ? 1 : 0, e.failed ? e.category.wireName() : "", e.eventTime))
                .returns(Types.ROW_NAMED(new String[] {"merchant_id", "channel", "failed", "category", "t"},
                        Types.STRING, Types.STRING, Types.INT, Types.STRING, Types.LONG));
        tables.createTemporaryView("payments", tables.fromDataStream(rows, Schema.newBuilder()
                .columnByMetadata("rowtime", "TIMESTAMP_LTZ(3)")
                .watermark("rowtime", "SOURCE_WATERMARK()")
                .build()));
        for (String scope : new String[] {RateSnapshot.MERCHANT, RateSnapshot.CHANNEL}) {
            String key = scope.equals(RateSnapshot.MERCHANT) ? "merchant_id" : "channel";
            Table rates = tables.sqlQuery("SELECT " + key + " AS k, window_end, COUNT(*) AS total,"
                    + " SUM(failed) AS failed,"
                    + " SUM(CASE WHEN category = 'user' THEN 1 ELSE 0 END) AS c_user,"
                    + " SUM(CASE WHEN category = 'timeout' THEN 1 ELSE 0 END) AS c_timeout,"
                    + " SUM(CASE WHEN category = 'system' THEN 1 ELSE 0 END) AS c_system,"
                    + " SUM(CASE WHEN category = 'risk' THEN 1 ELSE 0 END) AS c_risk,"
                    + " SUM(CASE WHEN category = 'unknown' THEN 1 ELSE 0 END) AS c_unknown"
                    + " FROM TABLE(HOP(TABLE payments, DESCRIPTOR(rowtime), INTERVAL '10' SECOND, INTERVAL '5' MINUTE))"
                    + " GROUP BY " + key + ", window_start, window_end");
            tables.toDataStream(rates)
                    .map(r -> sqlSnapshot(scope, r)).returns(TypeInformation.of(RateSnapshot.class))
                    .map(new RateChecksum(checksumUpTo)).name("rate checksum")
                    .flatMap((RateSnapshot s, Collector<String> out) -> MetricLines.of(s, null).forEach(out::collect))
                    .returns(Types.STRING).name("rate lines")
                    .sinkTo(new DiscardingSink<>());
        }
    }

    private static RateSnapshot sqlSnapshot(String scope, Row r) {
        FailureCounts c = new FailureCounts();
        c.total = ((Number) r.getField("total")).intValue();
        c.failed = ((Number) r.getField("failed")).intValue();
        c.byCategory[Category.USER.ordinal()] = ((Number) r.getField("c_user")).intValue();
        c.byCategory[Category.TIMEOUT.ordinal()] = ((Number) r.getField("c_timeout")).intValue();
        c.byCategory[Category.SYSTEM.ordinal()] = ((Number) r.getField("c_system")).intValue();
        c.byCategory[Category.RISK.ordinal()] = ((Number) r.getField("c_risk")).intValue();
        c.byCategory[Category.UNKNOWN.ordinal()] = ((Number) r.getField("c_unknown")).intValue();
        RateSnapshot s = new RateSnapshot();
        s.scope = scope;
        s.key = (String) r.getField("k");
        Object end = r.getField("window_end");
        s.time = end instanceof java.time.LocalDateTime
                ? ((java.time.LocalDateTime) end).toInstant(java.time.ZoneOffset.UTC).toEpochMilli()
                : ((java.time.Instant) end).toEpochMilli();
        s.windowMs = WINDOW_MS;
        s.counts = c;
        return s;
    }

    static final class CountFailures implements AggregateFunction<PaymentEvent, FailureCounts, FailureCounts> {
        private static final long serialVersionUID = 1L;

        @Override
        public FailureCounts createAccumulator() {
            return new FailureCounts();
        }

        @Override
        public FailureCounts add(PaymentEvent e, FailureCounts acc) {
            acc.add(e);
            return acc;
        }

        @Override
        public FailureCounts getResult(FailureCounts acc) {
            return acc;
        }

        @Override
        public FailureCounts merge(FailureCounts a, FailureCounts b) {
            a.merge(b);
            return a;
        }
    }

    static final class ToSnapshot extends ProcessWindowFunction<FailureCounts, RateSnapshot, String, TimeWindow> {
        private static final long serialVersionUID = 1L;
        private final String scope;

        ToSnapshot(String scope) {
            this.scope = scope;
        }

        @Override
        public void process(String key, Context ctx, Iterable<FailureCounts> counts, Collector<RateSnapshot> out) {
            RateSnapshot s = new RateSnapshot();
            s.scope = scope;
            s.key = key;
            s.time = ctx.window().getEnd();
            s.windowMs = WINDOW_MS;
            s.counts = counts.iterator().next();
            out.collect(s);
        }
    }

    /** Sums the payments counted in every window that ends by {@code upTo}: equal jobs, equal sums. */
    static final class RateChecksum extends RichMapFunction<RateSnapshot, RateSnapshot> {
        private static final long serialVersionUID = 1L;
        private final long upTo;
        private transient LongCounter records;
        private transient LongCounter total;

        RateChecksum(long upTo) {
            this.upTo = upTo;
        }

        @Override
        public void open(OpenContext ctx) {
            records = getRuntimeContext().getLongCounter(RATE_RECORDS);
            total = getRuntimeContext().getLongCounter(RATE_TOTAL);
        }

        @Override
        public RateSnapshot map(RateSnapshot s) {
            if (s.time <= upTo) {
                records.add(1);
                total.add(s.counts.total + 31L * s.counts.failed);
            }
            return s;
        }
    }
}
