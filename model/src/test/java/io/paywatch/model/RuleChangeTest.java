package io.paywatch.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RuleChangeTest {
    private static final RuleSettings FILE = RuleSettings.parseYaml(RuleSettingsTest.CONTRACT_EXAMPLE, "rules.yaml");

    private static RuleChange parse(String json) {
        return RuleChange.parse(json.getBytes(StandardCharsets.UTF_8), 1_000L, FILE);
    }

    @Test
    void aLiveOverrideAppliesOnTopOfTheRulesFilesSettingsForThatKey() {
        RuleChange c = parse("{\"change_id\":\"chg-42\",\"failure_rate\":{\"overrides\":{\"merchant_id\":"
                + "{\"m-17\":{\"critical\":0.8},\"m-99\":{\"min_volume\":5}}}}}");
        assertThat(c.changeId).isEqualTo("chg-42");
        assertThat(c.at).isEqualTo(1_000L);
        assertThat(c.overrides).hasSize(2);
        FailureRateSettings m17 = c.overrides.get(0).settings;
        // the file sets m-17's warning to 0.50; the change only moves critical
        assertThat(m17.warning).isEqualTo(0.50);
        assertThat(m17.critical).isEqualTo(0.8);
        assertThat(m17.windowMs).isEqualTo(300_000);
        assertThat(c.overrides.get(0).stateKey()).isEqualTo("merchant_id=m-17");
        assertThat(c.overrides.get(1).settings.minVolume).isEqualTo(5);
        assertThat(c.overrides.get(1).settings.warning).isEqualTo(0.30);
        assertThat(c.description).contains("merchant_id=m-17", "critical 0.8", "merchant_id=m-99");
    }

    @Test
    void nullReturnsAKeyToTheRulesFileAndAtSetsTheTime() {
        RuleChange c = parse("{\"change_id\":\"chg-43\",\"at\":\"2026-11-24T10:00:00Z\","
                + "\"failure_rate\":{\"overrides\":{\"channel\":{\"wallet\":null}}}}");
        assertThat(c.overrides).singleElement().satisfies(o -> assertThat(o.settings).isNull());
        assertThat(c.at).isEqualTo(java.time.Instant.parse("2026-11-24T10:00:00Z").toEpochMilli());
        assertThat(c.description).contains("back to the rules file");
    }

    @Test
    void silencesAreLiveAndKeyedByScopeAndStart() {
        RuleChange c = parse("{\"change_id\":\"mw-7\",\"silences\":[{\"channel\":\"wallet\","
                + "\"from\":\"2026-11-24T02:00:00Z\",\"to\":\"2026-11-24T03:00:00Z\",\"reason\":\"provider maintenance\"}]}");
        assertThat(c.silences).singleElement().satisfies(s -> {
            assertThat(s.reason).isEqualTo("provider maintenance");
            assertThat(s.stateKey()).isEqualTo("channel=wallet@" + java.time.Instant.parse("2026-11-24T02:00:00Z").toEpochMilli());
        });
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"change_id\": \"c\", |not valid JSON",
        "plain words|must be a JSON object",
        "[1,2]|must be a JSON object",
        "{\"failure_rate\":{\"overrides\":{\"channel\":{\"x\":{\"warning\":0.2}}}}}|change_id is required",
        "{\"change_id\":\"c\",\"timeout_burst\":{\"count\":3}}|'timeout_burst' cannot change live",
        "{\"change_id\":\"c\",\"failure_rate\":{\"warning\":0.2}}|failure_rate may hold only 'overrides'",
        "{\"change_id\":\"c\",\"failure_rate\":{\"overrides\":{\"channel\":{\"x\":{\"window\":\"1m\"}}}}}|'failure_rate.overrides.channel.x.window' cannot change live",
        "{\"change_id\":\"c\",\"failure_rate\":{\"overrides\":{\"card\":{\"x\":{\"warning\":0.2}}}}}|unknown scope 'failure_rate.overrides.card'",
        "{\"change_id\":\"c\",\"failure_rate\":{\"overrides\":{\"channel\":{\"x\":{\"warning\":2}}}}}|failure_rate.overrides.channel.x.warning",
        "{\"change_id\":\"c\",\"failure_rate\":{\"overrides\":{\"channel\":{\"x\":{\"warning\":0.9}}}}}|need resolve_below <= warning <= critical",
        "{\"change_id\":\"c\",\"at\":\"yesterday\",\"silences\":[]}|at must be an RFC 3339 time",
        "{\"change_id\":\"c\"}|changes nothing",
        // version 2: the adaptive rules' thresholds change live, once switched on in the file
        "{\"change_id\":\"c\",\"traffic_drop\":{\"overrides\":{\"channel\":{\"qr\":{\"drop_to\":0.1}}}}}|traffic_drop is switched off in the rules file",
        "{\"change_id\":\"c\",\"silences\":[{\"channel\":\"w\",\"from\":\"2026-11-24T03:00:00Z\",\"to\":\"2026-11-24T02:00:00Z\"}]}|.to must be after .from",
    })
    void aBadChangeIsRefusedWithOneLineNamingTheKey(String json, String message) {
        assertThatThrownBy(() -> parse(json))
                .isInstanceOf(RuleSettings.RulesException.class)
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void anOversizedMessageIsRefusedBeforeParsing() {
        byte[] big = new byte[RuleChange.MAX_BYTES + 1];
        assertThatThrownBy(() -> RuleChange.parse(big, 0, FILE)).hasMessageContaining("bytes, more than");
    }

    private static final RuleSettings ADAPTIVE = RuleSettings.parseYaml(
            "failure_rate_anomaly: {enabled: true, overrides: {merchant_id: {m-1: {min_volume: 80}}}}\n"
                    + "traffic_drop: {enabled: true}\n", "rules.yaml");

    private static RuleChange adaptive(String json) {
        return RuleChange.parse(json.getBytes(StandardCharsets.UTF_8), 1_000L, ADAPTIVE);
    }

    @Test
    void theAdaptiveRulesThresholdsChangeLiveOnTopOfTheFilesSettingsForThatKey() {
        RuleChange c = adaptive("{\"change_id\":\"chg-50\","
                + "\"failure_rate_anomaly\":{\"overrides\":{\"merchant_id\":{\"m-1\":{\"min_increase\":0.1,"
                + "\"measure\":\"system_failure_rate\"},\"m-2\":null}}},"
                + "\"traffic_drop\":{\"overrides\":{\"channel\":{\"qr\":{\"drop_to\":0.05}}}}}");
        assertThat(c.adaptiveOverrides).hasSize(3);
        RuleChange.AdaptiveOverride m1 = c.adaptiveOverrides.get(0);
        assertThat(m1.rule).isEqualTo("failure_rate_anomaly");
        assertThat(m1.stateKey()).isEqualTo("merchant_id=m-1");
        assertThat(m1.anomaly.minIncrease).isEqualTo(0.1);
        assertThat(m1.anomaly.minVolume).isEqualTo(80); // the file's override for m-1 is the base
        assertThat(m1.anomaly.measure).isEqualTo(Measure.SYSTEM_FAILURE_RATE);
        assertThat(c.adaptiveOverrides.get(1).backToFile()).isTrue();
        assertThat(c.adaptiveOverrides.get(2).drop.dropTo).isEqualTo(0.05);
        assertThat(c.description).contains("failure_rate_anomaly merchant_id=m-1", "traffic_drop channel=qr");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"change_id\":\"c\",\"traffic_drop\":{\"overrides\":{\"channel\":{\"qr\":{\"baseline\":\"2h\"}}}}}|'traffic_drop.overrides.channel.qr.baseline' cannot change live (live: drop_to, min_baseline, resolve_above, warmup)",
        "{\"change_id\":\"c\",\"failure_rate_anomaly\":{\"overrides\":{\"channel\":{\"qr\":{\"baseline\":\"2h\"}}}}}|'failure_rate_anomaly.overrides.channel.qr.baseline' cannot change live",
        "{\"change_id\":\"c\",\"failure_rate_anomaly\":{\"min_increase\":0.1}}|failure_rate_anomaly may hold only 'overrides'",
        "{\"change_id\":\"c\",\"failure_rate_anomaly\":{\"overrides\":{\"user_id\":{}}}}|unknown scope 'failure_rate_anomaly.overrides.user_id'",
        "{\"change_id\":\"c\",\"failure_rate_anomaly\":{\"overrides\":{\"channel\":{\"qr\":{\"confidence\":1.5}}}}}|failure_rate_anomaly.overrides.channel.qr.confidence must be a number between 0 and 1",
        "{\"change_id\":\"c\",\"traffic_drop\":{\"overrides\":{\"channel\":{\"qr\":{\"drop_to\":0.7}}}}}|need drop_to < resolve_above",
    })
    void aBadAdaptiveChangeIsRefusedNamingTheKey(String json, String message) {
        assertThatThrownBy(() -> adaptive(json)).isInstanceOf(RuleSettings.RulesException.class)
                .hasMessageContaining(message);
    }

    @Test
    void failureRatesMeasureChangesLiveOnTopOfTheFilesMeasureForThatKey() {
        RuleSettings file = RuleSettings.parseYaml("failure_rate:\n  measure: system_failure_rate\n"
                + "  overrides: {channel: {qr: {measure: failure_rate}}}\n", "rules.yaml");
        RuleChange c = RuleChange.parse(("{\"change_id\":\"chg-51\",\"failure_rate\":{\"overrides\":{"
                + "\"merchant_id\":{\"m-1\":{\"measure\":\"failure_rate\"},\"m-2\":{\"warning\":0.4},\"m-3\":null},"
                + "\"channel\":{\"qr\":{\"warning\":0.35}}}}}").getBytes(StandardCharsets.UTF_8), 1_000L, file);
        assertThat(c.overrides).extracting(o -> o.stateKey() + " " + o.measure)
                .containsExactly("merchant_id=m-1 FAILURE_RATE", "merchant_id=m-2 SYSTEM_FAILURE_RATE",
                        "merchant_id=m-3 null", "channel=qr FAILURE_RATE");
        assertThat(c.overrides.get(0).settings).isEqualTo(file.failureRateFor("merchant_id", "m-1"));
        assertThat(c.description).contains("failure_rate merchant_id=m-1 min_volume 20, warning 0.3,"
                + " critical 0.5, resolve_below 0.2, measure failure_rate");
        assertThatThrownBy(() -> RuleChange.parse(("{\"change_id\":\"c\",\"failure_rate\":{\"overrides\":"
                + "{\"channel\":{\"qr\":{\"measure\":\"declines\"}}}}}").getBytes(StandardCharsets.UTF_8), 1L, file))
                .isInstanceOf(RuleSettings.RulesException.class)
                .hasMessageContaining("failure_rate.overrides.channel.qr.measure must be failure_rate or"
                        + " system_failure_rate, got 'declines'");
    }
}
