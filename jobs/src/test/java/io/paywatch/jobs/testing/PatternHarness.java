package io.paywatch.jobs.testing;

import io.paywatch.jobs.alerting.PatternDetection;
import io.paywatch.jobs.control.ControlSignal;
import io.paywatch.jobs.control.LiveRules;
import io.paywatch.jobs.ingest.EndOfInput;
import io.paywatch.model.Alert;
import io.paywatch.model.PaymentEvent;
import io.paywatch.model.RuleSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;

/**
 * Runs the pattern rules over hand-made events on the test MiniCluster: events in the given
 * (arrival) order with a 5 s out-of-orderness watermark, alerts out in event-time order.
 */
public final class PatternHarness {
    private PatternHarness() {}

    public static List<Alert> run(List<PaymentEvent> events, RuleSettings rules) throws Exception {
        return run(events, rules, true);
    }

    /** @param screens whether the screens stand in front of charged_unfulfilled's and failed_but_charged's CEP */
    public static List<Alert> run(List<PaymentEvent> events, RuleSettings rules, boolean screens)
            throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        DataStream<PaymentEvent> in = env
                .fromData(TypeInformation.of(PaymentEvent.class), events.toArray(new PaymentEvent[0]))
                .setParallelism(1)
                .assignTimestampsAndWatermarks(WatermarkStrategy
                        .<PaymentEvent>forBoundedOutOfOrderness(Duration.ofSeconds(5))
                        .withTimestampAssigner((e, ts) -> e.eventTime))
                .setParallelism(1);
        List<Alert> out = new ArrayList<>();
        // no end-of-input signal: at the end every deadline and quiet period runs out
        var noEnd = in.flatMap((PaymentEvent e, org.apache.flink.util.Collector<ControlSignal> c) -> { })
                .returns(ControlSignal.TYPE).broadcast(EndOfInput.STATE, LiveRules.FAILURE_RATE, LiveRules.FAILURE_RATE_MEASURES, LiveRules.SILENCES);
        // partitioned by merchant, as dedup's output is in the job (the screens run in its task)
        DataStream<PaymentEvent> byMerchant = in.keyBy(e -> e.merchantId).map(e -> e)
                .returns(TypeInformation.of(PaymentEvent.class));
        try (CloseableIterator<Alert> it = PatternDetection.build(byMerchant, noEnd, rules, "", screens).alerts
                .executeAndCollect()) {
            it.forEachRemaining(out::add);
        }
        out.sort(Comparator.comparingLong(Alert::transitionTime).thenComparing(a -> a.alertId)
                .thenComparing(a -> a.status));
        return out;
    }
}
