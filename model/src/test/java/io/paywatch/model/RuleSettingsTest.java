package io.paywatch.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RuleSettingsTest {
    /** The example of the contract, section 3. */
    static final String CONTRACT_EXAMPLE = String.join("\n",
            "failure_rate:",
            "  window: 5m",
            "  every: 10s",
            "  min_volume: 20",
            "  warning: 0.30",
            "  critical: 0.50",
            "  resolve_below: 0.20",
            "  overrides:                     # per key; any field of the rule",
            "    merchant_id:",
            "      m-17: {warning: 0.50, critical: 0.70}",
            "    channel:",
            "      bank_transfer: {min_volume: 50}",
            "timeout_burst:       {count: 10, within: 60s, quiet: 5m}",
            "risk_block:          {count: 3, within: 10m, quiet: 30m}",
            "charged_unfulfilled: {within: 15m}",
            "failed_but_charged:  {within: 10m}",
            "");

    @Test
    void defaultsAreTheContracts() {
        RuleSettings d = RuleSettings.defaults();
        FailureRateSettings fr = d.failureRate();
        assertThat(fr.windowMs).isEqualTo(300_000);
        assertThat(fr.everyMs).isEqualTo(10_000);
        assertThat(fr.minVolume).isEqualTo(20);
        assertThat(fr.warning).isEqualTo(0.30);
        assertThat(fr.critical).isEqualTo(0.50);
        assertThat(fr.resolveBelow).isEqualTo(0.20);
        assertThat(d.pattern(RuleSettings.TIMEOUT_BURST)).isEqualTo(new PatternRuleSettings(10, 60_000, 300_000));
        assertThat(d.pattern(RuleSettings.RISK_BLOCK)).isEqualTo(new PatternRuleSettings(3, 600_000, 1_800_000));
        assertThat(d.pattern(RuleSettings.CHARGED_UNFULFILLED).withinMs).isEqualTo(900_000);
        assertThat(d.pattern(RuleSettings.FAILED_BUT_CHARGED).withinMs).isEqualTo(600_000);
    }

    @Test
    void theContractsExampleParsesToTheDefaultsPlusItsOverrides() {
        RuleSettings r = RuleSettings.parseYaml(CONTRACT_EXAMPLE, "rules.yaml");
        assertThat(r.failureRate()).isEqualTo(RuleSettings.defaults().failureRate());
        FailureRateSettings m17 = r.failureRateFor("merchant_id", "m-17");
        assertThat(m17.warning).isEqualTo(0.50);
        assertThat(m17.critical).isEqualTo(0.70);
        assertThat(m17.minVolume).isEqualTo(20); // omitted keys keep the rule's value
        assertThat(r.failureRateFor("channel", "bank_transfer").minVolume).isEqualTo(50);
        assertThat(r.failureRateFor("channel", "card")).isEqualTo(r.failureRate());
        assertThat(r.failureRateFor("merchant_id", "m-18")).isEqualTo(r.failureRate());
    }

    @Test
    void anOmittedKeyKeepsItsDefault() {
        RuleSettings r = RuleSettings.parseYaml("failure_rate: {warning: 0.25}\ntimeout_burst: {count: 12}", "x");
        assertThat(r.failureRate().warning).isEqualTo(0.25);
        assertThat(r.failureRate().critical).isEqualTo(0.50);
        assertThat(r.pattern(RuleSettings.TIMEOUT_BURST)).isEqualTo(new PatternRuleSettings(12, 60_000, 300_000));
    }

    @Test
    void patternOverridesPreferTheMerchant() {
        RuleSettings r = RuleSettings.parseYaml("timeout_burst:\n  overrides:\n    merchant_id:\n"
                + "      m-1: {count: 20}\n    channel:\n      qr: {count: 5}\n", "x");
        assertThat(r.patternFor(RuleSettings.TIMEOUT_BURST, "m-1", "qr").count).isEqualTo(20);
        assertThat(r.patternFor(RuleSettings.TIMEOUT_BURST, "m-2", "qr").count).isEqualTo(5);
        assertThat(r.patternFor(RuleSettings.TIMEOUT_BURST, "m-2", "card").count).isEqualTo(10);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "failure_rate: {windw: 5m}                       | unknown key 'failure_rate.windw'",
        "failure_rat: {}                                 | unknown rule 'failure_rat'",
        "failure_rate: {warning: high}                   | failure_rate.warning must be a number between 0 and 1",
        "failure_rate: {warning: 1.5}                    | failure_rate.warning must be a number between 0 and 1",
        "failure_rate: {min_volume: 0}                   | failure_rate.min_volume must be a whole number >= 1",
        "failure_rate: {window: 5 minutes}               | failure_rate.window: '5 minutes' is not a duration",
        "failure_rate: {window: 65s}                     | failure_rate.window must be a whole multiple of failure_rate.every",
        "failure_rate: {warning: 0.6}                    | need resolve_below <= warning <= critical",
        "timeout_burst: {count: 10, quiet: soon}         | timeout_burst.quiet: 'soon' is not a duration",
        "charged_unfulfilled: {count: 3}                 | unknown key 'charged_unfulfilled.count'",
        "failure_rate: {overrides: {merchant_id: {m-1: {critical: 2}}}} | failure_rate.overrides.merchant_id.m-1.critical must be a number",
        "failure_rate: {overrides: {user_id: {}}}        | unknown key 'failure_rate.overrides.user_id'",
        "failure_rate: [1, 2]                            | failure_rate must be a mapping",
        "'failure_rate: {'                               | not valid YAML",
        // the switch is a boolean per rule, not per merchant or channel
        "failure_rate: {enabled: no-thanks}              | failure_rate.enabled must be true or false, got 'no-thanks'",
        "timeout_burst: {enabled: 0}                     | timeout_burst.enabled must be true or false, got '0'",
        "failure_rate: {overrides: {merchant_id: {m-1: {enabled: false}}}} | unknown key 'failure_rate.overrides.merchant_id.m-1.enabled'",
        "risk_block: {overrides: {channel: {card: {enabled: false}}}} | unknown key 'risk_block.overrides.channel.card.enabled'",
        "timeout_burst: {enable: false}                  | (known: count, quiet, within, enabled, overrides)",
        // version 2: the adaptive rules and the paging measure
        "failure_rate: {measure: declines}               | failure_rate.measure must be failure_rate or system_failure_rate, got 'declines'",
        "failure_rate: {overrides: {channel: {card: {measure: all}}}} | failure_rate.overrides.channel.card.measure must be failure_rate or system_failure_rate",
        "failure_rate_anomaly: {baseline: 90s}           | failure_rate_anomaly.baseline must be whole minutes between 10m and 6h, got '90s'",
        "failure_rate_anomaly: {baseline: 7h}            | failure_rate_anomaly.baseline must be whole minutes between 10m and 6h",
        "failure_rate_anomaly: {confidence: 1}           | failure_rate_anomaly.confidence must be at least 0.5 and below 1",
        "failure_rate_anomaly: {min_increase: 0}         | failure_rate_anomaly.min_increase must be above 0",
        "failure_rate_anomaly: {min_volume: 0}           | failure_rate_anomaly.min_volume must be a whole number >= 1",
        "failure_rate_anomaly: {min_baseline_volume: x}  | failure_rate_anomaly.min_baseline_volume must be a whole number >= 1",
        "failure_rate_anomaly: {measure: x}              | failure_rate_anomaly.measure must be failure_rate or system_failure_rate",
        "failure_rate_anomaly: {threshold: 0.1}          | unknown key 'failure_rate_anomaly.threshold' (known: baseline, confidence, measure, min_baseline_volume, min_increase, min_volume, enabled, overrides)",
        "failure_rate_anomaly: {enabled: yes please}     | failure_rate_anomaly.enabled must be true or false",
        "failure_rate_anomaly: {overrides: {merchant_id: {m-1: {confidence: 2}}}} | failure_rate_anomaly.overrides.merchant_id.m-1.confidence must be a number between 0 and 1",
        "traffic_drop: {drop_to: 0.6}                    | traffic_drop: need drop_to < resolve_above (got 0.6, 0.5)",
        "traffic_drop: {warmup: 2h}                      | traffic_drop.warmup must be whole minutes, at most the baseline (1h)",
        "traffic_drop: {min_baseline: -1}                | traffic_drop.min_baseline must be a number above 0",
        "traffic_drop: {enabled: true, every: 7s}        | traffic_drop.window must be a whole multiple of traffic_drop.every (got window 5m, every 7s)",
        "traffic_drop: {overrides: {channel: {qr: {window: 10m}}}} | unknown key 'traffic_drop.overrides.channel.qr.window'",
        "traffic_drop: {overrides: {region: {}}}         | unknown key 'traffic_drop.overrides.region' (known: merchant_id, channel)",
        "traffic_dorp: {}                                | unknown rule 'traffic_dorp'",
    })
    void badValuesAreErrorsNamingTheKey(String yaml, String message) {
        assertThatThrownBy(() -> RuleSettings.parseYaml(yaml, "rules.yaml"))
                .isInstanceOf(RuleSettings.RulesException.class)
                .hasMessageStartingWith("rules.yaml: ")
                .hasMessageContaining(message);
    }

    @Test
    void silencesAreMaintenanceWindowsOfAChannelOrMerchant() {
        RuleSettings r = RuleSettings.parseYaml(String.join("\n",
                "silences:",
                "  - {channel: wallet, from: 2026-11-23T02:00:00Z, to: 2026-11-23T03:00:00Z, reason: upgrade}",
                "  - {merchant_id: m-1, from: '2026-11-23T10:00:00+08:00', to: '2026-11-23T11:00:00+08:00'}"), "r.yaml");
        assertThat(r.silences()).hasSize(2);
        Silence wallet = r.silences().get(0);
        assertThat(wallet.reason).isEqualTo("upgrade");
        assertThat(wallet.covers(java.util.Map.of("channel", "wallet"), 1_795_399_200_000L)).isTrue();
        assertThat(wallet.covers(java.util.Map.of("channel", "wallet"), 1_795_402_800_000L)).isFalse(); // end excluded
        assertThat(wallet.covers(java.util.Map.of("channel", "card"), 1_795_399_200_000L)).isFalse();
        assertThat(r.silences().get(1).reason).isEqualTo("maintenance");
        assertThat(r.silences().get(1).fromMs).isEqualTo(1_795_399_200_000L);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "'silences: {channel: x}'                                         | silences must be a list",
        "'silences: [{channel: x, from: 2026-11-23T02:00:00Z}]'           | silences[0].to is required",
        "'silences: [{from: 2026-11-23T02:00:00Z, to: 2026-11-23T03:00:00Z}]' | needs one of channel or merchant_id",
        "'silences: [{channel: x, from: soon, to: later}]'                | silences[0].from must be an RFC 3339 time",
        "'silences: [{channel: x, from: 2026-11-23T03:00:00Z, to: 2026-11-23T02:00:00Z}]' | .to must be after .from",
        "'silences: [{channel: x, when: now}]'                            | unknown key 'silences[0].when'",
    })
    void badSilencesAreErrorsNamingTheKey(String yaml, String message) {
        assertThatThrownBy(() -> RuleSettings.parseYaml(yaml, "r.yaml"))
                .isInstanceOf(RuleSettings.RulesException.class).hasMessageContaining(message);
    }

    @Test
    void durationsUseTheContractsSyntax() {
        assertThat(Durations.parseMillis("500ms")).isEqualTo(500);
        assertThat(Durations.parseMillis("10s")).isEqualTo(10_000);
        assertThat(Durations.parseMillis("5m")).isEqualTo(300_000);
        assertThat(Durations.parseMillis("1h")).isEqualTo(3_600_000);
        assertThat(Durations.format(300_000)).isEqualTo("5m");
        assertThat(Durations.format(10_000)).isEqualTo("10s");
        assertThat(Durations.format(1_500)).isEqualTo("1500ms");
        assertThatThrownBy(() -> Durations.parseMillis("5")).hasMessageContaining("is not a duration");
        assertThatThrownBy(() -> Durations.parseMillis("-5s")).hasMessageContaining("is not a duration");
    }

    @Test
    void notificationsAreOffByDefaultAndSetInTheRulesFile() {
        assertThat(RuleSettings.defaults().notifications().renotifyEveryMs).isZero();
        assertThat(RuleSettings.defaults().notifications().flappingDetection()).isFalse();
        NotificationSettings n = RuleSettings.parseYaml(
                "notifications: {renotify_every: 4h, flapping_changes: 6, flapping_window: 20m}", "r.yaml")
                .notifications();
        assertThat(n.renotifyEveryMs).isEqualTo(4 * 3_600_000L);
        assertThat(n.flappingChanges).isEqualTo(6);
        assertThat(n.flappingWindowMs).isEqualTo(1_200_000);
        assertThatThrownBy(() -> RuleSettings.parseYaml("notifications: {flapping_changes: 2}", "r.yaml"))
                .hasMessageContaining("notifications.flapping_changes must be 0 (off) or at least 3");
        assertThatThrownBy(() -> RuleSettings.parseYaml("notifications: {renotify_every: 10s}", "r.yaml"))
                .hasMessageContaining("notifications.renotify_every must be 0 (off) or at least 1m");
        assertThatThrownBy(() -> RuleSettings.parseYaml("notifications: {repeat: 1h}", "r.yaml"))
                .hasMessageContaining("unknown key 'notifications.repeat'");
    }

    @Test
    void everyRuleIsOnByDefaultAndSwitchesOffWithEnabledFalse() {
        RuleSettings d = RuleSettings.defaults();
        for (String rule : new String[] {RuleSettings.FAILURE_RATE, RuleSettings.TIMEOUT_BURST,
                RuleSettings.RISK_BLOCK, RuleSettings.CHARGED_UNFULFILLED, RuleSettings.FAILED_BUT_CHARGED}) {
            assertThat(d.enabled(rule)).as(rule).isTrue();
        }
        RuleSettings r = RuleSettings.parseYaml(String.join("\n",
                "timeout_burst: {enabled: false}",
                "risk_block: {enabled: true, count: 4}",
                "charged_unfulfilled: {enabled: false, within: 20m}",
                ""), "rules.yaml");
        assertThat(r.enabled(RuleSettings.TIMEOUT_BURST)).isFalse();
        assertThat(r.enabled(RuleSettings.CHARGED_UNFULFILLED)).isFalse();
        assertThat(r.enabled(RuleSettings.RISK_BLOCK)).isTrue();
        assertThat(r.pattern(RuleSettings.RISK_BLOCK).count).isEqualTo(4);
        assertThat(r.enabled(RuleSettings.FAILURE_RATE)).isTrue();
        assertThat(r.anyPatternEnabled()).isTrue();
        assertThat(r).isNotEqualTo(d);

        RuleSettings ratesOnly = RuleSettings.parseYaml(String.join("\n",
                "timeout_burst: {enabled: false}", "risk_block: {enabled: false}",
                "charged_unfulfilled: {enabled: false}", "failed_but_charged: {enabled: false}", ""), "r.yaml");
        assertThat(ratesOnly.anyPatternEnabled()).isFalse();
        assertThat(ratesOnly.enabled(RuleSettings.FAILURE_RATE)).isTrue();
    }

    @Test
    void theVersion2RulesAreOffUnlessSwitchedOnAndTheirKeysParse() {
        RuleSettings d = RuleSettings.defaults();
        assertThat(d.enabled(RuleSettings.FAILURE_RATE_ANOMALY)).isFalse();
        assertThat(d.enabled(RuleSettings.TRAFFIC_DROP)).isFalse();
        assertThat(d.anyAdaptiveEnabled()).isFalse();
        assertThat(d.failureRateMeasureFor("merchant_id", "m-1")).isEqualTo(Measure.FAILURE_RATE);
        // a section without enabled: true stays off (contract section 3b)
        assertThat(RuleSettings.parseYaml("traffic_drop: {drop_to: 0.1}", "r").enabled(RuleSettings.TRAFFIC_DROP))
                .isFalse();

        // the contract's example, with a measure and overrides
        RuleSettings r = RuleSettings.parseYaml(String.join("\n",
                "failure_rate: {measure: system_failure_rate,"
                        + " overrides: {merchant_id: {m-17: {measure: failure_rate, warning: 0.4}}}}",
                "failure_rate_anomaly: {enabled: true, baseline: 1h, min_baseline_volume: 200, min_volume: 50,",
                "                       confidence: 0.99, min_increase: 0.05,",
                "                       overrides: {channel: {card: {min_increase: 0.1, measure: system_failure_rate}}}}",
                "traffic_drop:         {enabled: true, window: 5m, every: 10s, baseline: 2h, warmup: 15m,",
                "                       min_baseline: 100, drop_to: 0.2, resolve_above: 0.5,",
                "                       overrides: {merchant_id: {m-9: {min_baseline: 20}}}}",
                ""), "rules.yaml");
        assertThat(r.enabled(RuleSettings.FAILURE_RATE_ANOMALY)).isTrue();
        assertThat(r.enabled(RuleSettings.TRAFFIC_DROP)).isTrue();
        assertThat(r.failureRateMeasureFor("merchant_id", "m-1")).isEqualTo(Measure.SYSTEM_FAILURE_RATE);
        assertThat(r.failureRateMeasureFor("merchant_id", "m-17")).isEqualTo(Measure.FAILURE_RATE);
        assertThat(r.failureRateFor("merchant_id", "m-17").warning).isEqualTo(0.4);
        assertThat(r.anomalyFor("merchant_id", "m-1")).isEqualTo(AnomalySettings.defaults());
        AnomalySettings card = r.anomalyFor("channel", "card");
        assertThat(card.minIncrease).isEqualTo(0.1);
        assertThat(card.measure).isEqualTo(Measure.SYSTEM_FAILURE_RATE);
        assertThat(card.minVolume).isEqualTo(50);
        assertThat(r.trafficDropFor("channel", "qr").baselineMs).isEqualTo(7_200_000);
        assertThat(r.trafficDropFor("merchant_id", "m-9").minBaseline).isEqualTo(20.0);
        assertThat(r.trafficDropFor("merchant_id", "m-9").baselineMs).isEqualTo(7_200_000);
        assertThat(r.longestBaselineMs()).isEqualTo(7_200_000);
        assertThat(r).isNotEqualTo(d);
        // a live override's measure is held apart from its thresholds (RuleChange.Override.measure)
        assertThat(RuleSettings.failureRateOverride(d.failureRate(),
                java.util.Map.of("measure", "system_failure_rate", "warning", 0.4), "control",
                "failure_rate.overrides.merchant_id.m-1").warning).isEqualTo(0.4);
    }

    @Test
    void trafficDropOnWindowsOfItsOwnRunsApartFromTheOtherRules() {
        assertThat(RuleSettings.parseYaml("traffic_drop: {enabled: true}", "t").trafficDropHasOwnWindows()).isFalse();
        assertThat(RuleSettings.parseYaml("traffic_drop: {window: 15m}", "t").trafficDropHasOwnWindows())
                .as("switched off").isFalse();
        assertThat(RuleSettings.parseYaml("traffic_drop: {enabled: true, every: 1m}", "t")
                .trafficDropHasOwnWindows()).isTrue();
        // one merchant's failure rate on a longer window: its drops would be judged on it
        assertThat(RuleSettings.parseYaml("traffic_drop: {enabled: true}\n"
                + "failure_rate: {overrides: {merchant_id: {m-1: {window: 10m}}}}", "t").trafficDropHasOwnWindows()).isTrue();

        RuleSettings r = RuleSettings.parseYaml("failure_rate_anomaly: {enabled: true}\n"
                + "traffic_drop: {enabled: true, window: 15m, every: 1m, drop_to: 0.4,"
                + " overrides: {channel: {qr: {drop_to: 0.1}}}}\n"
                + "failure_rate: {warning: 0.4, overrides: {merchant_id: {m-1: {window: 10m}}}}\n"
                + "timeout_burst: {enabled: false}\n", "t");
        RuleSettings drops = r.trafficDropAlone();
        assertThat(drops.failureRate().windowMs).isEqualTo(900_000);
        assertThat(drops.failureRate().everyMs).isEqualTo(60_000);
        assertThat(drops.failureRateFor("merchant_id", "m-1").windowMs).as("every key").isEqualTo(900_000);
        assertThat(drops.trafficDropFor("channel", "qr").dropTo).isEqualTo(0.1);
        assertThat(drops.trafficDropFor("channel", "card").dropTo).isEqualTo(0.4);
        for (String rule : java.util.List.of(RuleSettings.FAILURE_RATE, RuleSettings.FAILURE_RATE_ANOMALY,
                RuleSettings.TIMEOUT_BURST, RuleSettings.RISK_BLOCK, RuleSettings.CHARGED_UNFULFILLED,
                RuleSettings.FAILED_BUT_CHARGED)) {
            assertThat(drops.enabled(rule)).as(rule).isFalse();
        }
        assertThat(drops.enabled(RuleSettings.TRAFFIC_DROP)).isTrue();
        assertThat(drops.trafficDropHasOwnWindows()).as("on its own windows now").isFalse();

        RuleSettings rest = r.withoutTrafficDrop();
        assertThat(rest.enabled(RuleSettings.TRAFFIC_DROP)).isFalse();
        assertThat(rest.enabled(RuleSettings.FAILURE_RATE_ANOMALY)).isTrue();
        assertThat(rest.enabled(RuleSettings.TIMEOUT_BURST)).isFalse();
        assertThat(rest.enabled(RuleSettings.RISK_BLOCK)).isTrue();
        assertThat(rest.failureRate()).isEqualTo(r.failureRate());
        assertThat(rest.failureRateFor("merchant_id", "m-1").windowMs).isEqualTo(600_000);
        assertThat(rest.longestBaselineMs()).isEqualTo(r.anomalyFor("merchant_id", "x").baselineMs);
    }
}
