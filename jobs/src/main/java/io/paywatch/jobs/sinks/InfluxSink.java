package io.paywatch.jobs.sinks;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import io.paywatch.jobs.metrics.SinkHealth;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes line-protocol points to InfluxDB in batches. Points are flushed when a batch fills,
 * on every checkpoint and at the end of input. Points that could not be written (InfluxDB down)
 * stay buffered and are part of the checkpoint, so a crash loses nothing a checkpoint
 * acknowledged; writes are retried with exponential backoff while the job keeps running. Only
 * when the buffer passes its bound does the writer block (backpressure) until InfluxDB is back.
 */
public class InfluxSink implements Sink<String>, SupportsWriterState<String, List<String>> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(InfluxSink.class);

    /** The sink's name in metrics. */
    public static final String SINK = "influxdb";

    private final InfluxTarget target;
    private final int batchSize;
    private final int maxBuffered;
    private final long endOfInputTimeoutMs;
    /** Whether the first subtask adds {@code paywatch_sink} points, and their run id tag. */
    private boolean sinkHealthPoints;
    private String runId;

    public InfluxSink(InfluxTarget target) {
        this(target, 5_000, 500_000, 120_000);
    }

    /**
     * Also writes a {@code paywatch_sink} point per sink of this JVM every
     * {@link Writer#SINK_HEALTH_EVERY_MS} (on the first subtask only, at most once per interval,
     * when points are written or a checkpoint flushes) and at the end of input.
     */
    public InfluxSink withSinkHealthPoints(String runId) {
        this.sinkHealthPoints = true;
        this.runId = runId;
        return this;
    }

    public InfluxSink(InfluxTarget target, int batchSize, int maxBuffered, long endOfInputTimeoutMs) {
        this.target = target;
        this.batchSize = batchSize;
        this.maxBuffered = maxBuffered;
        this.endOfInputTimeoutMs = endOfInputTimeoutMs;
    }

    @Override
    public SinkWriter<String> createWriter(WriterInitContext context) {
        return restoreWriter(context, List.of());
    }

    @Override
    public StatefulSinkWriter<String, List<String>> restoreWriter(
            WriterInitContext context, Collection<List<String>> recoveredState) {
        Writer w = new Writer(InfluxClient.create(target), target, batchSize, maxBuffered,
                endOfInputTimeoutMs);
        if (sinkHealthPoints && context.getTaskInfo().getIndexOfThisSubtask() == 0) {
            w.reportSinkHealth(runId);
        }
        for (List<String> pending : recoveredState) {
            w.buffer.addAll(pending);
        }
        w.buffered = w.buffer.size();
        // buffered points, points written, failed writes, how long down: for Flink's reporters
        w.health.register(context.metricGroup());
        return w;
    }

    @Override
    public SimpleVersionedSerializer<List<String>> getWriterStateSerializer() {
        return new StringListStateSerializer();
    }

    /** The writer; package-private for tests that drive it without Flink. */
    static final class Writer implements StatefulSinkWriter<String, List<String>> {
        final List<String> buffer = new ArrayList<>();
        /** Read by the metric reporters' threads: the buffer's size is kept apart from the list. */
        private volatile int buffered;
        final SinkHealth health = new SinkHealth(SINK).buffered(() -> buffered);
        private final InfluxClient client;
        private final InfluxTarget target;
        private final int batchSize;
        private final int maxBuffered;
        private final long endOfInputTimeoutMs;
        private long nextAttemptAt;
        private long backoffMs;
        private boolean outage;
        private long droppedRejected;
        static final long SINK_HEALTH_EVERY_MS = 10_000;
        private boolean reportSinkHealth;
        private String runId;
        private long nextSinkHealthAt;

        Writer(InfluxClient client, InfluxTarget target, int batchSize, int maxBuffered,
                long endOfInputTimeoutMs) {
            this.client = client;
            this.target = target;
            this.batchSize = batchSize;
            this.maxBuffered = maxBuffered;
            this.endOfInputTimeoutMs = endOfInputTimeoutMs;
        }

        void reportSinkHealth(String runId) {
            this.reportSinkHealth = true;
            this.runId = runId;
        }

        /** Adds a {@code paywatch_sink} point per sink this JVM knows, once per interval (or now). */
        void addSinkHealthPoints(long now, boolean force) {
            if (!reportSinkHealth || (!force && now < nextSinkHealthAt)) {
                return;
            }
            nextSinkHealthAt = now + SINK_HEALTH_EVERY_MS;
            for (SinkHealth.Snapshot s : SinkHealth.combine(SinkHealth.live(), now)) {
                buffer.add(io.paywatch.jobs.metrics.MetricLines.of(s, now, runId));
            }
            buffered = buffer.size();
        }

        @Override
        public void write(String line, Context context) throws IOException, InterruptedException {
            buffer.add(line);
            buffered = buffer.size();
            addSinkHealthPoints(System.currentTimeMillis(), false);
            if (buffer.size() >= batchSize) {
                tryWrite(System.currentTimeMillis());
            }
            while (buffer.size() >= maxBuffered) {
                // bounded buffer: hold the pipeline back until InfluxDB takes points again
                Thread.sleep(Math.max(100, backoffMs));
                tryWrite(System.currentTimeMillis());
            }
        }

        @Override
        public void flush(boolean endOfInput) throws IOException, InterruptedException {
            addSinkHealthPoints(System.currentTimeMillis(), endOfInput);
            tryWrite(System.currentTimeMillis());
            if (!endOfInput) {
                return;
            }
            long deadline = System.currentTimeMillis() + endOfInputTimeoutMs;
            while (!buffer.isEmpty()) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IOException("InfluxDB " + target.describe() + " unreachable for "
                            + endOfInputTimeoutMs / 1000 + " s at the end of input: "
                            + buffer.size() + " points not written");
                }
                Thread.sleep(Math.max(100, Math.min(backoffMs, deadline - System.currentTimeMillis())));
                nextAttemptAt = 0;
                tryWrite(System.currentTimeMillis());
            }
        }

        /** Writes what the buffer holds, batch by batch, unless a backoff is running. */
        void tryWrite(long now) {
            if (buffer.isEmpty() || now < nextAttemptAt) {
                return;
            }
            int done = 0;
            try {
                while (done < buffer.size()) {
                    List<String> batch = buffer.subList(done, Math.min(buffer.size(), done + batchSize));
                    try {
                        client.write(batch);
                        health.succeeded(batch.size());
                    } catch (InfluxWriteException e) {
                        if (e.retriable) {
                            throw e;
                        }
                        // a batch InfluxDB will never take (e.g. a field type conflict): say so, drop it
                        droppedRejected += batch.size();
                        LOG.error("InfluxDB rejected {} points, dropping them ({} so far): {}",
                                batch.size(), droppedRejected, e.getMessage());
                    }
                    done += batch.size();
                }
                if (outage) {
                    LOG.warn("InfluxDB {} is back: writes resumed", target.describe());
                }
                outage = false;
                backoffMs = 0;
                nextAttemptAt = 0;
            } catch (InfluxWriteException e) {
                health.failed();
                health.retried(); // the points stay buffered for the next attempt
                backoffMs = backoffMs == 0 ? 1_000 : Math.min(60_000, backoffMs * 2);
                nextAttemptAt = now + backoffMs;
                if (!outage) {
                    LOG.warn("InfluxDB {} unavailable, buffering points and retrying with backoff: {}",
                            target.describe(), e.getMessage());
                    outage = true;
                    addSinkHealthPoints(now, true); // the outage's start is on record, whatever its length
                }
            } finally {
                buffer.subList(0, done).clear();
                buffered = buffer.size();
            }
        }

        @Override
        public List<List<String>> snapshotState(long checkpointId) {
            return buffer.isEmpty() ? List.of() : List.of(new ArrayList<>(buffer));
        }

        @Override
        public void close() {
            health.unregister();
            client.close();
        }
    }

}
