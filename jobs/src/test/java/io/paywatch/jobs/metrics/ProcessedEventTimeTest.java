package io.paywatch.jobs.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class ProcessedEventTimeTest {
    @Test
    void passesElementsAndWatermarksThroughAndRecordsTheWatermark() throws Exception {
        ProcessedEventTime.LATEST.set(Long.MIN_VALUE);
        try (OneInputStreamOperatorTestHarness<String, String> h =
                new OneInputStreamOperatorTestHarness<>(new ProcessedEventTime<>())) {
            h.open();
            h.processElement(new StreamRecord<>("a", 5));
            assertThat(ProcessedEventTime.LATEST.get()).isEqualTo(Long.MIN_VALUE);
            h.processWatermark(new Watermark(1_795_428_000_000L));
            h.processElement(new StreamRecord<>("b", 1_795_428_000_001L));
            assertThat(ProcessedEventTime.LATEST.get()).isEqualTo(1_795_428_000_000L);
            assertThat(h.extractOutputValues()).containsExactly("a", "b");
            assertThat(h.getOutput()).anyMatch(o -> o instanceof Watermark
                    && ((Watermark) o).getTimestamp() == 1_795_428_000_000L);
        }
    }

    @Test
    void theLagIsTheWallClockMinusTheWatermarkAndNothingBeforeTheFirstOrAfterTheEnd() {
        assertThat(ProcessedEventTime.lagMs(1_000, 61_000)).isEqualTo(60_000);
        assertThat(ProcessedEventTime.lagMs(Long.MIN_VALUE, 61_000)).isZero();
        assertThat(ProcessedEventTime.lagMs(Long.MAX_VALUE, 61_000)).isZero();
        assertThat(ProcessedEventTime.lagMs(70_000, 61_000)).isZero();
    }
}
