package io.paywatch.jobs.alerting;

import io.paywatch.jobs.runtime.StateLayout;
import io.paywatch.model.Alert;
import io.paywatch.model.PatternRuleSettings;
import io.paywatch.model.PatternSignal;
import io.paywatch.model.PaymentEvent;
import io.paywatch.model.RuleSettings;
import io.paywatch.patterns.ChargedUnfulfilledPattern;
import io.paywatch.patterns.FailedButChargedPattern;
import io.paywatch.patterns.RiskBlockPattern;
import io.paywatch.patterns.TimeoutBurstPattern;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.common.functions.FilterFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.cep.CEP;
import org.apache.flink.cep.EventComparator;
import org.apache.flink.cep.functions.PatternProcessFunction;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.util.OutputTag;

/**
 * Wires the four pattern rules (Flink CEP) and their incident lifecycle:
 *
 * <pre>
 * accepted events ─┬─ timeout_burst       CEP per merchant+channel ──────────────────┐
 * (dedup's output, ├─ risk_block          CEP per card (user, device) ────────────────┤
 *  by merchant)    ├─ charged_unfulfilled screen* ─ CEP per merchant+order** ──────────┼─ signals ─ keyBy(incident) ─ lifecycle ─ alerts
 *                  │    └─ the resolvers after a match (the screen's side output) ──────┤
 *                  ├─ failed_but_charged  screen* ─ CEP per merchant+payment ───────────┤
 *                  └─ refunds (failed_but_charged's resolvers) ───────────────────────┘
 *   * in dedup's task, keyed by merchant: only what a screen forwards is exchanged
 *   ** when every source is bounded: at the end of the input, charges due beyond it stop in CEP's
 *      task, in front of CEP ({@link ChargesDueBeyondInput}, told by the control signals)
 * </pre>
 *
 * <p>CEP patterns are fixed per operator, so a rule with per-merchant or per-channel overrides
 * runs one CEP operator per distinct parameter set, each fed the events its settings apply to.
 */
public final class PatternDetection {
    /** Events CEP would drop as late; the event time gate makes this empty, but nothing is silent. */
    public static final OutputTag<PaymentEvent> LATE = new OutputTag<>("cep-late",
            TypeInformation.of(PaymentEvent.class));

    private PatternDetection() {}

    /** The alerts of the pattern rules, and the (normally empty) stream of late events. */
    public static final class Result {
        public final DataStream<Alert> alerts;
        public final DataStream<PaymentEvent> late;

        Result(DataStream<Alert> alerts, DataStream<PaymentEvent> late) {
            this.alerts = alerts;
            this.late = late;
        }
    }

    public static Result build(DataStream<PaymentEvent> accepted,
            BroadcastStream<io.paywatch.jobs.control.ControlSignal> control, RuleSettings rules) {
        return build(accepted, control, rules, "");
    }

    /** @param uidSuffix tells a second rule set's operators apart (backtesting) */
    public static Result build(DataStream<PaymentEvent> accepted,
            BroadcastStream<io.paywatch.jobs.control.ControlSignal> control, RuleSettings rules,
            String uidSuffix) {
        return build(accepted, control, rules, uidSuffix, true);
    }

    /**
     * @param accepted dedup's output, partitioned by merchant (the screens run in its task)
     * @param screens whether {@link ChargedUnfulfilledScreen} and {@link FailedButChargedScreen}
     *     feed their CEP operators (off only to prove that the alerts are the same)
     */
    public static Result build(DataStream<PaymentEvent> accepted,
            BroadcastStream<io.paywatch.jobs.control.ControlSignal> control, RuleSettings rules,
            String uidSuffix, boolean screens) {
        return build(accepted, control, rules, uidSuffix, screens, false);
    }

