package io.paywatch.model;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * One message of the control topic ({@code --control-topic}): a live change of the rules,
 * written as a fragment of the rules file plus an id.
 *
 * <pre>
 * {"change_id": "chg-42", "failure_rate": {"overrides": {"merchant_id": {"m-17": {"warning": 0.5}}}}}
 * {"change_id": "chg-43", "failure_rate": {"overrides": {"merchant_id": {"m-17": null}}}}
 * {"change_id": "mw-7", "silences": [{"channel": "wallet", "from": "…", "to": "…", "reason": "…"}]}
 * </pre>
 *
 * <p>Only what can change without touching state changes live: the thresholds of
 * {@code failure_rate} per merchant or channel ({@code min_volume}, {@code warning},
 * {@code critical}, {@code resolve_below}, {@code deescalate_below}, {@code measure}; fields given apply on top of
 * the rules file's settings for that key, {@code null} returns the key to them) and silences
 * (a silence sent again with the same scope and {@code from} replaces the earlier one, so a
 * maintenance is ended early by re-sending it with an earlier {@code to}). Windows and the
 * pattern rules are compiled into state and CEP patterns: they change in the rules file, with a
 * restart from a savepoint. Every error names the key, like the rules file's.
 */
public final class RuleChange implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Larger control messages are refused: a rules change is a few hundred bytes. */
    public static final int MAX_BYTES = 64 * 1024;

    private static final Pattern CHANGE_ID = Pattern.compile("[A-Za-z0-9._:@/-]{1,128}");
    private static final Set<String> LIVE_FIELDS =
            Set.of("min_volume", "warning", "critical", "resolve_below", "deescalate_below", "measure");

    private static final Set<String> LIVE_ANOMALY_FIELDS =
            Set.of("min_baseline_volume", "min_volume", "confidence", "min_increase", "measure");
    private static final Set<String> LIVE_DROP_FIELDS =
            Set.of("min_baseline", "drop_to", "resolve_above", "warmup");

    /**
     * One per-key override of an adaptive rule ({@code failure_rate_anomaly} or
     * {@code traffic_drop}): the settings now in force, or null (back to the file's).
     */
    public static final class AdaptiveOverride implements Serializable {
        private static final long serialVersionUID = 1L;

        public final String rule;
        public final String scope;
        public final String key;
        /** For {@code failure_rate_anomaly}: the settings, or null. */
        public final AnomalySettings anomaly;
        /** For {@code traffic_drop}: the settings, or null. */
        public final TrafficDropSettings drop;

        AdaptiveOverride(String rule, String scope, String key, AnomalySettings anomaly, TrafficDropSettings drop) {
            this.rule = rule;
            this.scope = scope;
            this.key = key;
            this.anomaly = anomaly;
            this.drop = drop;
        }

        public String stateKey() {
            return Override.stateKey(scope, key);
        }

        public boolean backToFile() {
            return anomaly == null && drop == null;
        }
    }

    /** One per-key failure-rate override: the settings now in force, or null (back to the file's). */
    public static final class Override implements Serializable {
        private static final long serialVersionUID = 1L;

        public final String scope;
        public final String key;
        public final FailureRateSettings settings;
        /**
         * What the key pages on while the override is in force (the message's {@code measure},
         * else the rules file's for the key); null with {@code settings} (back to the file's).
         */
        public final Measure measure;

        Override(String scope, String key, FailureRateSettings settings, Measure measure) {
            this.scope = scope;
            this.key = key;
            this.settings = settings;
            this.measure = measure;
        }

        /** The broadcast-state key: {@code merchant_id=m-17}. */
        public String stateKey() {
            return stateKey(scope, key);
        }

        public static String stateKey(String scope, String key) {
            return scope + "=" + key;
        }
    }

    public final String changeId;
    /** When the change was made (the message's {@code at}, else its Kafka timestamp), epoch ms. */
    public final long at;
    public final List<Override> overrides;
    public final List<Silence> silences;
    /** Live overrides of the adaptive rules' thresholds (version 2). */
    public final List<AdaptiveOverride> adaptiveOverrides;
    /** What changed, in words, for the {@code info} alert that echoes it. */
    public final String description;

    private RuleChange(String changeId, long at, List<Override> overrides, List<Silence> silences,
            List<AdaptiveOverride> adaptiveOverrides, String description) {
        this.changeId = changeId;
        this.at = at;
        this.overrides = overrides;
        this.silences = silences;
        this.adaptiveOverrides = adaptiveOverrides;
        this.description = description;
    }

    /**
     * Parses a control message against the deployment's rules (the file's settings are the base
     * of a live override).
     *
     * @param recordTime the Kafka record's timestamp, used when the message has no {@code at}
     * @throws RuleSettings.RulesException naming the offending key
     */
    public static RuleChange parse(byte[] message, long recordTime, RuleSettings deployment) {
        String src = "control message";
        if (message == null || message.length == 0) {
            throw new RuleSettings.RulesException(src + ": empty");
        }
        if (message.length > MAX_BYTES) {
            throw new RuleSettings.RulesException(src + ": " + message.length + " bytes, more than "
                    + MAX_BYTES);
        }
        Object root;
        try {
            root = new Yaml(new SafeConstructor(new LoaderOptions()))
                    .load(new String(message, StandardCharsets.UTF_8));
        } catch (YAMLException e) {
            throw new RuleSettings.RulesException(src + ": not valid JSON");
        }
        if (!(root instanceof Map)) {
            throw new RuleSettings.RulesException(src + ": must be a JSON object");
        }
        Map<?, ?> top = (Map<?, ?>) root;
        for (Object k : top.keySet()) {
            if (!Set.of("change_id", "at", RuleSettings.FAILURE_RATE, RuleSettings.FAILURE_RATE_ANOMALY,
                    RuleSettings.TRAFFIC_DROP, "silences").contains(String.valueOf(k))) {
                throw new RuleSettings.RulesException(src + ": '" + k + "' cannot change live"
                        + " (live: failure_rate.overrides, failure_rate_anomaly.overrides,"
                        + " traffic_drop.overrides, silences; the rest is in the rules file"
                        + " and changes with a restart from a savepoint)");
            }
        }
        Object id = top.get("change_id");
        if (id == null || !CHANGE_ID.matcher(String.valueOf(id)).matches()) {
            throw new RuleSettings.RulesException(src + ": change_id is required (letters, digits,"
                    + " . _ : @ / -, at most 128)");
        }
        String changeId = String.valueOf(id);
        src = "control message " + changeId;
        long at = recordTime;
        if (top.get("at") != null) {
            try {
                at = java.time.OffsetDateTime.parse(String.valueOf(top.get("at"))).toInstant().toEpochMilli();
            } catch (java.time.format.DateTimeParseException e) {
                throw new RuleSettings.RulesException(src + ": at must be an RFC 3339 time, got '"
                        + top.get("at") + "'");
            }
        }

        List<Override> overrides = new ArrayList<>();
        List<String> words = new ArrayList<>();
        Object fr = top.get(RuleSettings.FAILURE_RATE);
        if (fr != null) {
            if (!(fr instanceof Map) || ((Map<?, ?>) fr).size() != 1 || !((Map<?, ?>) fr).containsKey("overrides")) {
                throw new RuleSettings.RulesException(src + ": failure_rate may hold only 'overrides'"
                        + " (the deployment-wide settings and the window change in the rules file)");
            }
            String where = src; // (captured below)
            eachOverride(RuleSettings.FAILURE_RATE, ((Map<?, ?>) fr).get("overrides"), LIVE_FIELDS, src,
                    (scopeName, key, fields, path) -> {
                if (fields == null) {
                    overrides.add(new Override(scopeName, key, null, null));
                    words.add("failure_rate " + scopeName + "=" + key + " back to the rules file");
                    return;
                }
                FailureRateSettings s = RuleSettings.failureRateOverride(
                        deployment.failureRateFor(scopeName, key), fields, where, path);
                Measure m = RuleSettings.measure(fields,
                        deployment.failureRateMeasureFor(scopeName, key), where, path);
                overrides.add(new Override(scopeName, key, s, m));
                words.add("failure_rate " + scopeName + "=" + key + " min_volume " + s.minVolume
                        + ", warning " + s.warning + ", critical " + s.critical
                        + ", resolve_below " + s.resolveBelow + ", measure " + m.wireName());
            });
        }
        List<AdaptiveOverride> adaptive = new ArrayList<>();
        for (String rule : List.of(RuleSettings.FAILURE_RATE_ANOMALY, RuleSettings.TRAFFIC_DROP)) {
            Object section = top.get(rule);
            if (section == null) {
                continue;
            }
            if (!deployment.enabled(rule)) {
                throw new RuleSettings.RulesException(src + ": " + rule + " is switched off in the rules"
                        + " file; switch it on there (enabled: true) before changing it live");
            }
            adaptiveOverrides(rule, section, src, deployment, adaptive, words);
        }
        List<Silence> silences = Silence.parseAll(top.get("silences"), src);
        for (Silence s : silences) {
            words.add("silence " + s.scopeKey + "=" + s.value + " " + Timestamps.rfc3339(s.fromMs)
                    + " to " + Timestamps.rfc3339(s.toMs) + " (" + s.reason + ")");
        }
        if (words.isEmpty()) {
            throw new RuleSettings.RulesException(src + ": changes nothing (give failure_rate.overrides,"
                    + " failure_rate_anomaly.overrides, traffic_drop.overrides or silences)");
        }
        // plain lists: the change travels through Flink's (Kryo) serializer
        return new RuleChange(changeId, at, new ArrayList<>(overrides), new ArrayList<>(silences),
                new ArrayList<>(adaptive), String.join("; ", words));
    }

    private static void adaptiveOverrides(String rule, Object section, String src, RuleSettings deployment,
            List<AdaptiveOverride> out, List<String> words) {
        if (!(section instanceof Map) || ((Map<?, ?>) section).size() != 1
                || !((Map<?, ?>) section).containsKey("overrides")) {
            throw new RuleSettings.RulesException(src + ": " + rule + " may hold only 'overrides'"
                    + " (the deployment-wide settings change in the rules file)");
        }
        boolean drop = rule.equals(RuleSettings.TRAFFIC_DROP);
        eachOverride(rule, ((Map<?, ?>) section).get("overrides"), drop ? LIVE_DROP_FIELDS : LIVE_ANOMALY_FIELDS,
                src, (scopeName, key, fields, path) -> {
                    if (fields == null) {
                        out.add(new AdaptiveOverride(rule, scopeName, key, null, null));
                        words.add(rule + " " + scopeName + "=" + key + " back to the rules file");
                    } else if (drop) {
                        TrafficDropSettings d = RuleSettings.trafficDropOverride(
                                deployment.trafficDropFor(scopeName, key), fields, src, path);
                        out.add(new AdaptiveOverride(rule, scopeName, key, null, d));
                        words.add(rule + " " + scopeName + "=" + key + " min_baseline " + d.minBaseline
                                + ", drop_to " + d.dropTo + ", resolve_above " + d.resolveAbove);
                    } else {
                        AnomalySettings an = RuleSettings.anomalyOverride(
                                deployment.anomalyFor(scopeName, key), fields, src, path);
                        out.add(new AdaptiveOverride(rule, scopeName, key, an, null));
                        words.add(rule + " " + scopeName + "=" + key + " min_volume " + an.minVolume
                                + ", confidence " + an.confidence + ", min_increase " + an.minIncrease
                                + ", measure " + an.measure.wireName());
                    }
                });
    }

    /** One per-key override of a rule: its fields, or null (back to the rules file's). */
    private interface KeyOverride {
        void accept(String scope, String key, Map<String, Object> fields, String path);
    }

    /**
     * Walks a rule's {@code overrides} (scope → key → fields or null), refusing, with the key
     * named, an unknown scope, a non-mapping and any field not in {@code live}.
     */
    private static void eachOverride(String rule, Object overrides, Set<String> live, String src,
            KeyOverride visitor) {
        if (!(overrides instanceof Map)) {
            throw new RuleSettings.RulesException(src + ": " + rule + ".overrides must be a mapping");
        }
        for (Map.Entry<?, ?> scope : ((Map<?, ?>) overrides).entrySet()) {
            String scopeName = String.valueOf(scope.getKey());
            if (!scopeName.equals(RuleSettings.SCOPE_MERCHANT) && !scopeName.equals(RuleSettings.SCOPE_CHANNEL)) {
                throw new RuleSettings.RulesException(src + ": unknown scope '" + rule + ".overrides."
                        + scopeName + "' (known: merchant_id, channel)");
            }
            if (!(scope.getValue() instanceof Map)) {
                throw new RuleSettings.RulesException(src + ": " + rule + ".overrides." + scopeName
                        + " must be a mapping of keys to settings");
            }
            for (Map.Entry<?, ?> k : ((Map<?, ?>) scope.getValue()).entrySet()) {
                String key = String.valueOf(k.getKey());
                String path = rule + ".overrides." + scopeName + "." + key;
                if (k.getValue() == null) {
                    visitor.accept(scopeName, key, null, path);
                    continue;
                }
                if (!(k.getValue() instanceof Map)) {
                    throw new RuleSettings.RulesException(src + ": " + path + " must be a mapping or null");
                }
                @SuppressWarnings("unchecked")
                Map<String, Object> fields = (Map<String, Object>) k.getValue();
                for (String f : fields.keySet()) {
                    if (!live.contains(f)) {
                        throw new RuleSettings.RulesException(src + ": '" + path + "." + f
                                + "' cannot change live (live: " + String.join(", ", new java.util.TreeSet<>(live)) + ")");
                    }
                }
                visitor.accept(scopeName, key, fields, path);
            }
        }
    }
}
