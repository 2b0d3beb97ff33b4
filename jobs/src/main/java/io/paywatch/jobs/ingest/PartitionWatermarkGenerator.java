package io.paywatch.jobs.ingest;

import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;

/**
 * Bounded out-of-orderness per source partition, with idleness: a Kafka partition that stops
 * does not hold event time back for the others. Emits only when the watermark advances.
 */
public class PartitionWatermarkGenerator implements WatermarkGenerator<ParsedRecord> {
    private final PartitionWatermarks marks;
    private long lastEmitted = Long.MIN_VALUE;
    private boolean idle;

    public PartitionWatermarkGenerator(long boundMs, long idleTimeoutMs) {
        this.marks = new PartitionWatermarks(boundMs, idleTimeoutMs);
    }

    @Override
    public void onEvent(ParsedRecord record, long eventTimestamp, WatermarkOutput output) {
        if (record.event != null) {
            marks.observe(record.partition, record.event.eventTime, System.currentTimeMillis());
        }
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
        Long wm = marks.watermark(System.currentTimeMillis());
        if (wm == null) {
            if (!idle) {
                output.markIdle();
                idle = true;
            }
            return;
        }
        if (wm > lastEmitted) {
            lastEmitted = wm;
            idle = false;
            output.emitWatermark(new Watermark(wm));
        } else if (idle && wm != Long.MIN_VALUE) {
            idle = false;
            output.markActive();
        }
    }
}