    /**
     * @param boundedInput whether every source of the job is bounded (a replay, the generator):
     *     then, with the screens, the charges they release at the end of the input and due beyond
     *     it stop in front of CEP ({@link ChargesDueBeyondInput}). Not for a live run, whose end of
     *     input is a {@code stop --drain}: a job resumed from that savepoint still holds the
     *     signals the incidents skipped at +∞, and dropping charges would change which.
     */
    public static Result build(DataStream<PaymentEvent> accepted,
            BroadcastStream<io.paywatch.jobs.control.ControlSignal> control, RuleSettings rules,
            String uidSuffix, boolean screens, boolean boundedInput) {
        if (!rules.anyPatternEnabled()) {
            throw new IllegalArgumentException("every pattern rule is switched off: build none");
        }
        Wiring wiring = new Wiring(accepted, rules, control);
        List<DataStream<PatternSignal>> signals = wiring.signals;

        for (PatternRuleSettings s : variants(rules, RuleSettings.TIMEOUT_BURST)) {
            wiring.add(new PatternOperators(RuleSettings.TIMEOUT_BURST, s, "cep-timeout-burst" + uidSuffix,
                    TimeoutBurstPattern::relevant, TimeoutBurstPattern::keyOf,
                    TimeoutBurstPattern.pattern(s), null, TimeoutBurstPattern.handler(s)), null);
        }
        for (String keyField : rules.riskBlockKeys()) {
            for (PatternRuleSettings s : variants(rules, RuleSettings.RISK_BLOCK)) {
                String base = keyField.equals(RiskBlockPattern.CARD) ? "cep-risk-block"
                        : "cep-risk-block-" + keyField.replace('_', '-');
                wiring.add(new PatternOperators(RuleSettings.RISK_BLOCK, s, base + uidSuffix,
                        e -> RiskBlockPattern.relevant(e, keyField),
                        e -> RiskBlockPattern.keyOf(e, keyField),
                        RiskBlockPattern.pattern(s), null, RiskBlockPattern.handler(s, keyField)), null);
            }
        }
        // the screens' lone events (charges, payments) in one table per merchant on the heap backend
        StateLayout layout = StateLayout.forState(accepted.getExecutionEnvironment().getConfiguration());
        Set<PatternRuleSettings> unfulfilled = variants(rules, RuleSettings.CHARGED_UNFULFILLED);
        // with one parameter set, every event of an order meets in one screen, which knows which
        // resolvers may resolve an incident; with several (per-merchant or per-channel within)
        // an order's charge and its fulfilment could meet in different ones: all resolvers go
        boolean screenedResolvers = screens && unfulfilled.size() == 1;
        for (PatternRuleSettings s : unfulfilled) {
            long hold = screens ? OrderScreen.holdFor(s.withinMs) : 0;
            wiring.add(new PatternOperators(RuleSettings.CHARGED_UNFULFILLED, s,
                    "cep-charged-unfulfilled" + uidSuffix, ChargedUnfulfilledPattern::relevant,
                    ChargedUnfulfilledPattern::keyOf, ChargedUnfulfilledPattern.pattern(s, hold),
                    ChargedUnfulfilledPattern.SAME_TIME_ORDER, ChargedUnfulfilledPattern.handler(s)),
                    !screens ? null : new Screening(new ChargedUnfulfilledScreen(hold, s.withinMs, layout),
                            screenedResolvers ? ChargedUnfulfilledScreen.RESOLVER_SIGNALS : null,
                            // the shift is in the uid: partial matches shifted by another hold (an
                            // older build's half window) are not restored into a pattern of another length
                            "-screened-last-" + (s.withinMs - hold) + "ms",
                            // what the screens release at the end of a bounded input, due beyond it
                            boundedInput ? new ChargesDueBeyondInput(s.withinMs) : null));
        }
        for (PatternRuleSettings s : variants(rules, RuleSettings.FAILED_BUT_CHARGED)) {
            wiring.add(new PatternOperators(RuleSettings.FAILED_BUT_CHARGED, s,
                    "cep-failed-but-charged" + uidSuffix, FailedButChargedPattern::relevant,
                    FailedButChargedPattern::keyOf, FailedButChargedPattern.pattern(s), null,
                    FailedButChargedPattern.handler(s)),
                    !screens ? null : new Screening(new FailedButChargedScreen(s.withinMs, layout),
                            null, "-screened", null));
        }
        if (rules.enabled(RuleSettings.CHARGED_UNFULFILLED) && !screenedResolvers) {
            signals.add(accepted
                    .filter(ChargedUnfulfilledPattern::isResolver).name("fulfilments and refunds")
                    .uid("resolvers-charged-unfulfilled" + uidSuffix)
                    .map(ChargedUnfulfilledPattern::resolverSignal)
                    .returns(TypeInformation.of(PatternSignal.class))
                    .name("charged_unfulfilled resolvers").uid("resolver-signals-charged-unfulfilled" + uidSuffix));
        }
        if (rules.enabled(RuleSettings.FAILED_BUT_CHARGED)) {
            signals.add(accepted
                    .filter(FailedButChargedPattern::isResolver).name("refunds")
                    .uid("resolvers-failed-but-charged" + uidSuffix)
                    .map(FailedButChargedPattern::resolverSignal)
                    .returns(TypeInformation.of(PatternSignal.class))
                    .name("failed_but_charged resolvers").uid("resolver-signals-failed-but-charged" + uidSuffix));
        }

        DataStream<PatternSignal> all = signals.get(0);
        for (int i = 1; i < signals.size(); i++) {
            all = all.union(signals.get(i));
        }
        DataStream<Alert> alerts = all
                .keyBy(s -> s.key)
                .connect(control)
                .process(new PatternIncidentFunction())
                .name("pattern incidents" + uidSuffix).uid("pattern-incidents" + uidSuffix);
        DataStream<PaymentEvent> lateAll = wiring.late.get(0);
        for (int i = 1; i < wiring.late.size(); i++) {
            lateAll = lateAll.union(wiring.late.get(i));
        }
        return new Result(alerts, lateAll);
    }

    /** A rule's parameter sets, none when the rule is switched off (its operators are not built). */
    private static Set<PatternRuleSettings> variants(RuleSettings rules, String rule) {
        return rules.enabled(rule) ? rules.patternVariants(rule) : Set.of();
    }

