package io.paywatch.jobs.metrics;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;

/**
 * How one sink is doing, as the operator that writes to it sees it: what it holds back, how many
 * items it delivered, how many attempts failed and were retried, and for how long it has not
 * succeeded. Written from any thread (an HTTP client's callbacks, a sink writer), read by the
 * metric reporters and by {@link MetricLines#of(SinkHealth, long, String)}.
 *
 * <p>Gauges, below {@code paywatch} / {@code sink=<name>}: {@code buffered} (items waiting),
 * {@code delivered}, {@code failures} (failed attempts), {@code retries}, {@code secondsDown}
 * (since the first failure after the last success; 0 while healthy) and
 * {@code secondsSinceLastSuccess} (since the last success, or since the sink opened; it also
 * grows while there is simply nothing to send — read it with {@code buffered} or
 * {@code secondsDown}).
 *
 * <p>Each registered instance is also {@linkplain #live() listed in its JVM}, for the
 * {@code paywatch_sink} points that the InfluxDB writer adds for every sink it can see: all of
 * them in an embedded run, those of its own TaskManager on a cluster (where the gauges are the
 * complete view).
 */
public final class SinkHealth {
    private static final Set<SinkHealth> LIVE = ConcurrentHashMap.newKeySet();

    private final String sink;
    private final LongSupplier clock;
    private volatile LongSupplier buffered = () -> 0;
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    private volatile long lastSuccessAt;
    /** Wall clock of the first failure since the last success; {@link Long#MIN_VALUE} while healthy. */
    private volatile long failingSince = Long.MIN_VALUE;

    public SinkHealth(String sink) {
        this(sink, System::currentTimeMillis);
    }

    /** @param clock wall clock in ms (tests pass their own) */
    public SinkHealth(String sink, LongSupplier clock) {
        this.sink = JobMetrics.label(sink);
        this.clock = clock;
        this.lastSuccessAt = clock.getAsLong();
    }

    /** The sink's name in metrics and points: influxdb, alertmanager, webhook_1, … */
    public String sink() {
        return sink;
    }

    /** Where the number of waiting items comes from (the writer's buffer, the pages awaiting a retry). */
    public SinkHealth buffered(LongSupplier buffered) {
        this.buffered = buffered;
        return this;
    }

    /** Registers the gauges in the operator's metric group. */
    public SinkHealth register(MetricGroup operator) {
        MetricGroup g = JobMetrics.sink(operator, sink);
        g.gauge("buffered", (Gauge<Long>) this::buffered);
        g.gauge("delivered", (Gauge<Long>) delivered::get);
        g.gauge("failures", (Gauge<Long>) failures::get);
        g.gauge("retries", (Gauge<Long>) retries::get);
        g.gauge("secondsDown", (Gauge<Long>) () -> secondsDown(clock.getAsLong()));
        g.gauge("secondsSinceLastSuccess", (Gauge<Long>) () -> secondsSinceLastSuccess(clock.getAsLong()));
        LIVE.add(this);
        return this;
    }

    /** The operator is closing: its health is no longer reported. */
    public void unregister() {
        LIVE.remove(this);
    }

    /** The registered sinks of this JVM. */
    public static Collection<SinkHealth> live() {
        return List.copyOf(LIVE);
    }

    /** One sink's health over all its instances (subtasks) at one moment, for a point. */
    public static final class Snapshot {
        public final String sink;
        public long buffered;
        public long delivered;
        public long failures;
        public long retries;
        /** The longest outage of its instances. */
        public long secondsDown;
        /** The most recent success of its instances. */
        public long secondsSinceLastSuccess = Long.MAX_VALUE;

        Snapshot(String sink) {
            this.sink = sink;
        }
    }

    /** The health of each sink among {@code instances}, summed over its subtasks, by sink name. */
    public static List<Snapshot> combine(Collection<SinkHealth> instances, long now) {
        Map<String, Snapshot> bySink = new TreeMap<>();
        for (SinkHealth h : instances) {
            Snapshot s = bySink.computeIfAbsent(h.sink, Snapshot::new);
            s.buffered += h.buffered();
            s.delivered += h.delivered();
            s.failures += h.failures();
            s.retries += h.retries();
            s.secondsDown = Math.max(s.secondsDown, h.secondsDown(now));
            s.secondsSinceLastSuccess = Math.min(s.secondsSinceLastSuccess, h.secondsSinceLastSuccess(now));
        }
        return new ArrayList<>(bySink.values());
    }

    /** {@code items} reached the sink. */
    public void succeeded(long items) {
        delivered.addAndGet(items);
        lastSuccessAt = clock.getAsLong();
        failingSince = Long.MIN_VALUE;
    }

    /** An attempt failed because the sink is unavailable (whether or not it is tried again). */
    public void failed() {
        failed(true);
    }

    /**
     * An attempt failed; {@code unavailable} false when the sink answered and refused the item
     * (an HTTP 400): a failure, but the sink is not down.
     */
    public void failed(boolean unavailable) {
        failures.incrementAndGet();
        if (unavailable && failingSince == Long.MIN_VALUE) {
            failingSince = clock.getAsLong();
        }
    }

    /** A failed attempt will be tried again. */
    public void retried() {
        retries.incrementAndGet();
    }

    public long buffered() {
        return buffered.getAsLong();
    }

    public long delivered() {
        return delivered.get();
    }

    public long failures() {
        return failures.get();
    }

    public long retries() {
        return retries.get();
    }

    public boolean down() {
        return failingSince != Long.MIN_VALUE;
    }

    public long secondsDown(long now) {
        long since = failingSince;
        return since == Long.MIN_VALUE ? 0 : Math.max(0, now - since) / 1000;
    }

    public long secondsSinceLastSuccess(long now) {
        return Math.max(0, now - lastSuccessAt) / 1000;
    }
}
