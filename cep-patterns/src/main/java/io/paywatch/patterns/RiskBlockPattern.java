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
 * {@code risk_block}: at least {@code count} risk-control failures for one card within
 * {@code within}, across merchants (card testing). Variants key the same pattern by
 * {@code user_id} or {@code device_id} instead of {@code card_fingerprint}.
 */
public final class RiskBlockPattern {
    public static final String RULE = RuleSettings.RISK_BLOCK;
    public static final String CARD = "card_fingerprint";
    public static final String USER = "user_id";
    public static final String DEVICE = "device_id";
    static final String BLOCKS = "blocks";

    private RiskBlockPattern() {}

    /** The value of the key field, or null when the event lacks it. */
    public static String keyOf(PaymentEvent e, String keyField) {
        switch (keyField) {
            case USER:
                return e.userId;
            case DEVICE:
                return e.deviceId;
            default:
                return e.cardFingerprint;
        }
    }

    public static boolean relevant(PaymentEvent e, String keyField) {
        String k = keyOf(e, keyField);
        return e.isFailedPayment() && e.category == Category.RISK && k != null && !k.isEmpty();
    }

    public static Pattern<PaymentEvent, PaymentEvent> pattern(PatternRuleSettings s) {
        return Pattern.<PaymentEvent>begin(BLOCKS, AfterMatchSkipStrategy.skipPastLastEvent())
                .where(SimpleCondition.of(e -> e.isFailedPayment() && e.category == Category.RISK))
                .times(s.count)
                .within(Duration.ofMillis(s.withinMs));
    }

    public static PatternProcessFunction<PaymentEvent, PatternSignal> handler(
            PatternRuleSettings s, String keyField) {
        return new Handler(s, keyField);
    }

    static final class Handler extends PatternProcessFunction<PaymentEvent, PatternSignal> {
        private static final long serialVersionUID = 1L;
        private final PatternRuleSettings settings;
        private final String keyField;

        Handler(PatternRuleSettings settings, String keyField) {
            this.settings = settings;
            this.keyField = keyField;
        }

        @Override
        public void processMatch(Map<String, List<PaymentEvent>> match, Context ctx,
                Collector<PatternSignal> out) {
            List<PaymentEvent> events = match.get(BLOCKS);
            String key = keyOf(events.get(0), keyField);
            PatternSignal signal = Signals.match(RULE, Signals.scope(keyField, key), events,
                    TimeoutBurstPattern.lastTime(events), settings.count, settings.withinMs);
            signal.quietMs = settings.quietMs;
            out.collect(signal);
        }
    }
}