    /**
     * What one pattern rule's operators are built from, for one of its parameter sets.
     *
     * @param baseUid the operators' uids start with it (a parameter set other than the rule's
     *     default adds a hash of itself)
     * @param sameTimeOrder how CEP orders events of the same time, or null for arrival order
     */
    private record PatternOperators(String rule, PatternRuleSettings settings, String baseUid,
            FilterFunction<PaymentEvent> relevant, KeySelector<PaymentEvent, String> key,
            Pattern<PaymentEvent, ?> pattern, EventComparator<PaymentEvent> sameTimeOrder,
            PatternProcessFunction<PaymentEvent, PatternSignal> handler) {}

    /**
     * A screen in dedup's task in front of a pattern's CEP operator.
     *
     * @param signals the screen's own signals (its side output), or null
     * @param cepUidSuffix added to the CEP operator's uid: screened events reach CEP shifted or
     *     paired, so partial matches of another build must not be restored into it
     * @param dueBeyondInput the end-of-input filter chained in front of CEP, or null
     */
    private record Screening(MerchantKeyedScreen<?> screen, OutputTag<PatternSignal> signals,
            String cepUidSuffix, ChargesDueBeyondInput dueBeyondInput) {}

    /** What every pattern's operators are built from and into: the signals and late events of all. */
    private static final class Wiring {
        final DataStream<PaymentEvent> accepted;
        final RuleSettings rules;
        final BroadcastStream<io.paywatch.jobs.control.ControlSignal> control;
        final List<DataStream<PatternSignal>> signals = new ArrayList<>();
        final List<DataStream<PaymentEvent>> late = new ArrayList<>();

        Wiring(DataStream<PaymentEvent> accepted, RuleSettings rules,
                BroadcastStream<io.paywatch.jobs.control.ControlSignal> control) {
            this.accepted = accepted;
            this.rules = rules;
            this.control = control;
        }

        /** One pattern's operators, screened when {@code screening} is not null. */
        void add(PatternOperators p, Screening screening) {
            // locals, not fields: the events' filter below is shipped to the cluster and must not
            // capture this Wiring, which is not serializable
            String rule = p.rule();
            PatternRuleSettings s = p.settings();
            FilterFunction<PaymentEvent> relevant = p.relevant();
            KeySelector<PaymentEvent, String> key = p.key();
            RuleSettings rules = this.rules;
            boolean isDefault = s.equals(rules.pattern(rule));
            String uid = isDefault ? p.baseUid() : p.baseUid() + "-" + Integer.toHexString(s.toString().hashCode());
            DataStream<PaymentEvent> in = accepted
                    .filter(e -> relevant.filter(e)
                            && s.equals(rules.patternFor(rule, e.merchantId, e.channel)))
                    .name(rule + " events" + (isDefault ? "" : " " + s)).uid(uid + "-events");
            KeyedStream<PaymentEvent, String> keyed;
            if (screening != null) {
                // what provably cannot match stops here, in dedup's task: the screen is keyed by
                // merchant like dedup (each order in its own namespace), so only what it forwards
                // crosses the exchange to CEP's key
                SingleOutputStreamOperator<PaymentEvent> screened = DataStreamUtils
                        .reinterpretAsKeyedStream(in, e -> e.merchantId, Types.STRING)
                        .transform(rule + " screen" + (isDefault ? "" : " " + s),
                                TypeInformation.of(PaymentEvent.class), screening.screen())
                        .uid(uid + "-screen-by-merchant");
                if (screening.signals() != null) {
                    signals.add(screened.getSideOutput(screening.signals()));
                }
                keyed = screened.keyBy(key);
                if (screening.dueBeyondInput() != null) {
                    // in CEP's task (chained), not keyed: the end of input comes with the control signals
                    keyed = DataStreamUtils.reinterpretAsKeyedStream(
                            new DataStream<>(keyed.getExecutionEnvironment(), keyed.getTransformation())
                                    .connect(io.paywatch.jobs.control.ControlSignal.toEverySubtask(control))
                                    .transform(rule + " charges due beyond the input" + (isDefault ? "" : " " + s),
                                            TypeInformation.of(PaymentEvent.class), screening.dueBeyondInput())
                                    .uid(uid + "-due-beyond-input"),
                            key, Types.STRING);
                }
            } else {
                keyed = in.keyBy(key);
            }
            // ties in event time are otherwise broken by arrival order, which partitioning decides
            SingleOutputStreamOperator<PatternSignal> matched = (p.sameTimeOrder() == null
                            ? CEP.pattern(keyed, p.pattern()) : CEP.pattern(keyed, p.pattern(), p.sameTimeOrder()))
                    .inEventTime()
                    .sideOutputLateData(LATE)
                    .process(p.handler(), TypeInformation.of(PatternSignal.class))
                    // screened events reach CEP shifted or paired: a uid of its own, so that partial
                    // matches of an unscreened (or otherwise shifted) build are not restored into it
                    .name(rule + " pattern" + (isDefault ? "" : " " + s))
                    .uid(screening == null ? uid : uid + screening.cepUidSuffix());
            signals.add(matched);
            late.add(matched.getSideOutput(LATE));
        }
    }
}
