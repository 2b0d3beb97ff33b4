package io.paywatch.jobs;

import io.paywatch.jobs.ingest.EventProjection;
import io.paywatch.model.RuleSettings;
import java.io.Serializable;

/** What the pipeline needs besides its sources and sinks: rules and event-time settings. */
public final class PipelineSettings implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final long DEFAULT_OUT_OF_ORDERNESS_MS = 5_000;
    public static final long DEFAULT_DEDUP_HORIZON_MS = 600_000;
    public static final long DEFAULT_IDLE_TIMEOUT_MS = 30_000;

    public final RuleSettings rules;
    public final long outOfOrdernessMs;
    public final long dedupHorizonMs;
    /** A source partition silent this long (processing time) stops holding the watermark. */
    public final long idleTimeoutMs;
    /** How far event time may run ahead of the newest event while every source is idle (run). */
    public final long idleAdvanceMaxMs;
    /** A second rule set run over the same events for backtesting, or null. */
    public final RuleSettings compareRules;

    public PipelineSettings(RuleSettings rules, long outOfOrdernessMs, long dedupHorizonMs,
            long idleTimeoutMs) {
        this(rules, outOfOrdernessMs, dedupHorizonMs, idleTimeoutMs, 0);
    }

    public PipelineSettings(RuleSettings rules, long outOfOrdernessMs, long dedupHorizonMs,
            long idleTimeoutMs, long idleAdvanceMaxMs) {
        this(rules, outOfOrdernessMs, dedupHorizonMs, idleTimeoutMs, idleAdvanceMaxMs, null);
    }

    public PipelineSettings(RuleSettings rules, long outOfOrdernessMs, long dedupHorizonMs,
            long idleTimeoutMs, long idleAdvanceMaxMs, RuleSettings compareRules) {
        this.compareRules = compareRules;
        this.idleAdvanceMaxMs = idleAdvanceMaxMs;
        this.rules = rules;
        this.outOfOrdernessMs = outOfOrdernessMs;
        this.dedupHorizonMs = dedupHorizonMs;
        this.idleTimeoutMs = idleTimeoutMs;
    }

    /**
     * Whether the screens stand in front of the {@code charged_unfulfilled} and
     * {@code failed_but_charged} CEP operators ({@link io.paywatch.jobs.alerting.OrderScreen},
     * {@link io.paywatch.jobs.alerting.PaymentPairScreen}); off only to prove that the alerts are
     * the same either way.
     */
    public boolean screens() {
        return screens;
    }

    private boolean screens = true;

    /** The same settings with every event fed to CEP unscreened (equivalence tests). */
    public PipelineSettings withoutScreens() {
        PipelineSettings s = copy();
        s.screens = false;
        return s;
    }

    /**
     * The fields an event keeps past the parser: only those of the rate rules when no pattern
     * rule of either rule set is switched on (a rule switched off in the rules file cannot be
     * switched on live), else all of them.
     */
    public EventProjection eventProjection() {
        boolean patterns = rules.anyPatternEnabled() || (compareRules != null && compareRules.anyPatternEnabled());
        return patterns || !projection ? EventProjection.ALL : EventProjection.RATES;
    }

    private boolean projection = true;

    /** The same settings with every event's fields kept (equivalence tests). */
    public PipelineSettings withoutProjection() {
        PipelineSettings s = copy();
        s.projection = false;
        return s;
    }

    /**
     * The environment variable holding the control topic's secret ({@code --control-secret-env}):
     * only changes signed with it apply. Null: every valid change applies.
     */
    public String controlSecretEnv() {
        return controlSecretEnv;
    }

    private String controlSecretEnv;

    public PipelineSettings withControlSecretEnv(String variable) {
        PipelineSettings s = copy();
        s.controlSecretEnv = variable;
        return s;
    }

    /**
     * [from, to) in event time when a replay selects its events by event time, else null: events
     * outside it are not part of the replay.
     */
    public long[] eventTimeRange() {
        return eventTimeRange;
    }

    private long[] eventTimeRange;

    public PipelineSettings withEventTimeRange(long fromMs, long toMs) {
        PipelineSettings s = copy();
        s.eventTimeRange = new long[] {fromMs, toMs};
        return s;
    }

    private PipelineSettings copy() {
        PipelineSettings s = new PipelineSettings(rules, outOfOrdernessMs, dedupHorizonMs, idleTimeoutMs,
                idleAdvanceMaxMs, compareRules);
        s.screens = screens;
        s.projection = projection;
        s.controlSecretEnv = controlSecretEnv;
        s.eventTimeRange = eventTimeRange;
        return s;
    }

    public static PipelineSettings defaults(RuleSettings rules) {
        return new PipelineSettings(rules, DEFAULT_OUT_OF_ORDERNESS_MS, DEFAULT_DEDUP_HORIZON_MS,
                DEFAULT_IDLE_TIMEOUT_MS);
    }
}
