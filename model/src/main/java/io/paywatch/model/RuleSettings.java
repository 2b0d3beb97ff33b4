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
    /** Version 2 (contract section 3b): off unless the rules file switches it on. */
    public static final String FAILURE_RATE_ANOMALY = "failure_rate_anomaly";
    /** Version 2 (contract section 3b): off unless the rules file switches it on. */
    public static final String TRAFFIC_DROP = "traffic_drop";

    public static final String SCOPE_MERCHANT = "merchant_id";
    public static final String SCOPE_CHANNEL = "channel";

    private static final Set<String> FAILURE_RATE_KEYS =
            Set.of("window", "every", "min_volume", "warning", "critical", "resolve_below",
                    "deescalate_below", "measure");
    private static final Set<String> ANOMALY_KEYS = Set.of("baseline", "min_baseline_volume",
            "min_volume", "confidence", "min_increase", "measure");
    private static final Set<String> TRAFFIC_DROP_KEYS = Set.of("window", "every", "baseline",
            "warmup", "min_baseline", "drop_to", "resolve_above");
    /** The longest baseline a rules file may ask for: minute slots are kept per key. */
    public static final long MAX_BASELINE_MS = 6 * 3_600_000L;
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
                    && !key.equals(NOTIFICATIONS) && !key.equals(FAILURE_RATE_ANOMALY)
                    && !key.equals(TRAFFIC_DROP)) {
                throw new RulesException(sourceName + ": unknown rule '" + key + "' (known: "
                        + FAILURE_RATE + ", " + FAILURE_RATE_ANOMALY + ", " + TRAFFIC_DROP + ", "
                        + TIMEOUT_BURST + ", " + RISK_BLOCK + ", "
                        + CHARGED_UNFULFILLED + ", " + FAILED_BUT_CHARGED + ", silences, "
                        + NOTIFICATIONS + ")");
            }
        }

        java.util.Set<String> disabled = new java.util.TreeSet<>();
        Map<String, Object> fr = ruleSection(top, FAILURE_RATE, sourceName, disabled, true);
        FailureRateSettings frBase =
                failureRate(FailureRateSettings.defaults(), fr, sourceName, FAILURE_RATE, true);
        Measure frMeasure = measure(fr, Measure.FAILURE_RATE, sourceName, FAILURE_RATE);
        Map<String, Map<String, FailureRateSettings>> frOverrides = new LinkedHashMap<>();
        Map<String, Map<String, Measure>> frMeasures = new LinkedHashMap<>();
        Map<String, Map<String, Object>> frOverrideSections =
                overridesOf(fr, sourceName, FAILURE_RATE);
        for (Map.Entry<String, Map<String, Object>> scope : frOverrideSections.entrySet()) {
            Map<String, FailureRateSettings> byKey = new LinkedHashMap<>();
            Map<String, Measure> measures = new LinkedHashMap<>();
            for (Map.Entry<String, Object> k : scope.getValue().entrySet()) {
                String path = FAILURE_RATE + ".overrides." + scope.getKey() + "." + k.getKey();
                Map<String, Object> fields = asMap(k.getValue(), sourceName, path);
                byKey.put(k.getKey(), failureRate(frBase, fields, sourceName, path, false));
                if (fields.containsKey("measure")) {
                    measures.put(k.getKey(), measure(fields, frMeasure, sourceName, path));
                }
            }
            frOverrides.put(scope.getKey(), Collections.unmodifiableMap(byKey));
            frMeasures.put(scope.getKey(), Collections.unmodifiableMap(measures));
        }

        // the adaptive rules (version 2) are off unless switched on
        Map<String, Object> an = ruleSection(top, FAILURE_RATE_ANOMALY, sourceName, disabled, false);
        AnomalySettings anBase = anomaly(AnomalySettings.defaults(), an, sourceName,
                FAILURE_RATE_ANOMALY, true);
        Map<String, Map<String, AnomalySettings>> anOverrides = overrides(an, sourceName,
                FAILURE_RATE_ANOMALY, (fields, path) -> anomaly(anBase, fields, sourceName, path, false));
        Map<String, Object> td = ruleSection(top, TRAFFIC_DROP, sourceName, disabled, false);
        TrafficDropSettings tdBase = trafficDrop(TrafficDropSettings.defaults(), td, sourceName,
                TRAFFIC_DROP, true);
        if (tdBase.everyMs < 100 || tdBase.windowMs % tdBase.everyMs != 0
                || tdBase.windowMs / tdBase.everyMs > 10_000) {
            throw new RulesException(sourceName + ": " + TRAFFIC_DROP + ".window must be a whole multiple of "
                    + TRAFFIC_DROP + ".every (got window " + Durations.format(tdBase.windowMs) + ", every "
                    + Durations.format(tdBase.everyMs) + ")");
        }
        Map<String, Map<String, TrafficDropSettings>> tdOverrides = overrides(td, sourceName,
                TRAFFIC_DROP, (fields, path) -> trafficDrop(tdBase, fields, sourceName, path, false));

        Map<String, PatternRuleSettings> patterns = new LinkedHashMap<>();
        Map<String, Map<String, Map<String, PatternRuleSettings>>> patternOverrides =
                new LinkedHashMap<>();
        for (String rule : List.of(TIMEOUT_BURST, RISK_BLOCK, CHARGED_UNFULFILLED, FAILED_BUT_CHARGED)) {
            Map<String, Object> section = ruleSection(top, rule, sourceName, disabled, true);
            PatternRuleSettings base = pattern(rule, defaultPattern(rule), section, sourceName, rule, true);
            patterns.put(rule, base);
            patternOverrides.put(rule, overrides(section, sourceName, rule,
                    (fields, path) -> pattern(rule, base, fields, sourceName, path, false)));
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
        r.failureRateMeasure = frMeasure;
        r.failureRateMeasures = Collections.unmodifiableMap(frMeasures);
        r.anomaly = anBase;
        r.anomalyOverrides = anOverrides;
        r.trafficDrop = tdBase;
        r.trafficDropOverrides = tdOverrides;
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

    private Measure failureRateMeasure = Measure.FAILURE_RATE;
    private Map<String, Map<String, Measure>> failureRateMeasures = Map.of();
    private AnomalySettings anomaly = AnomalySettings.defaults();
    private Map<String, Map<String, AnomalySettings>> anomalyOverrides = Map.of();
    private TrafficDropSettings trafficDrop = TrafficDropSettings.defaults();
    private Map<String, Map<String, TrafficDropSettings>> trafficDropOverrides = Map.of();

    /** What {@code failure_rate} pages on for one scope key (contract section 3c). */
    public Measure failureRateMeasureFor(String scope, String key) {
        Map<String, Measure> byKey = failureRateMeasures.get(scope);
        Measure m = byKey == null ? null : byKey.get(key);
        return m == null ? failureRateMeasure : m;
    }

    /** {@code failure_rate_anomaly}'s parameters for one scope key. */
    public AnomalySettings anomalyFor(String scope, String key) {
        Map<String, AnomalySettings> byKey = anomalyOverrides.get(scope);
        AnomalySettings s = byKey == null ? null : byKey.get(key);
        return s == null ? anomaly : s;
    }

    /** {@code traffic_drop}'s parameters for one scope key. */
    public TrafficDropSettings trafficDropFor(String scope, String key) {
        Map<String, TrafficDropSettings> byKey = trafficDropOverrides.get(scope);
        TrafficDropSettings s = byKey == null ? null : byKey.get(key);
        return s == null ? trafficDrop : s;
    }

    /** Whether either adaptive rule is on: the rate operators then keep each key's history. */
    public boolean anyAdaptiveEnabled() {
        return enabled(FAILURE_RATE_ANOMALY) || enabled(TRAFFIC_DROP);
    }

    /**
     * The longest baseline of the adaptive rules switched on, over every override: how much
     * history (in minute slots) each key keeps.
     */
    public long longestBaselineMs() {
        long longest = 0;
        if (enabled(FAILURE_RATE_ANOMALY)) {
            longest = Math.max(longest, anomaly.baselineMs);
            for (Map<String, AnomalySettings> m : anomalyOverrides.values()) {
                for (AnomalySettings s : m.values()) {
                    longest = Math.max(longest, s.baselineMs);
                }
            }
        }
        if (enabled(TRAFFIC_DROP)) {
            longest = Math.max(longest, trafficDrop.baselineMs);
            for (Map<String, TrafficDropSettings> m : trafficDropOverrides.values()) {
                for (TrafficDropSettings s : m.values()) {
                    longest = Math.max(longest, s.baselineMs);
                }
            }
        }
        return longest;
    }

    /**
     * Whether {@code traffic_drop} is on and judged on windows other than {@code failure_rate}'s
     * for some key (its own {@code window} or {@code every}, or a key whose failure-rate window
     * is overridden): the job then runs it on rate operators of its own
     * ({@link #trafficDropAlone()}), and the others without it ({@link #withoutTrafficDrop()}).
     */
    public boolean trafficDropHasOwnWindows() {
        if (!enabled(TRAFFIC_DROP)) {
            return false;
        }
        if (!sameWindows(failureRate)) {
            return true;
        }
        for (Map<String, FailureRateSettings> byKey : failureRateOverrides.values()) {
            for (FailureRateSettings s : byKey.values()) {
                if (!sameWindows(s)) {
                    return true;
                }
            }
        }
        return false;
    }

    private boolean sameWindows(FailureRateSettings s) {
        return s.windowMs == trafficDrop.windowMs && s.everyMs == trafficDrop.everyMs;
    }

    /**
     * These rules with only {@code traffic_drop} on, its {@code window} and {@code every} as the
     * rate operators' (for every key): what its own rate operators run.
     */
    public RuleSettings trafficDropAlone() {
        FailureRateSettings f = failureRate;
        FailureRateSettings windows = new FailureRateSettings(trafficDrop.windowMs, trafficDrop.everyMs,
                f.minVolume, f.warning, f.critical, f.resolveBelow, f.deescalateBelow);
        Set<String> off = new java.util.TreeSet<>(List.of(FAILURE_RATE, FAILURE_RATE_ANOMALY,
                TIMEOUT_BURST, RISK_BLOCK, CHARGED_UNFULFILLED, FAILED_BUT_CHARGED));
        RuleSettings r = copy(windows, Map.of(), off);
        r.failureRateMeasures = Map.of();
        return r;
    }

    /** These rules with {@code traffic_drop} switched off (it runs on operators of its own). */
    public RuleSettings withoutTrafficDrop() {
        Set<String> off = new java.util.TreeSet<>(disabled);
        off.add(TRAFFIC_DROP);
        return copy(failureRate, failureRateOverrides, off);
    }

    private RuleSettings copy(FailureRateSettings fr, Map<String, Map<String, FailureRateSettings>> frOverrides,
            Set<String> off) {
        RuleSettings r = new RuleSettings(fr, frOverrides, patterns, patternOverrides, riskBlockKeys);
        r.disabled = java.util.Collections.unmodifiableSet(off);
        r.failureRateMeasure = failureRateMeasure;
        r.failureRateMeasures = failureRateMeasures;
        r.anomaly = anomaly;
        r.anomalyOverrides = anomalyOverrides;
        r.trafficDrop = trafficDrop;
        r.trafficDropOverrides = trafficDropOverrides;
        r.silences = silences;
        r.notifications = notifications;
        return r;
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
                && disabled.equals(r.disabled)
                && failureRateMeasure == r.failureRateMeasure
                && failureRateMeasures.equals(r.failureRateMeasures)
                && anomaly.equals(r.anomaly)
                && anomalyOverrides.equals(r.anomalyOverrides)
                && trafficDrop.equals(r.trafficDrop)
                && trafficDropOverrides.equals(r.trafficDropOverrides);
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

    /** A live {@code failure_rate_anomaly} override on top of {@code base} (control topic). */
    static AnomalySettings anomalyOverride(AnomalySettings base, Map<String, Object> fields, String src,
            String path) {
        return anomaly(base, fields, src, path, false);
    }

    /** A live {@code traffic_drop} override on top of {@code base} (control topic). */
    static TrafficDropSettings trafficDropOverride(TrafficDropSettings base, Map<String, Object> fields,
            String src, String path) {
        return trafficDrop(base, fields, src, path, false);
    }

    /** One per-key override on top of {@code base}, checked as the rules file's are (control topic). */
    static FailureRateSettings failureRateOverride(FailureRateSettings base, Map<String, Object> fields,
            String src, String path) {
        if (fields.containsKey("measure")) {
            // the measure is held apart from the thresholds (FailureRateSettings has none)
            fields = new java.util.LinkedHashMap<>(fields);
            fields.remove("measure");
        }
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

    /** The {@code measure} of {@code fields}, else {@code base}; an unknown one is refused, named. */
    static Measure measure(Map<String, Object> fields, Measure base, String src, String path) {
        if (!fields.containsKey("measure")) {
            return base;
        }
        Measure m = Measure.ofWireName(String.valueOf(fields.get("measure")));
        if (m == null) {
            throw new RulesException(src + ": " + path + ".measure must be failure_rate or"
                    + " system_failure_rate, got '" + fields.get("measure") + "'");
        }
        return m;
    }

    private static long baseline(Object v, String src, String path) {
        long ms = duration(v, src, path);
        if (ms % 60_000 != 0 || ms < 600_000 || ms > MAX_BASELINE_MS) {
            throw new RulesException(src + ": " + path + " must be whole minutes between 10m and "
                    + Durations.format(MAX_BASELINE_MS) + ", got '" + v + "'");
        }
        return ms;
    }

    private static AnomalySettings anomaly(AnomalySettings base, Map<String, Object> f, String src,
            String path, boolean allowOverrides) {
        checkKeys(f, ANOMALY_KEYS, allowOverrides, src, path);
        long baseline = f.containsKey("baseline") ? baseline(f.get("baseline"), src, path + ".baseline")
                : base.baselineMs;
        int minBaselineVolume = f.containsKey("min_baseline_volume")
                ? positiveInt(f.get("min_baseline_volume"), src, path + ".min_baseline_volume")
                : base.minBaselineVolume;
        int minVolume = f.containsKey("min_volume")
                ? positiveInt(f.get("min_volume"), src, path + ".min_volume") : base.minVolume;
        double confidence = f.containsKey("confidence")
                ? fraction(f.get("confidence"), src, path + ".confidence") : base.confidence;
        if (!(confidence >= 0.5 && confidence < 1)) {
            throw new RulesException(src + ": " + path + ".confidence must be at least 0.5 and below 1,"
                    + " got '" + f.get("confidence") + "'");
        }
        double minIncrease = f.containsKey("min_increase")
                ? fraction(f.get("min_increase"), src, path + ".min_increase") : base.minIncrease;
        if (minIncrease <= 0) {
            throw new RulesException(src + ": " + path + ".min_increase must be above 0, got '"
                    + f.get("min_increase") + "'");
        }
        return new AnomalySettings(baseline, minBaselineVolume, minVolume, confidence, minIncrease,
                measure(f, base.measure, src, path));
    }

    private static TrafficDropSettings trafficDrop(TrafficDropSettings base, Map<String, Object> f,
            String src, String path, boolean allowOverrides) {
        java.util.Set<String> allowed = new java.util.HashSet<>(TRAFFIC_DROP_KEYS);
        if (!allowOverrides) {
            // the window is the rate operators' window, not per merchant
            allowed.remove("window");
            allowed.remove("every");
        }
        checkKeys(f, allowed, allowOverrides, src, path);
        long window = f.containsKey("window") ? duration(f.get("window"), src, path + ".window")
                : base.windowMs;
        long every = f.containsKey("every") ? duration(f.get("every"), src, path + ".every")
                : base.everyMs;
        long baseline = f.containsKey("baseline") ? baseline(f.get("baseline"), src, path + ".baseline")
                : base.baselineMs;
        long warmup = f.containsKey("warmup") ? duration(f.get("warmup"), src, path + ".warmup")
                : base.warmupMs;
        if (warmup % 60_000 != 0 || warmup > baseline) {
            throw new RulesException(src + ": " + path + ".warmup must be whole minutes, at most the"
                    + " baseline (" + Durations.format(baseline) + "), got '" + Durations.format(warmup) + "'");
        }
        double minBaseline = base.minBaseline;
        if (f.containsKey("min_baseline")) {
            Object v = f.get("min_baseline");
            if (!(v instanceof Number) || ((Number) v).doubleValue() <= 0) {
                throw new RulesException(src + ": " + path + ".min_baseline must be a number above 0,"
                        + " got '" + v + "'");
            }
            minBaseline = ((Number) v).doubleValue();
        }
        double dropTo = f.containsKey("drop_to") ? fraction(f.get("drop_to"), src, path + ".drop_to")
                : base.dropTo;
        double resolveAbove = f.containsKey("resolve_above")
                ? fraction(f.get("resolve_above"), src, path + ".resolve_above") : base.resolveAbove;
        if (!(dropTo < resolveAbove) || resolveAbove <= 0) {
            throw new RulesException(src + ": " + path + ": need drop_to < resolve_above (got "
                    + dropTo + ", " + resolveAbove + ")");
        }
        return new TrafficDropSettings(window, every, baseline, warmup, minBaseline, dropTo, resolveAbove);
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

    /** Parses one per-key override's fields; {@code path} names it in errors. */
    private interface OverrideParser<T> {
        T parse(Map<String, Object> fields, String path);
    }

    /** A rule's per-merchant and per-channel overrides, each parsed on top of the rule's settings. */
    private static <T> Map<String, Map<String, T>> overrides(Map<String, Object> section, String src,
            String rule, OverrideParser<T> parser) {
        Map<String, Map<String, T>> out = new LinkedHashMap<>();
        for (Map.Entry<String, Map<String, Object>> scope : overridesOf(section, src, rule).entrySet()) {
            Map<String, T> byKey = new LinkedHashMap<>();
            for (Map.Entry<String, Object> k : scope.getValue().entrySet()) {
                String path = rule + ".overrides." + scope.getKey() + "." + k.getKey();
                byKey.put(k.getKey(), parser.parse(asMap(k.getValue(), src, path), path));
            }
            out.put(scope.getKey(), Collections.unmodifiableMap(byKey));
        }
        return Collections.unmodifiableMap(out);
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
            java.util.Set<String> disabled, boolean onByDefault) {
        Map<String, Object> section = new LinkedHashMap<>(sectionOf(top, rule, src));
        boolean on = onByDefault;
        if (section.containsKey("enabled")) {
            Object v = section.remove("enabled");
            if (!(v instanceof Boolean)) {
                throw new RulesException(src + ": " + rule + ".enabled must be true or false, got '" + v + "'");
            }
            on = (Boolean) v;
        }
        if (!on) {
            disabled.add(rule);
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
