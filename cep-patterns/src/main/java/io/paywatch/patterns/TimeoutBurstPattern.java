package io.paywatch.patterns;

import io.paywatch.model.Category;
import io.paywatch.model.PatternRuleSettings;
import io.paywatch.model.PatternSignal;
import io.paywatch.model.PaymentEvent;
import io.paywatch.model.RuleSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.cep.functions.PatternProcessFunction;
import org.apache.flink.cep.nfa.aftermatch.AfterMatchSkipStrategy;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.cep.pattern.conditions.SimpleCondition;
import org.apache.flink.util.Collector;

/**
 * {@code timeout_burst}: at least {@code count} failed payments of category {@code timeout}
 * within {@code within} for one merchant and channel. After a match the NFA skips past its last
 * event, so a long burst gives one match per {@code count} timeouts, never overlapping ones; the
 * incident lifecycle turns consecutive matches into one incident.
 */
public final class TimeoutBurstPattern {
    public static final String RULE = RuleSettings.TIMEOUT_BURST;
    static final String TIMEOUTS = "timeouts";

    private TimeoutBurstPattern() {}

    public static boolean relevant(PaymentEvent e) {
        return e.isFailedPayment() && e.category == Category.TIMEOUT;
    }

    public static String keyOf(PaymentEvent e) {
        return e.merchantId + "|" + e.channel;
    }

    public static Pattern<PaymentEvent, PaymentEvent> pattern(PatternRuleSettings s) {
        return Pattern.<PaymentEvent>begin(TIMEOUTS, AfterMatchSkipStrategy.skipPastLastEvent())
                .where(SimpleCondition.of(TimeoutBurstPattern::relevant))
                .times(s.count)
                .within(Duration.ofMillis(s.withinMs));
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
            List<PaymentEvent> events = match.get(TIMEOUTS);
            PaymentEvent last = events.get(events.size() - 1);
            PatternSignal signal = Signals.match(RULE, Signals.scope(RuleSettings.SCOPE_MERCHANT, last.merchantId,
                    RuleSettings.SCOPE_CHANNEL, last.channel), events, lastTime(events),
                    settings.count, settings.withinMs);
            signal.quietMs = settings.quietMs;
            out.collect(signal);
        }
    }

    static long lastTime(List<PaymentEvent> events) {
        long t = Long.MIN_VALUE;
        for (PaymentEvent e : events) {
            t = Math.max(t, e.eventTime);
        }
        return t;
    }
}
