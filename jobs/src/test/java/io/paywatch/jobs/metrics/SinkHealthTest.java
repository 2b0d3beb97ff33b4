package io.paywatch.jobs.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SinkHealthTest {
    @Test
    void anOutageShowsAsSecondsDownUntilTheNextSuccess() {
        AtomicLong now = new AtomicLong(1_000_000);
        AtomicLong waiting = new AtomicLong();
        SinkHealth h = new SinkHealth("influxdb", now::get).buffered(waiting::get);
        assertThat(h.down()).isFalse();
        assertThat(h.secondsDown(now.get())).isZero();

        h.succeeded(10);
        now.addAndGet(5_000);
        h.failed();
        h.retried();
        waiting.set(42);
        now.addAndGet(30_000);
        h.failed(); // a second failure does not restart the outage's clock
        assertThat(h.down()).isTrue();
        assertThat(h.secondsDown(now.get())).isEqualTo(30);
        assertThat(h.secondsSinceLastSuccess(now.get())).isEqualTo(35);
        assertThat(h.buffered()).isEqualTo(42);
        assertThat(h.failures()).isEqualTo(2);
        assertThat(h.retries()).isEqualTo(1);

        h.succeeded(42);
        waiting.set(0);
        assertThat(h.down()).isFalse();
        assertThat(h.secondsDown(now.get())).isZero();
        assertThat(h.secondsSinceLastSuccess(now.get())).isZero();
        assertThat(h.delivered()).isEqualTo(52);
    }

    @Test
    void aRefusalIsAFailureButNotAnOutage() {
        AtomicLong now = new AtomicLong(0);
        SinkHealth h = new SinkHealth("webhook 1", now::get);
        h.failed(false);
        assertThat(h.failures()).isEqualTo(1);
        assertThat(h.down()).isFalse();
        assertThat(h.sink()).isEqualTo("webhook_1");
    }
}
