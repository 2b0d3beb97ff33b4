package io.paywatch.jobs;

import io.paywatch.jobs.ingest.DeadLetter;
import io.paywatch.jobs.ingest.InputOutcome;
import io.paywatch.jobs.ingest.LateEvent;
import io.paywatch.model.Alert;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.util.OutputTag;

/** The side outputs of the PayWatch job, in one place. */
public final class PipelineTags {
    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("dead-letters", TypeInformation.of(DeadLetter.class));
    public static final OutputTag<InputOutcome> INPUT_OUTCOMES =
            new OutputTag<>("input-outcomes", TypeInformation.of(InputOutcome.class));
    public static final OutputTag<LateEvent> LATE_EVENTS =
            new OutputTag<>("late-events", TypeInformation.of(LateEvent.class));
    public static final OutputTag<io.paywatch.jobs.ingest.EndOfInput> END_OF_INPUT =
            new OutputTag<>("end-of-input", io.paywatch.jobs.ingest.EndOfInput.TYPE);
    public static final OutputTag<Alert> ALERTS =
            new OutputTag<>("alerts", TypeInformation.of(Alert.class));

    private PipelineTags() {}
}
