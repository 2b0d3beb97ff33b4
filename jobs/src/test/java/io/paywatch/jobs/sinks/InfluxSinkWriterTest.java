package io.paywatch.jobs.sinks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.paywatch.jobs.testing.TestServices;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The InfluxDB writer's batching, outage buffering and checkpoint state, without Flink. */
class InfluxSinkWriterTest {
    /** A hand-written InfluxDB double that is down for its first {@code failures} writes. */
    static final class FlakyInflux implements InfluxClient {
        final List<String> received = new ArrayList<>();
        int failures;
        int calls;
        boolean reject;

        FlakyInflux(int failures) {
            this.failures = failures;
        }

        @Override
        public void write(List<String> lines) throws InfluxWriteException {
            calls++;
            if (reject) {
                throw new InfluxWriteException("field type conflict", false);
            }
            if (failures > 0) {
                failures--;
                throw new InfluxWriteException("connection refused", true);
            }
            received.addAll(lines);
        }

        @Override
        public void ensureReady() {}

        @Override
        public void close() {}
    }

    private static final InfluxTarget TARGET = InfluxTarget.v1("http://127.0.0.1:1", "pw", null);

    @Test
    void writesInBatchesAndOnFlush() throws Exception {
        FlakyInflux influx = new FlakyInflux(0);
        InfluxSink.Writer w = new InfluxSink.Writer(influx, TARGET, 3, 100, 1_000);
        for (int i = 0; i < 7; i++) {
            w.write("m v=" + i + " " + i, null);
        }
        assertThat(influx.received).hasSize(6);
        w.flush(false);
        assertThat(influx.received).hasSize(7);
        assertThat(w.snapshotState(1)).isEmpty();
    }

    @Test
    void anOutageKeepsPointsInTheCheckpointAndDeliversThemAfterRecovery() throws Exception {
        FlakyInflux influx = new FlakyInflux(2);
        InfluxSink.Writer w = new InfluxSink.Writer(influx, TARGET, 2, 100, 10_000);
        w.write("a v=1 1", null);
        w.write("b v=2 2", null); // batch full: first attempt fails, backoff starts
        w.flush(false); // checkpoint during the backoff: no new attempt, nothing lost
        assertThat(influx.calls).isEqualTo(1);
        assertThat(w.health.buffered()).isEqualTo(2); // what the gauges show during the outage
        assertThat(w.health.down()).isTrue();
        List<List<String>> state = w.snapshotState(1);
        assertThat(state).containsExactly(List.of("a v=1 1", "b v=2 2"));

        // a restored writer starts with the checkpointed points
        StringListStateSerializer ser = new StringListStateSerializer();
        List<String> restored = ser.deserialize(ser.getVersion(), ser.serialize(state.get(0)));
        FlakyInflux afterRestart = new FlakyInflux(0);
        InfluxSink.Writer w2 = new InfluxSink.Writer(afterRestart, TARGET, 2, 100, 10_000);
        w2.buffer.addAll(restored);
        w2.flush(true);
        assertThat(afterRestart.received).containsExactly("a v=1 1", "b v=2 2");

        // the original writer gets through at the end of input, after its backoff
        w.flush(true);
        assertThat(influx.received).containsExactly("a v=1 1", "b v=2 2");
        assertThat(w.health.failures()).isEqualTo(2);
        assertThat(w.health.delivered()).isEqualTo(2);
        assertThat(w.health.buffered()).isZero();
        assertThat(w.health.down()).isFalse();
    }

    @Test
    void theFirstWriterAddsAPointPerSinkOncePerIntervalAndAtTheEndOfInput() throws Exception {
        FlakyInflux influx = new FlakyInflux(0);
        InfluxSink.Writer w = new InfluxSink.Writer(influx, TARGET, 1_000, 10_000, 1_000);
        w.reportSinkHealth("r1");
        io.paywatch.jobs.metrics.SinkHealth webhook = new io.paywatch.jobs.metrics.SinkHealth("webhook_9")
                .register(new org.apache.flink.metrics.groups.UnregisteredMetricsGroup());
        w.health.register(new org.apache.flink.metrics.groups.UnregisteredMetricsGroup());
        try {
            webhook.succeeded(3);
            w.write("a v=1 1", null); // the first write reports at once
            w.write("b v=2 2", null); // within the interval: no second report
            w.flush(true); // the end of input reports whatever the interval
            java.util.List<String> sinkPoints = influx.received.stream()
                    .filter(l -> l.startsWith("paywatch_sink,") && (l.contains("sink=webhook_9") || l.contains("sink=influxdb")))
                    .toList();
            assertThat(sinkPoints).hasSize(4);
            assertThat(sinkPoints.get(0)).startsWith("paywatch_sink,run_id=r1,sink=influxdb ")
                    .contains("buffered=1i").contains("seconds_down=0i");
            assertThat(sinkPoints.get(1)).startsWith("paywatch_sink,run_id=r1,sink=webhook_9 ").contains("delivered=3i");
        } finally {
            webhook.unregister();
            w.close();
        }
        assertThat(io.paywatch.jobs.metrics.SinkHealth.live()).doesNotContain(webhook, w.health);
    }

    @Test
    void aRejectedBatchIsDroppedNotRetriedForever() throws Exception {
        FlakyInflux influx = new FlakyInflux(0);
        influx.reject = true;
        InfluxSink.Writer w = new InfluxSink.Writer(influx, TARGET, 2, 100, 1_000);
        w.write("a v=1 1", null);
        w.flush(true);
        assertThat(w.snapshotState(1)).isEmpty();
        assertThat(influx.calls).isEqualTo(1);
    }

    @Test
    void theEndOfInputFailsWithOneClearMessageWhenInfluxStaysDown() throws Exception {
        // a real connection to a closed port, not a double
        InfluxTarget closed = InfluxTarget.v1("http://127.0.0.1:" + TestServices.freePort(), "pw", null);
        InfluxSink.Writer w = new InfluxSink.Writer(InfluxClient.create(closed), closed, 10, 100, 1_500);
        w.write("a v=1 1", null);
        assertThatThrownBy(() -> w.flush(true))
                .hasMessageContaining("unreachable for 1 s at the end of input: 1 points not written");
    }
}
