package io.paywatch.jobs.metrics;

import io.paywatch.jobs.alerting.RuleChangeAlerts;
import io.paywatch.model.Alert;
import io.paywatch.model.RuleSettings;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * What leaves the rules, as metrics: how far they have got in event time and how many alerts
 * fired and resolved per rule.
 *
 * <p>The event time is the watermark where the alerts leave alert routing (the minimum over all
 * rule operators), not the newest event a source has read: a source that has read everything
 * while the operators work through a backlog shows a newest event of 09:40 and a processed event
 * time of 08:55; the operator needs the second. It is recorded for the embedded progress line
 * ({@link #LATEST}) and as gauges {@code processedEventTime} (epoch ms) and
 * {@code eventTimeLagMs} (wall clock minus it).
 *
 * <p>A pass-through operator chained behind alert routing (no state, no copy, no exchange). The
 * counters {@code fired} and {@code resolved} per rule count every transition routing lets out,
 * inhibited, silenced and flapping ones included (they are alerts, marked; whether they paged is
 * the receivers' metrics).
 */
public final class AlertOutputMetrics extends AbstractStreamOperator<Alert> implements OneInputStreamOperator<Alert, Alert> {
    private static final long serialVersionUID = 1L;

    /** The rules whose counters exist from the start, at 0 (a query for a rate finds a series). */
    static final List<String> RULES = List.of(RuleSettings.FAILURE_RATE, RuleSettings.FAILURE_RATE_ANOMALY,
            RuleSettings.TRAFFIC_DROP, RuleSettings.TIMEOUT_BURST,
            RuleSettings.RISK_BLOCK, RuleSettings.FAILED_BUT_CHARGED, RuleSettings.CHARGED_UNFULFILLED,
            RuleChangeAlerts.RULE);

    /** The latest watermark seen in this JVM (embedded runs); {@link Long#MIN_VALUE} before any. */
    public static final AtomicLong LATEST = new AtomicLong(Long.MIN_VALUE);

    private transient volatile long watermark;
    /** rule → {fired, resolved}. */
    private transient Map<String, Counter[]> byRule;

    @Override
    public void open() throws Exception {
        super.open();
        watermark = Long.MIN_VALUE;
        MetricGroup group = JobMetrics.of(getMetricGroup());
        group.gauge("processedEventTime", (Gauge<Long>) () -> watermark);
        group.gauge("eventTimeLagMs", (Gauge<Long>) () -> lagMs(watermark, System.currentTimeMillis()));
        byRule = new HashMap<>();
        RULES.forEach(this::counters);
    }

    private Counter[] counters(String rule) {
        return byRule.computeIfAbsent(rule, r -> {
            MetricGroup g = JobMetrics.rule(getMetricGroup(), r);
            return new Counter[] {g.counter("fired"), g.counter("resolved")};
        });
    }

    @Override
    public void processElement(StreamRecord<Alert> element) {
        Alert a = element.getValue();
        counters(a.rule)[Alert.FIRING.equals(a.status) ? 0 : 1].inc();
        output.collect(element);
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        super.processWatermark(mark);
        watermark = mark.getTimestamp();
        LATEST.set(mark.getTimestamp());
    }

    /** The count of {@code rule}'s transitions to {@code status} so far (tests). */
    long count(String rule, String status) {
        Counter[] c = byRule.get(rule);
        return c == null ? 0 : c[Alert.FIRING.equals(status) ? 0 : 1].getCount();
    }

    /** Wall clock minus the processed event time; 0 before the first watermark and after the end. */
    public static long lagMs(long watermark, long now) {
        return watermark == Long.MIN_VALUE || watermark == Long.MAX_VALUE ? 0 : Math.max(0, now - watermark);
    }
}
