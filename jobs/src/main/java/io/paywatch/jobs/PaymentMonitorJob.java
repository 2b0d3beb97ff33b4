package io.paywatch.jobs;

import io.paywatch.jobs.ingest.DeadLetter;
import io.paywatch.jobs.ingest.DuplicateFilter;
import io.paywatch.jobs.ingest.InputHealth;
import io.paywatch.jobs.ingest.InputHealthFunction;
import io.paywatch.jobs.ingest.LateEventFilter;
import io.paywatch.jobs.ingest.ParseFunction;
import io.paywatch.jobs.ingest.ParsedRecord;
import io.paywatch.jobs.ingest.PartitionWatermarkGenerator;
import io.paywatch.jobs.ingest.RawRecord;
import io.paywatch.jobs.rates.FailureRateFunction;
import io.paywatch.jobs.rates.RateSnapshot;
import io.paywatch.model.Alert;
import io.paywatch.model.PaymentEvent;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * The PayWatch pipeline, as a diagram in code:
 *
 * <pre>
 * raw records ─ parse ─ watermarks ─ late filter ─┬─ keyBy(event_id) dedup ─┬─ keyBy(merchant) failure rates ─┐
 *                                                 │                         └─ keyBy(channel)  failure rates ─┼─ rates, alerts
 *                                                 └─ dead letters, input outcomes ─ input health ─────────────┘
 * </pre>
 *
 * <p>Sources and sinks are chosen by the caller ({@link io.paywatch.jobs.cli.PayWatchCli}, or a
 * test with finite sources and collecting sinks); this class only wires the named functions.
 */
public final class PaymentMonitorJob {
    /** The streams the pipeline produces, for the caller to attach sinks to. */
    public static final class Outputs {
        public final DataStream<PaymentEvent> events;
        public final DataStream<RateSnapshot> rates;
        public final DataStream<Alert> alerts;
        public final DataStream<InputHealth> inputHealth;
        public final DataStream<DeadLetter> deadLetters;

        Outputs(DataStream<PaymentEvent> events, DataStream<RateSnapshot> rates,
                DataStream<Alert> alerts, DataStream<InputHealth> inputHealth,
                DataStream<DeadLetter> deadLetters) {
            this.events = events;
            this.rates = rates;
            this.alerts = alerts;
            this.inputHealth = inputHealth;
            this.deadLetters = deadLetters;
        }
    }

    private PaymentMonitorJob() {}

    public static Outputs build(DataStream<RawRecord> raw, PipelineSettings settings) {
        int sourceParallelism = raw.getParallelism();

        SingleOutputStreamOperator<PaymentEvent> onTime = raw
                .map(new ParseFunction())
                .name("parse and validate").uid("parse")
                .setParallelism(sourceParallelism)
                .assignTimestampsAndWatermarks(WatermarkStrategy
                        .<ParsedRecord>forGenerator(ctx -> new PartitionWatermarkGenerator(
                                settings.outOfOrdernessMs, settings.idleTimeoutMs))
                        .withTimestampAssigner((r, ts) -> r.event != null ? r.event.eventTime : Long.MIN_VALUE))
                .name("event-time watermarks").uid("watermarks")
                .setParallelism(sourceParallelism)
                .process(new LateEventFilter(settings.outOfOrdernessMs, settings.dedupHorizonMs))
                .name("late event filter").uid("late-filter")
                .setParallelism(sourceParallelism);

        SingleOutputStreamOperator<PaymentEvent> accepted = onTime
                .keyBy(e -> e.eventId)
                .connect(onTime.getSideOutput(PipelineTags.LATE_EVENTS).keyBy(l -> l.event.eventId))
                .process(new DuplicateFilter(settings.dedupHorizonMs))
                .returns(TypeInformation.of(PaymentEvent.class))
                .name("dedup by event_id").uid("dedup");

        SingleOutputStreamOperator<RateSnapshot> merchantRates = accepted
                .keyBy(e -> e.merchantId)
                .process(new FailureRateFunction(RateSnapshot.MERCHANT, settings.rules))
                .name("failure rate per merchant").uid("failure-rate-merchant");
        SingleOutputStreamOperator<RateSnapshot> channelRates = accepted
                .keyBy(e -> e.channel)
                .process(new FailureRateFunction(RateSnapshot.CHANNEL, settings.rules))
                .name("failure rate per channel").uid("failure-rate-channel");

        DataStream<InputHealth> inputHealth = onTime.getSideOutput(PipelineTags.INPUT_OUTCOMES)
                .union(accepted.getSideOutput(PipelineTags.INPUT_OUTCOMES))
                .keyBy(o -> 0)
                .process(new InputHealthFunction(settings.rules.failureRate().everyMs))
                .name("input health").uid("input-health");

        DataStream<Alert> alerts = merchantRates.getSideOutput(PipelineTags.ALERTS)
                .union(channelRates.getSideOutput(PipelineTags.ALERTS));
        DataStream<DeadLetter> deadLetters = onTime.getSideOutput(PipelineTags.DEAD_LETTERS)
                .union(accepted.getSideOutput(PipelineTags.DEAD_LETTERS));

        return new Outputs(accepted, merchantRates.union(channelRates), alerts, inputHealth,
                deadLetters);
    }
}
