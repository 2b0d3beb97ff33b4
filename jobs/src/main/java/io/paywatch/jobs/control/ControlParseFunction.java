package io.paywatch.jobs.control;

import io.paywatch.jobs.PipelineTags;
import io.paywatch.jobs.delivery.Signatures;
import io.paywatch.jobs.ingest.DeadLetter;
import io.paywatch.jobs.ingest.KafkaRawDeserializer;
import io.paywatch.jobs.ingest.RawRecord;
import io.paywatch.jobs.ingest.Rejection;
import io.paywatch.model.PlainText;
import io.paywatch.model.RuleChange;
import io.paywatch.model.RuleSettings;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Control topic records → rule changes; a bad one is a dead letter and one log line, never a
 * crash. With a secret ({@code --control-secret-env}), only records whose
 * {@code X-PayWatch-Signature} header is the HMAC-SHA256 of their value apply: anyone who can
 * write to the topic but does not hold the secret changes nothing, and a signed change applies
 * once ({@link AppliedChangeIds}: the ids applied are operator state, so a restart keeps refusing
 * replays).
 */
public class ControlParseFunction extends ProcessFunction<RawRecord, ControlSignal>
        implements org.apache.flink.streaming.api.checkpoint.CheckpointedFunction {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ControlParseFunction.class);

    /** The control topic's name in metrics ({@code input="control"}), whatever the topic is called. */
    public static final String CONTROL_INPUT = "control";

    private final RuleSettings deployment;
    /** The environment variable that holds the secret, null when changes need no signature. */
    private final String secretEnv;
    /** Read where the function runs (a TaskManager on a cluster), never shipped in the job. */
    private transient String secret;
    /** Flink metrics of the control input: changes applied and refused. */
    private transient org.apache.flink.metrics.Counter applied;
    private transient org.apache.flink.metrics.Counter refused;
    /** Signed changes applied (with a secret only: without one, anyone may send anything anyway). */
    private transient AppliedChangeIds appliedIds = new AppliedChangeIds();
    private transient org.apache.flink.api.common.state.ListState<String> appliedIdsState;

    public ControlParseFunction(RuleSettings deployment) {
        this(deployment, null);
    }

    public ControlParseFunction(RuleSettings deployment, String secretEnv) {
        this.deployment = deployment;
        this.secretEnv = secretEnv;
    }

    @Override
    public void initializeState(org.apache.flink.runtime.state.FunctionInitializationContext context)
            throws Exception {
        // union: every subtask sees every id, whatever the parallelism was (it is 1)
        appliedIdsState = context.getOperatorStateStore().getUnionListState(
                new org.apache.flink.api.common.state.ListStateDescriptor<>("applied-change-ids",
                        org.apache.flink.api.common.typeinfo.Types.STRING));
        appliedIds = new AppliedChangeIds();
        if (context.isRestored()) {
            appliedIds.restore(appliedIdsState.get());
        }
    }

    @Override
    public void snapshotState(org.apache.flink.runtime.state.FunctionSnapshotContext context) throws Exception {
        appliedIdsState.update(appliedIds.ids());
    }

    @Override
    public void open(OpenContext context) {
        org.apache.flink.metrics.MetricGroup metrics = io.paywatch.jobs.metrics.JobMetrics.input(
                getRuntimeContext().getMetricGroup(), CONTROL_INPUT);
        applied = metrics.counter("accepted");
        refused = metrics.counter("rejected");
        if (secretEnv != null) {
            secret = System.getenv(secretEnv);
            if (secret == null || secret.isEmpty()) {
                throw new IllegalStateException("--control-secret-env " + secretEnv
                        + ": the environment variable is not set where the job runs");
            }
        }
    }

    /** For tests: the secret itself, as {@link #open} would read it. */
    ControlParseFunction withSecret(String secret) {
        this.secret = secret;
        return this;
    }

    @Override
    public void processElement(RawRecord raw, Context ctx, Collector<ControlSignal> out) {
        byte[] bytes = raw.bytes != null ? raw.bytes
                : raw.text == null ? new byte[0] : raw.text.getBytes(StandardCharsets.UTF_8);
        // an over-long record cannot be verified: it is refused below as too large, signed or not
        if (secret != null && raw.truncatedFrom == 0 && !Signatures.verify(secret, bytes, raw.signature)) {
            String detail = raw.signature == null
                    ? "signature missing: the record has no " + KafkaRawDeserializer.SIGNATURE_HEADER
                            + " header (this job applies signed changes only; ./paywatch control send signs them)"
                    : "signature does not match the record's value (another secret, or the value changed after signing)";
            LOG.warn("rule change refused ({}): {}", raw.source, detail);
            String text = new String(bytes, 0, Math.min(bytes.length, 4096), StandardCharsets.UTF_8);
            ctx.output(PipelineTags.DEAD_LETTERS,
                    DeadLetter.of(Rejection.BAD_CONTROL, "signature", detail, text, raw.source));
            count(refused);
            return;
        }
        long recordTime = raw.timestamp > 0 ? raw.timestamp
                : ctx.timestamp() != null ? ctx.timestamp() : System.currentTimeMillis();
        try {
            RuleChange change = RuleChange.parse(raw.truncatedFrom > 0 ? new byte[RuleChange.MAX_BYTES + 1] : bytes,
                    recordTime, deployment);
            if (secret != null && !appliedIds.first(change.changeId)) {
                String detail = AppliedChangeIds.replayDetail(PlainText.visible(change.changeId));
                LOG.warn("rule change refused ({}): {}", raw.source, detail);
                ctx.output(PipelineTags.DEAD_LETTERS, DeadLetter.of(Rejection.BAD_CONTROL, "change_id", detail,
                        new String(bytes, 0, Math.min(bytes.length, 4096), StandardCharsets.UTF_8), raw.source));
                count(refused);
                return;
            }
            // the echo quotes what the sender wrote: one log line, whatever it holds
            String signedBy = secret == null ? null : raw.keyId == null ? "" : PlainText.visible(raw.keyId);
            LOG.info("rule change {} from {}{}: {}", PlainText.visible(change.changeId), raw.source,
                    signedBy == null ? "" : signedBy.isEmpty() ? " (signed)" : " (signed with key " + signedBy + ")",
                    PlainText.visible(change.description));
            out.collect(ControlSignal.of(change, signedBy));
            count(applied);
        } catch (RuleSettings.RulesException e) {
            LOG.warn("rule change refused ({}): {}", raw.source, PlainText.visible(e.getMessage()));
            String text = new String(bytes, 0, Math.min(bytes.length, 4096), StandardCharsets.UTF_8);
            ctx.output(PipelineTags.DEAD_LETTERS,
                    DeadLetter.of(Rejection.BAD_CONTROL, "control", e.getMessage(), text, raw.source));
            count(refused);
        }
    }

    private static void count(org.apache.flink.metrics.Counter c) {
        if (c != null) { // null when a test calls processElement without open
            c.inc();
        }
    }
}
