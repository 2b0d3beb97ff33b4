package io.paywatch.patterns;

import io.paywatch.model.EventKind;
import io.paywatch.model.PatternRuleSettings;
import io.paywatch.model.PatternSignal;
import io.paywatch.model.PaymentEvent;
import io.paywatch.model.RuleSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.cep.EventComparator;
import org.apache.flink.cep.functions.PatternProcessFunction;
import org.apache.flink.cep.nfa.aftermatch.AfterMatchSkipStrategy;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.cep.pattern.conditions.SimpleCondition;
import org.apache.flink.util.Collector;

/**
 * {@code charged_unfulfilled}: a {@code charge} not followed by a {@code fulfilment} or
 * {@code refund} of the same order within {@code within}. The pattern ends in
 * {@code notFollowedBy … within}, so CEP emits the match when event time passes the deadline;
 * the alert starts at the deadline (charge time + within), computed from the charge, not from
 * the watermark that triggered it. A fulfilment or refund arriving later resolves it.
 */
public final class ChargedUnfulfilledPattern {
    public static final String RULE = RuleSettings.CHARGED_UNFULFILLED;
    static final String CHARGE = "charge";
    static final String DONE = "fulfilled-or-refunded";

    private ChargedUnfulfilledPattern() {}

    public static boolean relevant(PaymentEvent e) {
        return e.kind == EventKind.CHARGE || isResolver(e);
    }

    /** Events that complete the order: they prevent the alert, or resolve it when late. */
    public static boolean isResolver(PaymentEvent e) {
        return e.kind == EventKind.FULFILMENT || e.kind == EventKind.REFUND;
    }

    public static String keyOf(PaymentEvent e) {
        return e.merchantId + "|" + e.orderId;
    }

    public static Pattern<PaymentEvent, PaymentEvent> pattern(PatternRuleSettings s) {
        return pattern(s, 0);
    }

    /**
     * The pattern for charges that reach CEP {@code shiftMs} after their own time (a screen in
     * front held them that long and saw no fulfilment or refund): the deadline stays
     * charge + within.
     */
    public static Pattern<PaymentEvent, PaymentEvent> pattern(PatternRuleSettings s, long shiftMs) {
        return Pattern.<PaymentEvent>begin(CHARGE, AfterMatchSkipStrategy.skipPastLastEvent())
                .where(SimpleCondition.of(e -> e.kind == EventKind.CHARGE))
                .notFollowedBy(DONE)
                .where(SimpleCondition.of(ChargedUnfulfilledPattern::isResolver))
                .within(Duration.ofMillis(s.withinMs - shiftMs));
    }

    /**
     * CEP's order among events of the same event time: a charge before the fulfilment or refund
     * that shares its millisecond, whichever arrives first (the two may come through different
     * partitions): an order fulfilled in the same millisecond as its charge is not unfulfilled.
     */
    public static final EventComparator<PaymentEvent> SAME_TIME_ORDER = new ChargeFirst();

    private static final class ChargeFirst implements EventComparator<PaymentEvent> {
        private static final long serialVersionUID = 1L;

        @Override
        public int compare(PaymentEvent a, PaymentEvent b) {
            return Boolean.compare(a.kind != EventKind.CHARGE, b.kind != EventKind.CHARGE);
        }
    }

    public static PatternSignal resolverSignal(PaymentEvent e) {
        return Signals.resolver(RULE, scopeOf(e), e);
    }

    static java.util.TreeMap<String, String> scopeOf(PaymentEvent e) {
        return Signals.scope(RuleSettings.SCOPE_MERCHANT, e.merchantId, "order_id", e.orderId);
    }

    public static PatternProcessFunction<PaymentEvent, PatternSignal> handler(PatternRuleSettings s) {
        return new Handler(s);
    }

    static final class Handler extends PatternProcessFunction<PaymentEvent, PatternSignal> {
        private static final long serialVersionUID = 1L;
        private final PatternRuleSettings settings;

        Handler(PatternRuleSettings settings) {
            this.settings = settings;
        }

        @Override
        public void processMatch(Map<String, List<PaymentEvent>> match, Context ctx,
                Collector<PatternSignal> out) {
            List<PaymentEvent> charges = match.get(CHARGE);
            PaymentEvent charge = charges.get(0);
            // the deadline, from the charge: at the end of input the watermark is +inf
            long deadline = charge.eventTime + settings.withinMs;
            out.collect(Signals.match(RULE, scopeOf(charge), charges, deadline, 1, settings.withinMs));
        }
    }
}
