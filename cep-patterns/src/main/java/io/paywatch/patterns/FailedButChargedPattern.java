package io.paywatch.patterns;

import io.paywatch.model.EventKind;
import io.paywatch.model.PatternRuleSettings;
import io.paywatch.model.PatternSignal;
import io.paywatch.model.PaymentEvent;
import io.paywatch.model.RuleSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.cep.functions.PatternProcessFunction;
import org.apache.flink.cep.nfa.aftermatch.AfterMatchSkipStrategy;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.cep.pattern.conditions.IterativeCondition;
import org.apache.flink.cep.pattern.conditions.SimpleCondition;
import org.apache.flink.util.Collector;

/**
 * {@code failed_but_charged}: a payment reported {@code failed} and a {@code charge} with the
 * same {@code payment_id}, within {@code within} of each other, in either order: the payer was
 * debited for a payment the merchant believes failed. Fires at the second event; a refund of the
 * payment resolves it.
 */
public final class FailedButChargedPattern {
    public static final String RULE = RuleSettings.FAILED_BUT_CHARGED;
    static final String FIRST = "first";
    static final String SECOND = "second";

    private FailedButChargedPattern() {}

    public static boolean relevant(PaymentEvent e) {
        return e.isFailedPayment() || e.kind == EventKind.CHARGE;
    }

    public static String keyOf(PaymentEvent e) {
        return e.merchantId + "|" + e.paymentId;
    }

    public static Pattern<PaymentEvent, PaymentEvent> pattern(PatternRuleSettings s) {
        return Pattern.<PaymentEvent>begin(FIRST, AfterMatchSkipStrategy.skipPastLastEvent())
                .where(SimpleCondition.of(FailedButChargedPattern::relevant))
                .followedBy(SECOND)
                .where(new Complement())
                .within(Duration.ofMillis(s.withinMs));
    }

    /** The second event is the other half: a charge after a failure, or a failure after a charge. */
    static final class Complement extends IterativeCondition<PaymentEvent> {
        private static final long serialVersionUID = 1L;

        @Override
        public boolean filter(PaymentEvent e, Context<PaymentEvent> ctx) throws Exception {
            for (PaymentEvent first : ctx.getEventsForPattern(FIRST)) {
                boolean firstIsCharge = first.kind == EventKind.CHARGE;
                return firstIsCharge ? e.isFailedPayment() : e.kind == EventKind.CHARGE;
            }
            return false;
        }
    }

    public static boolean isResolver(PaymentEvent e) {
        return e.kind == EventKind.REFUND;
    }

    public static PatternSignal resolverSignal(PaymentEvent e) {
        return Signals.resolver(RULE, scopeOf(e), e);
    }

    static java.util.TreeMap<String, String> scopeOf(PaymentEvent e) {
        return Signals.scope(RuleSettings.SCOPE_MERCHANT, e.merchantId, "payment_id", e.paymentId);
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
            List<PaymentEvent> events = new ArrayList<>(match.get(FIRST));
            events.addAll(match.get(SECOND));
            PaymentEvent second = match.get(SECOND).get(0);
            PatternSignal s = Signals.match(RULE, scopeOf(second), events,
                    TimeoutBurstPattern.lastTime(events), 2, settings.withinMs);
            for (PaymentEvent e : events) {
                if (e.kind == EventKind.CHARGE) {
                    s.amountMinor = e.amountMinor;
                    s.currency = e.currency;
                }
            }
            out.collect(s);
        }
    }
}
