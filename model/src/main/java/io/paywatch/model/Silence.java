package io.paywatch.model;

import java.io.Serializable;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A planned maintenance window of a channel or merchant (rules file, {@code silences:}): alerts of
 * that scope that start inside the window are silenced — written to the alerts file and InfluxDB
 * marked as such, but not paged.
 *
 * <pre>
 * silences:
 *   - {channel: wallet, from: 2026-11-23T02:00:00Z, to: 2026-11-23T03:00:00Z, reason: provider maintenance}
 * </pre>
 */
public final class Silence implements Serializable {
    private static final long serialVersionUID = 1L;

    /** {@code channel} or {@code merchant_id}. */
    public final String scopeKey;
    public final String value;
    public final long fromMs;
    public final long toMs;
    public final String reason;

    public Silence(String scopeKey, String value, long fromMs, long toMs, String reason) {
        this.scopeKey = scopeKey;
        this.value = value;
        this.fromMs = fromMs;
        this.toMs = toMs;
        this.reason = reason;
    }

    /** Whether an alert of this scope, at this event time, falls under the silence. */
    public boolean covers(Map<String, String> scope, long time) {
        return value.equals(scope.get(scopeKey)) && time >= fromMs && time < toMs;
    }

    /** Identity of a live silence (control topic): the same scope and start replace it. */
    public String stateKey() {
        return scopeKey + "=" + value + "@" + fromMs;
    }

    static List<Silence> parseAll(Object section, String src) {
        if (section == null) {
            return List.of();
        }
        if (!(section instanceof List)) {
            throw new RuleSettings.RulesException(src + ": silences must be a list");
        }
        List<Silence> out = new ArrayList<>();
        int i = 0;
        for (Object o : (List<?>) section) {
            String path = "silences[" + i++ + "]";
            if (!(o instanceof Map)) {
                throw new RuleSettings.RulesException(src + ": " + path + " must be a mapping");
            }
            Map<?, ?> m = (Map<?, ?>) o;
            for (Object k : m.keySet()) {
                if (!Set.of("channel", "merchant_id", "from", "to", "reason").contains(String.valueOf(k))) {
                    throw new RuleSettings.RulesException(src + ": unknown key '" + path + "." + k
                            + "' (known: channel, merchant_id, from, to, reason)");
                }
            }
            boolean channel = m.containsKey("channel");
            if (channel == m.containsKey("merchant_id")) {
                throw new RuleSettings.RulesException(src + ": " + path + " needs one of channel or merchant_id");
            }
            String key = channel ? "channel" : "merchant_id";
            long from = time(m.get("from"), src, path + ".from");
            long to = time(m.get("to"), src, path + ".to");
            if (to <= from) {
                throw new RuleSettings.RulesException(src + ": " + path + ".to must be after .from");
            }
            Object reason = m.get("reason");
            out.add(new Silence(key, String.valueOf(m.get(key)), from, to,
                    reason == null ? "maintenance" : String.valueOf(reason)));
        }
        return Collections.unmodifiableList(out);
    }

    private static long time(Object v, String src, String path) {
        if (v == null) {
            throw new RuleSettings.RulesException(src + ": " + path + " is required");
        }
        if (v instanceof java.util.Date) {
            return ((java.util.Date) v).getTime(); // YAML reads unquoted timestamps as dates
        }
        try {
            return OffsetDateTime.parse(String.valueOf(v)).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new RuleSettings.RulesException(src + ": " + path + " must be an RFC 3339 time, got '" + v + "'");
        }
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Silence)) {
            return false;
        }
        Silence s = (Silence) o;
        return fromMs == s.fromMs && toMs == s.toMs && scopeKey.equals(s.scopeKey) && value.equals(s.value)
                && reason.equals(s.reason);
    }

    @Override
    public int hashCode() {
        return Objects.hash(scopeKey, value, fromMs, toMs);
    }
}
