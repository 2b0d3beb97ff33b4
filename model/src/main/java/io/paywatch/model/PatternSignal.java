package io.paywatch.model;

import java.util.Arrays;

/**
 * What the pattern rules tell the incident lifecycle: a pattern matched (a burst, a card being
 * tested, a charge left unfulfilled, a failed payment that was charged), or an event that
 * resolves an incident (a late fulfilment, a refund). Keyed by {@link #key}: the rule and its
 * scope values. A Flink POJO of primitives, strings and arrays (no Kryo).
 */
public class PatternSignal {
    public static final byte MATCH = 0;
    public static final byte RESOLVER = 1;

    public byte type;
    public String rule;
    /** Rule and scope values, e.g. {@code timeout_burst|m-7|card}. */
    public String key;
    /** Scope key names and values, parallel arrays sorted by name. */
    public String[] scopeNames = new String[0];
    public String[] scopeValues = new String[0];
    /** Event time of the signal: the event that completed the match, the deadline, the resolver. */
    public long time;
    /** Event time of the match's first event. */
    public long firstTime;
    /** Events in the match. */
    public int count;
    public String[] eventIds = new String[0];
    /** Distinct merchants, channels and return codes involved, sorted. */
    public String[] merchants = new String[0];
    public String[] channels = new String[0];
    public String[] codes = new String[0];
    /** Failures per code, parallel to {@link #codes}. */
    public int[] codeCounts = new int[0];
    /** The payment, order and amount concerned (money-flow rules). */
    public String paymentId;
    public String orderId;
    public Long amountMinor;
    public String currency;
    /** The rule's threshold (count) and window, for the alert text. */
    public int threshold;
    public long withinMs;
    /** How long without a new match resolves the incident; 0: only a resolving event does. */
    public long quietMs;
    /** Kind of the resolving event (fulfilment, refund). */
    public String resolverKind;

    public PatternSignal() {}

    public String scopeValue(String name) {
        for (int i = 0; i < scopeNames.length; i++) {
            if (scopeNames[i].equals(name)) {
                return scopeValues[i];
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return (type == MATCH ? "MATCH " : "RESOLVER ") + key + " @" + time + " n=" + count + " "
                + Arrays.toString(eventIds);
    }
}
