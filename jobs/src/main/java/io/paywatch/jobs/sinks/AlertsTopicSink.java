package io.paywatch.jobs.sinks;

import io.paywatch.jobs.metrics.SinkHealth;
import io.paywatch.model.Alert;
import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.function.Function;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.kafka.sink.KafkaCommittable;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.KafkaWriterState;
import org.apache.flink.connector.kafka.sink.TwoPhaseCommittingStatefulSink;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.api.connector.sink2.SupportsPostCommitTopology;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.lineage.LineageVertex;
import org.apache.flink.streaming.api.lineage.LineageVertexProvider;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * Flink's {@link KafkaSink} with the alerts topic's {@link SinkHealth} ({@code sink=alerts_topic}).
 * Each writer is the connector's own writer — same transactions, state and committables, so
 * exactly-once and restored state are the connector's — built from a copy of the configuration
 * whose producers carry the {@link AlertsTopicHealth} interceptor and that writer's health id.
 * Committing, the committables' serializer and the post-commit topology are the template
 * sink's.
 */
final class AlertsTopicSink implements TwoPhaseCommittingStatefulSink<Alert, KafkaWriterState, KafkaCommittable>,
        SupportsPostCommitTopology<KafkaCommittable>, LineageVertexProvider {
    private static final long serialVersionUID = 1L;
    static final String SINK_NAME = "alerts_topic";

    /** Builds the connector's sink from a producer configuration. */
    interface Build extends Function<Properties, KafkaSink<Alert>>, java.io.Serializable {}

    private final Properties producerConfig;
    private final Build build;
    private final KafkaSink<Alert> template;

    AlertsTopicSink(Properties producerConfig, Build build) {
        this.producerConfig = producerConfig;
        this.build = build;
        this.template = build.apply(producerConfig);
    }

    @Override
    public PrecommittingStatefulSinkWriter<Alert, KafkaWriterState, KafkaCommittable> createWriter(
            WriterInitContext context) throws IOException {
        return open(context, sink -> sink.createWriter(context));
    }

    @Override
    public PrecommittingStatefulSinkWriter<Alert, KafkaWriterState, KafkaCommittable> restoreWriter(
            WriterInitContext context, Collection<KafkaWriterState> recoveredState) throws IOException {
        return open(context, sink -> sink.restoreWriter(context, recoveredState));
    }

    private interface Open {
        PrecommittingStatefulSinkWriter<Alert, KafkaWriterState, KafkaCommittable> apply(KafkaSink<Alert> sink)
                throws IOException;
    }

    private PrecommittingStatefulSinkWriter<Alert, KafkaWriterState, KafkaCommittable> open(
            WriterInitContext context, Open open) throws IOException {
        SinkHealth health = new SinkHealth(SINK_NAME).register(context.metricGroup());
        String id = AlertsTopicHealth.track(health);
        try {
            return new HealthWriter(open.apply(build.apply(withHealth(producerConfig, id))), health, id);
        } catch (IOException | RuntimeException e) {
            AlertsTopicHealth.untrack(id);
            health.unregister();
            throw e;
        }
    }

    /** A copy of {@code config} whose producers report to the health registered as {@code id}. */
    static Properties withHealth(Properties config, String id) {
        Properties p = new Properties();
        p.putAll(config);
        String theirs = p.getProperty(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG, "").trim();
        String ours = AlertsTopicHealth.class.getName();
        p.setProperty(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG, theirs.isEmpty() ? ours : theirs + "," + ours);
        p.setProperty(AlertsTopicHealth.HEALTH_ID, id);
        return p;
    }

    @Override
    public Committer<KafkaCommittable> createCommitter(CommitterInitContext context) {
        return template.createCommitter(context);
    }

    @Override
    public SimpleVersionedSerializer<KafkaCommittable> getCommittableSerializer() {
        return template.getCommittableSerializer();
    }

    @Override
    public SimpleVersionedSerializer<KafkaWriterState> getWriterStateSerializer() {
        return template.getWriterStateSerializer();
    }

    @Override
    public void addPostCommitTopology(DataStream<CommittableMessage<KafkaCommittable>> committables) {
        template.addPostCommitTopology(committables);
    }

    @Override
    public LineageVertex getLineageVertex() {
        return template.getLineageVertex();
    }

    /** The connector's writer; closing it ends its health's reports. */
    private static final class HealthWriter
            implements PrecommittingStatefulSinkWriter<Alert, KafkaWriterState, KafkaCommittable> {
        private final PrecommittingStatefulSinkWriter<Alert, KafkaWriterState, KafkaCommittable> writer;
        private final SinkHealth health;
        private final String id;

        HealthWriter(PrecommittingStatefulSinkWriter<Alert, KafkaWriterState, KafkaCommittable> writer,
                SinkHealth health, String id) {
            this.writer = writer;
            this.health = health;
            this.id = id;
        }

        @Override
        public void write(Alert alert, Context context) throws IOException, InterruptedException {
            writer.write(alert, context);
        }

        @Override
        public void flush(boolean endOfInput) throws IOException, InterruptedException {
            writer.flush(endOfInput);
        }

        @Override
        public void writeWatermark(Watermark watermark) throws IOException, InterruptedException {
            writer.writeWatermark(watermark);
        }

        @Override
        public Collection<KafkaCommittable> prepareCommit() throws IOException, InterruptedException {
            return writer.prepareCommit();
        }

        @Override
        public List<KafkaWriterState> snapshotState(long checkpointId) throws IOException {
            return writer.snapshotState(checkpointId);
        }

        @Override
        public void close() throws Exception {
            try {
                writer.close();
            } finally {
                AlertsTopicHealth.untrack(id);
                health.unregister();
            }
        }
    }
}
