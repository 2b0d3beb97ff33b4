package io.paywatch.jobs.metrics;

import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * How far the rules have actually got in event time: the watermark where the alerts leave the
 * rule operators (the minimum over all of them), not the newest event a source has read. A
 * source that has read everything while the operators work through a backlog shows a newest
 * event of 09:40 and a processed event time of 08:55; the operator needs the second.
 *
 * <p>A pass-through operator chained behind alert routing (no state, no copy): it records each
 * watermark for the embedded progress line ({@link #LATEST}) and as Flink gauges,
 * {@code processedEventTime} (epoch ms) and {@code eventTimeLagMs} (wall clock minus it), for
 * any metrics reporter.
 */
public final class ProcessedEventTime<T> extends AbstractStreamOperator<T> implements OneInputStreamOperator<T, T> {
    private static final long serialVersionUID = 1L;

    /** The latest watermark seen in this JVM (embedded runs); {@link Long#MIN_VALUE} before any. */
    public static final AtomicLong LATEST = new AtomicLong(Long.MIN_VALUE);

    private transient volatile long watermark;

    @Override
    public void open() throws Exception {
        super.open();
        watermark = Long.MIN_VALUE;
        getMetricGroup().gauge("processedEventTime", (Gauge<Long>) () -> watermark);
        getMetricGroup().gauge("eventTimeLagMs", (Gauge<Long>) () -> lagMs(watermark, System.currentTimeMillis()));
    }

    @Override
    public void processElement(StreamRecord<T> element) {
        output.collect(element);
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        super.processWatermark(mark);
        watermark = mark.getTimestamp();
        LATEST.set(mark.getTimestamp());
    }

    /** Wall clock minus the processed event time; 0 before the first watermark and after the end. */
    public static long lagMs(long watermark, long now) {
        return watermark == Long.MIN_VALUE || watermark == Long.MAX_VALUE ? 0 : Math.max(0, now - watermark);
    }
}
