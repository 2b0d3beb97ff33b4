package io.paywatch.jobs.runtime;

import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * How long a record may wait in a network buffer before Flink sends it, for every PayWatch job
 * ({@code run}, the cluster jar, the benchmark).
 *
 * <p>Flink sends a buffer when it is full or when the buffer timeout passes (100 ms by default).
 * Only the events' exchange into dedup carries every event. After dedup each exchange carries few
 * records: events filtered for CEP, partial counts per bucket, matches, alerts. Their buffers are
 * rarely full, so with Flink's default an alert, and the watermark that releases it, waited up to
 * 100 ms at each of about six hops on its way to a receiver: {@link #FEW_RECORDS_MS} took the
 * detection latency's median from Kafka from 839 to 520 ms (docs/performance.md). The events' exchange keeps
 * {@link #EVENTS_MS}: at load its buffers fill in milliseconds, and 10 ms everywhere cost about a
 * tenth of the throughput here; 5 ms after dedup overloaded {@code run} at 40,000 events/s (a
 * flusher thread per exchange, a wake-up of its receiver at every flush).
 */
public final class NetworkBuffers {
    /** The events' exchange into dedup (set on the event-time gate): Flink's default. */
    public static final long EVENTS_MS = 100;
    /** Every other exchange. */
    public static final long FEW_RECORDS_MS = 20;

    private NetworkBuffers() {}

    /**
     * The job-wide buffer timeout, for every operator that does not set its own: called where a
     * PayWatch job is built on its environment (not in the baselines, which keep Flink's default).
     */
    public static void apply(StreamExecutionEnvironment env) {
        env.setBufferTimeout(FEW_RECORDS_MS);
    }
}
