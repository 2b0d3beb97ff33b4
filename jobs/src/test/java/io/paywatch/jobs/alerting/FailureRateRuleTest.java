package io.paywatch.jobs.alerting;

import static org.assertj.core.api.Assertions.assertThat;

import io.paywatch.jobs.alerting.FailureRateRule.Transition;
import io.paywatch.model.FailureRateSettings;
import org.junit.jupiter.api.Test;

class FailureRateRuleTest {
    private final FailureRateSettings s = FailureRateSettings.defaults();

    private FailureRateRule.Decision eval(String firing, int total, double rate) {
        return FailureRateRule.evaluate(firing, total, rate, s);
    }

    @Test
    void firesAtWarningAndCriticalThresholdsInclusive() {
        assertThat(eval(null, 20, 0.30).transition).isEqualTo(Transition.FIRE);
        assertThat(eval(null, 20, 0.30).severity).isEqualTo(Severity.WARNING);
        assertThat(eval(null, 20, 0.30).threshold).isEqualTo(0.30);
        assertThat(eval(null, 20, 0.2999).transition).isEqualTo(Transition.NONE);
        assertThat(eval(null, 20, 0.50).severity).isEqualTo(Severity.CRITICAL);
        assertThat(eval(null, 20, 0.50).threshold).isEqualTo(0.50);
    }

    @Test
    void needsTheMinimumVolume() {
        assertThat(eval(null, 19, 1.0).transition).isEqualTo(Transition.NONE);
        assertThat(eval(null, 20, 1.0).transition).isEqualTo(Transition.FIRE);
    }

    @Test
    void holdsWithHysteresisAndResolvesBelowResolveLevelOrVolume() {
        assertThat(eval(Severity.WARNING, 100, 0.25).transition).isEqualTo(Transition.NONE);
        assertThat(eval(Severity.WARNING, 100, 0.20).transition).isEqualTo(Transition.NONE);
        assertThat(eval(Severity.WARNING, 100, 0.1999).transition).isEqualTo(Transition.RESOLVE);
        assertThat(eval(Severity.WARNING, 19, 0.9).transition).isEqualTo(Transition.RESOLVE);
        assertThat(eval(Severity.CRITICAL, 0, 0).transition).isEqualTo(Transition.RESOLVE);
    }

    @Test
    void severityChangesOnlyAcrossTheLevels() {
        assertThat(eval(Severity.WARNING, 100, 0.49).transition).isEqualTo(Transition.NONE);
        FailureRateRule.Decision up = eval(Severity.WARNING, 100, 0.50);
        assertThat(up.transition).isEqualTo(Transition.SEVERITY_CHANGE);
        assertThat(up.severity).isEqualTo(Severity.CRITICAL);
        // a critical incident hovering just under the critical level does not flap
        assertThat(eval(Severity.CRITICAL, 100, 0.45).transition).isEqualTo(Transition.NONE);
        FailureRateRule.Decision down = eval(Severity.CRITICAL, 100, 0.39);
        assertThat(down.transition).isEqualTo(Transition.SEVERITY_CHANGE);
        assertThat(down.severity).isEqualTo(Severity.WARNING);
        assertThat(eval(Severity.CRITICAL, 100, 0.10).transition).isEqualTo(Transition.RESOLVE);
    }
}
