package io.paywatch.jobs.control;

import io.paywatch.jobs.PipelineTags;
import io.paywatch.jobs.ingest.DeadLetter;
import io.paywatch.jobs.ingest.RawRecord;
import io.paywatch.jobs.ingest.Rejection;
import io.paywatch.model.RuleChange;
import io.paywatch.model.RuleSettings;
import java.nio.charset.StandardCharsets;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Control topic records → rule changes; a bad one is a dead letter and one log line, never a crash. */
public class ControlParseFunction extends ProcessFunction<RawRecord, ControlSignal> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ControlParseFunction.class);

    private final RuleSettings deployment;

    public ControlParseFunction(RuleSettings deployment) {
        this.deployment = deployment;
    }

    @Override
    public void processElement(RawRecord raw, Context ctx, Collector<ControlSignal> out) {
        byte[] bytes = raw.bytes != null ? raw.bytes
                : raw.text == null ? new byte[0] : raw.text.getBytes(StandardCharsets.UTF_8);
        long recordTime = raw.timestamp > 0 ? raw.timestamp
                : ctx.timestamp() != null ? ctx.timestamp() : System.currentTimeMillis();
        try {
            RuleChange change = RuleChange.parse(raw.truncatedFrom > 0 ? new byte[RuleChange.MAX_BYTES + 1] : bytes,
                    recordTime, deployment);
            LOG.info("rule change {} from {}: {}", change.changeId, raw.source, change.description);
            out.collect(ControlSignal.of(change));
        } catch (RuleSettings.RulesException e) {
            LOG.warn("rule change refused ({}): {}", raw.source, e.getMessage());
            String text = new String(bytes, 0, Math.min(bytes.length, 4096), StandardCharsets.UTF_8);
            ctx.output(PipelineTags.DEAD_LETTERS,
                    DeadLetter.of(Rejection.BAD_CONTROL, "control", e.getMessage(), text, raw.source));
        }
    }
}
