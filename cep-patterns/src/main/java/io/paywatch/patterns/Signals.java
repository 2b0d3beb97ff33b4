package io.paywatch.patterns;

import io.paywatch.model.PaymentEvent;
import io.paywatch.model.PatternSignal;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;

/** Builds {@link PatternSignal}s from matched events. */
public final class Signals {
    private Signals() {}

    /** The incident key: rule plus scope values in name order. */
    public static String key(String rule, TreeMap<String, String> scope) {
        StringBuilder b = new StringBuilder(rule);
        for (String v : scope.values()) {
            b.append('|').append(v);
        }
        return b.toString();
    }

    public static PatternSignal match(String rule, TreeMap<String, String> scope, List<PaymentEvent> events,
            long time, int threshold, long withinMs) {
        PatternSignal s = base(PatternSignal.MATCH, rule, scope, time);
        s.count = events.size();
        s.threshold = threshold;
        s.withinMs = withinMs;
        s.firstTime = Long.MAX_VALUE;
        List<String> ids = new ArrayList<>();
        TreeSet<String> merchants = new TreeSet<>();
        TreeSet<String> channels = new TreeSet<>();
        TreeMap<String, Integer> codes = new TreeMap<>();
        for (PaymentEvent e : events) {
            s.firstTime = Math.min(s.firstTime, e.eventTime);
            if (ids.size() < 20) {
                ids.add(e.eventId);
            }
            merchants.add(e.merchantId);
            channels.add(e.channel);
            if (e.code != null) {
                codes.merge(e.code, 1, Integer::sum);
            }
            if (e.paymentId != null && s.paymentId == null) {
                s.paymentId = e.paymentId;
            }
            if (s.orderId == null) {
                s.orderId = e.orderId;
            }
            if (e.amountMinor != null && s.amountMinor == null) {
                s.amountMinor = e.amountMinor;
                s.currency = e.currency;
            }
        }
        s.eventIds = ids.toArray(new String[0]);
        s.merchants = merchants.toArray(new String[0]);
        s.channels = channels.toArray(new String[0]);
        s.codes = codes.keySet().toArray(new String[0]);
        s.codeCounts = codes.values().stream().mapToInt(Integer::intValue).toArray();
        return s;
    }

    public static PatternSignal resolver(String rule, TreeMap<String, String> scope, PaymentEvent e) {
        PatternSignal s = base(PatternSignal.RESOLVER, rule, scope, e.eventTime);
        s.firstTime = e.eventTime;
        s.count = 1;
        s.eventIds = new String[] {e.eventId};
        s.resolverKind = e.kind.wireName();
        s.paymentId = e.paymentId;
        s.orderId = e.orderId;
        return s;
    }

    private static PatternSignal base(byte type, String rule, TreeMap<String, String> scope, long time) {
        PatternSignal s = new PatternSignal();
        s.type = type;
        s.rule = rule;
        s.key = key(rule, scope);
        s.scopeNames = scope.keySet().toArray(new String[0]);
        s.scopeValues = scope.values().toArray(new String[0]);
        s.time = time;
        return s;
    }

    public static TreeMap<String, String> scope(String k1, String v1) {
        TreeMap<String, String> m = new TreeMap<>();
        m.put(k1, v1);
        return m;
    }

    public static TreeMap<String, String> scope(String k1, String v1, String k2, String v2) {
        TreeMap<String, String> m = scope(k1, v1);
        m.put(k2, v2);
        return m;
    }
}
