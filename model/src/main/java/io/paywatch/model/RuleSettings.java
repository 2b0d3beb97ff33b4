package io.paywatch.model;

import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * All rule parameters of a deployment (contract section 3): the defaults, overridden by a
 * rules file, with per-merchant and per-channel overrides. Immutable and serialisable so that
 * Flink functions can carry it.
 */
public final class RuleSettings implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final String FAILURE_RATE = "failure_rate";
    public static final String TIMEOUT_BURST = "timeout_burst";
    public static final String RISK_BLOCK = "risk_block";
    public static final String CHARGED_UNFULFILLED = "charged_unfulfilled";
    public static final String FAILED_BUT_CHARGED = "failed_but_charged";

    public static final String SCOPE_MERCHANT = "merchant_id";
    public static final String SCOPE_CHANNEL = "channel";

    private static final Set<String> FAILURE_RATE_KEYS =
            Set.of("window", "every", "min_volume", "warning", "critical", "resolve_below",
                    "deescalate_below");
    private static final Map<String, Set<String>> PATTERN_KEYS =
            Map.of(
                    TIMEOUT_BURST, Set.of("count", "within", "quiet"),
                    RISK_BLOCK, Set.of("count", "within", "quiet", "keys"),
                    CHARGED_UNFULFILLED, Set.of("within"),
                    FAILED_BUT_CHARGED, Set.of("within"));

    private final FailureRateSettings failureRate;
    private final Map<String, Map<String, FailureRateSettings>> failureRateOverrides;
    private final Map<String, PatternRuleSettings> patterns;
    private final Map<String, Map<String, Map<String, PatternRuleSettings>>> patternOverrides;
    private final List<String> riskBlockKeys;

    private RuleSettings(
            FailureRateSettings failureRate,
            Map<String, Map<String, FailureRateSettings>> failureRateOverrides,
            Map<String, PatternRuleSettings> patterns,
            Map<String, Map<String, Map<String, PatternRuleSettings>>> patternOverrides,
            List<String> riskBlockKeys) {
        this.riskBlockKeys = riskBlockKeys;
        this.failureRate = failureRate;
        this.failureRateOverrides = failureRateOverrides;
        this.patterns = patterns;
        this.patternOverrides = patternOverrides;
    }

    public static RuleSettings defaults() {
        return parseYaml("{}", "defaults");
    }

    public static RuleSettings load(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new RulesException(file + ": cannot read the rules file (" + e.getMessage() + ")");
        }
        return parseYaml(text, file.toString());
    }

    /** Parses a rules file; every error names the file and the offending key. */
    public static RuleSettings parseYaml(String yamlText, String sourceName) {
        Object root;
        try {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).load(yamlText);
        } catch (YAMLException e) {
            throw new RulesException(sourceName + ": not valid YAML: " + firstLine(e.getMessage()));
        }
        if (root == null) {
            root = Map.of();
        }
        Map<String, Object> top = asMap(root, sourceName, "(top level)");
        for (String key : top.keySet()) {
            if (!key.equals(FAILURE_RATE) && !PATTERN_KEYS.containsKey(key) && !key.equals("silences")
                    && !key.equals(NOTIFICATIONS)) {
                throw new RulesException(sourceName + ": unknown rule '" + key + "' (known: "
                        + FAILURE_RATE + ", " + TIMEOUT_BURST + ", " + RISK_BLOCK + ", "
                        + CHARGED_UNFULFILLED + ", " + FAILED_BUT_CHARGED + ", silences, "
                        + NOTIFICATIONS + ")");
            }
        }

        java.util.Set<String> disabled = new java.util.TreeSet<>();
        Map<String, Object> fr = ruleSection(top, FAILURE_RATE, sourceName, disabled);
        FailureRateSettings frBase =
                failureRate(FailureRateSettings.defaults(), fr, sourceName, FAILURE_RATE, true);
        Map<String, Map<String, FailureRateSettings>> frOverrides = new LinkedHashMap<>();
        Map<String, Map<String, Object>> frOverrideSections =
                overridesOf(fr, sourceName, FAILURE_RATE);
        for (Map.Entry<String, Map<String, Object>> scope : frOverrideSections.entrySet()) {
            Map<String, FailureRateSettings> byKey = new LinkedHashMap<>();
            for (Map.Entry<String, Object> k : scope.getValue().entrySet()) {
                String path = FAILURE_RATE + ".overrides." + scope.getKey() + "." + k.getKey();
                Map<String, Object> fields = asMap(k.getValue(), sourceName, path);
                byKey.put(k.getKey(), failureRate(frBase, fields, sourceName, path, false));
            }
            frOverrides.put(scope.getKey(), Collections.unmodifiableMap(byKey));
        }

        Map<String, PatternRuleSettings> patterns = new LinkedHashMap<>();
        Map<String, Map<String, Map<String, PatternRuleSettings>>> patternOverrides =
                new LinkedHashMap<>();
        for (String rule : List.of(TIMEOUT_BURST, RISK_BLOCK, CHARGED_UNFULFILLED, FAILED_BUT_CHARGED)) {
            Map<String, Object> section = ruleSection(top, rule, sourceName, disabled);
            PatternRuleSettings base = pattern(rule, defaultPattern(rule), section, sourceName, rule, true);
            patterns.put(rule, base);
            Map<String, Map<String, PatternRuleSettings>> ov = new LinkedHashMap<>();
            for (Map.Entry<String, Map<String, Object>> scope :
                    overridesOf(section, sourceName, rule).entrySet()) {
                Map<String, PatternRuleSettings> byKey = new LinkedHashMap<>();
                for (Map.Entry<String, Object> k : scope.getValue().entrySet()) {
                    String path = rule + ".overrides." + scope.getKey() + "." + k.getKey();
                    byKey.put(k.getKey(), pattern(rule, base, asMap(k.getValue(), sourceName, path),
                            sourceName, path, false));
                }
                ov.put(scope.getKey(), Collections.unmodifiableMap(byKey));
            }
            patternOverrides.put(rule, Collections.unmodifiableMap(ov));
        }
        List<String> riskKeys = List.of("card_fingerprint");
        Object keys = sectionOf(top, RISK_BLOCK, sourceName).get("keys");
        if (keys != null) {
            if (!(keys instanceof List) || ((List<?>) keys).isEmpty()) {
                throw new RulesException(sourceName + ": risk_block.keys must be a list of"
                        + " card_fingerprint, user_id, device_id");
            }
            List<String> parsed = new java.util.ArrayList<>();
            for (Object k : (List<?>) keys) {
                String name = String.valueOf(k);
                if (!Set.of("card_fingerprint", "user_id", "device_id").contains(name)) {
                    throw new RulesException(sourceName + ": risk_block.keys: unknown key '" + name
                            + "' (known: card_fingerprint, user_id, device_id)");
                }
                if (!parsed.contains(name)) {
                    parsed.add(name);
                }
            }
            riskKeys = List.copyOf(parsed);
        }
        RuleSettings r = new RuleSettings(
                frBase,
                Collections.unmodifiableMap(frOverrides),
                Collections.unmodifiableMap(patterns),
                Collections.unmodifiableMap(patternOverrides),
                riskKeys);
        r.disabled = java.util.Collections.unmodifiableSet(disabled);
        r.silences = Silence.parseAll(top.get("silences"), sourceName);
        r.notifications = notifications(sectionOf(top, NOTIFICATIONS, sourceName), sourceName);
        return r;
    }

    /** Section of the rules file for the alert lifecycle beyond the contract's defaults. */
    public static final String NOTIFICATIONS = "notifications";

    private NotificationSettings notifications = NotificationSettings.OFF;

    /** Re-notify interval and flapping detection; both off unless the rules file sets them. */
    public NotificationSettings notifications() {
        return notifications;
    }

    private static NotificationSettings notifications(Map<String, Object> n, String src) {
        checkKeys(n, Set.of("renotify_every", "flapping_changes", "flapping_window"), false, src,
                NOTIFICATIONS);
        long renotify = n.containsKey("renotify_every") && !"0".equals(String.valueOf(n.get("renotify_every")))
                ? duration(n.get("renotify_every"), src, NOTIFICATIONS + ".renotify_every") : 0;
        int changes = 0;
        if (n.containsKey("flapping_changes") && !"0".equals(String.valueOf(n.get("flapping_changes")))) {
            changes = positiveInt(n.get("flapping_changes"), src, NOTIFICATIONS + ".flapping_changes");
            if (changes < 3) {
                throw new RulesException(src + ": " + NOTIFICATIONS + ".flapping_changes must be 0 (off)"
                        + " or at least 3 (a firing and its resolve are 2 changes)");
            }
        }
        long window = n.containsKey("flapping_window")
                ? duration(n.get("flapping_window"), src, NOTIFICATIONS + ".flapping_window") : 1_800_000;
        if (renotify != 0 && renotify < 60_000) {
            throw new RulesException(src + ": " + NOTIFICATIONS + ".renotify_every must be 0 (off) or"
                    + " at least 1m");
        }
        return new NotificationSettings(renotify, changes, window);
    }

    private List<Silence> silences = List.of();

    /** Rules switched off with {@code enabled: false} (contract section 3b). */
    private Set<String> disabled = Set.of();

    /**
     * Whether a rule is switched on. A switched-off pattern rule's operators are not built at
     * all; with {@code failure_rate} off, the rate operators still compute the metrics but
     * evaluate no rule.
     */
    public boolean enabled(String rule) {
        return !disabled.contains(rule);
    }

    /** Whether any of the four pattern rules is switched on. */
    public boolean anyPatternEnabled() {
        for (String rule : PATTERN_KEYS.keySet()) {
            if (enabled(rule)) {
                return true;
            }
        }
        return false;
    }

    /** Planned maintenance windows: their alerts are recorded, marked silenced, and not paged. */
    public List<Silence> silences() {
        return silences;
    }

    /** What {@code risk_block} is keyed by: card_fingerprint by default, user_id and device_id as variants. */
    public List<String> riskBlockKeys() {
        return riskBlockKeys;
    }

    /** The distinct settings of a pattern rule: the rule's own and those of its overrides. */
    public java.util.Set<PatternRuleSettings> patternVariants(String rule) {
        java.util.Set<PatternRuleSettings> out = new java.util.LinkedHashSet<>();
        out.add(patterns.get(rule));
        for (Map<String, PatternRuleSettings> byKey : patternOverrides.get(rule).values()) {
            out.addAll(byKey.values());
        }
        return out;
    }

    /** The deployment-wide failure-rate parameters. */
    public FailureRateSettings failureRate() {
        return failureRate;
    }

    /** Failure-rate parameters for one scope key, e.g. ({@code merchant_id}, {@code m-17}). */
    public FailureRateSettings failureRateFor(String scope, String key) {
        Map<String, FailureRateSettings> byKey = failureRateOverrides.get(scope);
        FailureRateSettings s = byKey == null ? null : byKey.get(key);
        return s == null ? failureRate : s;
    }

    public PatternRuleSettings pattern(String rule) {
        return patterns.get(rule);
    }

    /** Pattern parameters for a merchant and channel: a merchant override wins over a channel one. */
    public PatternRuleSettings patternFor(String rule, String merchantId, String channel) {
        Map<String, Map<String, PatternRuleSettings>> ov = patternOverrides.get(rule);
        if (merchantId != null && ov.containsKey(SCOPE_MERCHANT)) {
            PatternRuleSettings s = ov.get(SCOPE_MERCHANT).get(merchantId);
            if (s != null) {
                return s;
            }
        }
        if (channel != null && ov.containsKey(SCOPE_CHANNEL)) {
            PatternRuleSettings s = ov.get(SCOPE_CHANNEL).get(channel);
            if (s != null) {
                return s;
            }
        }
        return patterns.get(rule);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof RuleSettings)) {
            return false;
        }
        RuleSettings r = (RuleSettings) o;
        return failureRate.equals(r.failureRate)
                && failureRateOverrides.equals(r.failureRateOverrides)
                && patterns.equals(r.patterns)
                && patternOverrides.equals(r.patternOverrides)
                && riskBlockKeys.equals(r.riskBlockKeys)
                && silences.equals(r.silences)
                && disabled.equals(r.disabled);
    }

    @Override
    public int hashCode() {
        return failureRate.hashCode() * 31 + patterns.hashCode();
    }

    @Override
    public String toString() {
        return failureRate + " overrides=" + failureRateOverrides + " patterns=" + patterns
                + " pattern_overrides=" + patternOverrides;
    }

    // ---- parsing helpers -------------------------------------------------------------------

    private static PatternRuleSettings defaultPattern(String rule) {
        switch (rule) {
            case TIMEOUT_BURST:
                return new PatternRuleSettings(10, 60_000, 300_000);
            case RISK_BLOCK:
                return new PatternRuleSettings(3, 600_000, 1_800_000);
            case CHARGED_UNFULFILLED:
                return new PatternRuleSettings(0, 900_000, 0);
            case FAILED_BUT_CHARGED:
                return new PatternRuleSettings(0, 600_000, 0);
            default:
                throw new IllegalArgumentException(rule);
        }
    }

    /** One per-key override on top of {@code base}, checked as the rules file's are (control topic). */
    static FailureRateSettings failureRateOverride(FailureRateSettings base, Map<String, Object> fields,
            String src, String path) {
        return failureRate(base, fields, src, path, false);
    }

    private static FailureRateSettings failureRate(
            FailureRateSettings base, Map<String, Object> fields, String src, String path,
            boolean allowOverrides) {
        checkKeys(fields, FAILURE_RATE_KEYS, allowOverrides, src, path);
        long window = fields.containsKey("window")
                ? duration(fields.get("window"), src, path + ".window") : base.windowMs;
        long every = fields.containsKey("every")
                ? duration(fields.get("every"), src, path + ".every") : base.everyMs;
        int minVolume = fields.containsKey("min_volume")
                ? positiveInt(fields.get("min_volume"), src, path + ".min_volume") : base.minVolume;
        double warning = fields.containsKey("warning")
                ? fraction(fields.get("warning"), src, path + ".warning") : base.warning;
        double critical = fields.containsKey("critical")
                ? fraction(fields.get("critical"), src, path + ".critical") : base.critical;
        double resolveBelow = fields.containsKey("resolve_below")
                ? fraction(fields.get("resolve_below"), src, path + ".resolve_below")
                : base.resolveBelow;
        double deescalate = fields.containsKey("deescalate_below")
                ? fraction(fields.get("deescalate_below"), src, path + ".deescalate_below")
                : round6(critical - (warning - resolveBelow));
        if (every < 100 || window % every != 0 || window / every > 10_000) {
            throw new RulesException(src + ": " + path + ".window must be a whole multiple of "
                    + path + ".every (got window " + Durations.format(window) + ", every "
                    + Durations.format(every) + ")");
        }
        if (!(resolveBelow <= warning && warning <= critical)) {
            throw new RulesException(src + ": " + path + ": need resolve_below <= warning <= critical"
                    + " (got " + resolveBelow + ", " + warning + ", " + critical + ")");
        }
        if (!(deescalate <= critical && deescalate >= resolveBelow)) {
            throw new RulesException(src + ": " + path + ".deescalate_below must lie between"
                    + " resolve_below and critical (got " + deescalate + ")");
        }
        return new FailureRateSettings(window, every, minVolume, warning, critical, resolveBelow,
                deescalate);
    }

    private static PatternRuleSettings pattern(
            String rule, PatternRuleSettings base, Map<String, Object> fields, String src,
            String path, boolean allowOverrides) {
        java.util.Set<String> allowed = new java.util.HashSet<>(PATTERN_KEYS.get(rule));
        if (!allowOverrides) {
            allowed.remove("keys"); // the keys of a rule are not per merchant
        }
        checkKeys(fields, allowed, allowOverrides, src, path);
        int count = fields.containsKey("count")
                ? positiveInt(fields.get("count"), src, path + ".count") : base.count;
        long within = fields.containsKey("within")
                ? duration(fields.get("within"), src, path + ".within") : base.withinMs;
        long quiet = fields.containsKey("quiet")
                ? duration(fields.get("quiet"), src, path + ".quiet") : base.quietMs;
        if (within <= 0) {
            throw new RulesException(src + ": " + path + ".within must be positive");
        }
        return new PatternRuleSettings(count, within, quiet);
    }

    private static void checkKeys(Map<String, Object> fields, Set<String> allowed,
            boolean allowOverrides, String src, String path) {
        for (String key : fields.keySet()) {
            if (!allowed.contains(key) && !(allowOverrides && key.equals("overrides"))) {
                throw new RulesException(src + ": unknown key '" + path + "." + key + "' (known: "
                        + String.join(", ", new java.util.TreeSet<>(allowed))
                        + (allowOverrides ? ", enabled, overrides" : "") + ")");
            }
        }
    }

    private static Map<String, Map<String, Object>> overridesOf(
            Map<String, Object> section, String src, String rule) {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        if (!section.containsKey("overrides")) {
            return out;
        }
        Map<String, Object> ov = asMap(section.get("overrides"), src, rule + ".overrides");
        for (Map.Entry<String, Object> e : ov.entrySet()) {
            if (!e.getKey().equals(SCOPE_MERCHANT) && !e.getKey().equals(SCOPE_CHANNEL)) {
                throw new RulesException(src + ": unknown key '" + rule + ".overrides." + e.getKey()
                        + "' (known: merchant_id, channel)");
            }
            out.put(e.getKey(), asMap(e.getValue(), src, rule + ".overrides." + e.getKey()));
        }
        return out;
    }

    /**
     * A rule's section without its {@code enabled} switch, which is recorded in {@code disabled}:
     * the switch is per rule, not per merchant or channel, so it is not a key of the overrides.
     */
    private static Map<String, Object> ruleSection(Map<String, Object> top, String rule, String src,
            java.util.Set<String> disabled) {
        Map<String, Object> section = new LinkedHashMap<>(sectionOf(top, rule, src));
        if (section.containsKey("enabled")) {
            Object v = section.remove("enabled");
            if (!(v instanceof Boolean)) {
                throw new RulesException(src + ": " + rule + ".enabled must be true or false, got '" + v + "'");
            }
            if (!(Boolean) v) {
                disabled.add(rule);
            }
        }
        return section;
    }

    private static Map<String, Object> sectionOf(Map<String, Object> top, String rule, String src) {
        Object v = top.get(rule);
        return v == null ? Map.of() : asMap(v, src, rule);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object v, String src, String path) {
        if (!(v instanceof Map)) {
            throw new RulesException(src + ": " + path + " must be a mapping, got '" + v + "'");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<Object, Object> e : ((Map<Object, Object>) v).entrySet()) {
            out.put(String.valueOf(e.getKey()), e.getValue());
        }
        return out;
    }

    private static long duration(Object v, String src, String path) {
        try {
            long ms = Durations.parseMillis(String.valueOf(v));
            if (ms <= 0) {
                throw new IllegalArgumentException("must be positive");
            }
            return ms;
        } catch (IllegalArgumentException e) {
            throw new RulesException(src + ": " + path + ": " + e.getMessage());
        }
    }

    private static int positiveInt(Object v, String src, String path) {
        if (v instanceof Integer && (Integer) v >= 1) {
            return (Integer) v;
        }
        throw new RulesException(src + ": " + path + " must be a whole number >= 1, got '" + v + "'");
    }

    private static double fraction(Object v, String src, String path) {
        if (v instanceof Number) {
            double d = ((Number) v).doubleValue();
            if (d >= 0 && d <= 1) {
                return d;
            }
        }
        throw new RulesException(src + ": " + path + " must be a number between 0 and 1, got '" + v + "'");
    }

    private static double round6(double d) {
        return Math.round(d * 1e6) / 1e6;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** A rules file that cannot be used; the message names the file and the key. */
    public static final class RulesException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        public RulesException(String message) {
            super(message);
        }
    }
}
