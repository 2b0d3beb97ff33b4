package io.paywatch.jobs.rates;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.paywatch.model.AnomalySettings;
import io.paywatch.model.Measure;
import io.paywatch.model.TrafficDropSettings;
import org.junit.jupiter.api.Test;

/** Baselines from the minute history, as the adaptive rules see them at an evaluation. */
class BaselinesTest {
    private static final long MIN = TrailingMinutes.MINUTE_MS;
    private static final long WINDOW = 300_000;
    /** An hour after the epoch's first day, a whole minute. */
    private static final long T0 = 86_400_000L;
    private static final AnomalySettings ANOMALY = AnomalySettings.defaults();
    private static final TrafficDropSettings DROP = TrafficDropSettings.defaults();

    /** {@code minutes} minutes from T0 of {@code perMinute} payments, {@code failedPerMinute} failed. */
    private static TrailingMinutes history(int minutes, int perMinute, int failedPerMinute, int systemPerMinute) {
        TrailingMinutes h = TrailingMinutes.forBaseline(3_600_000);
        for (int m = 0; m < minutes; m++) {
            for (int b = 0; b < 6; b++) { // six 10 s buckets a minute
                int n = b == 0 ? perMinute : 0;
                h.add(T0 + m * MIN + b * 10_000, n, b == 0 ? failedPerMinute : 0,
                        b == 0 ? systemPerMinute : 0, 0);
            }
        }
        return h;
    }

    /** The evaluation whose window starts right after {@code minutes} minutes of history. */
    private static long evaluationAfter(int minutes) {
        return T0 + minutes * MIN + WINDOW;
    }

    @Test
    void failureRateOfTheTrailingHourBeforeTheWindow() {
        TrailingMinutes h = history(90, 10, 1, 0);
        assertThat(Baselines.failureRate(h, evaluationAfter(90), WINDOW, ANOMALY)).isCloseTo(0.1, within(1e-12));
        // by system-health failures only: none here
        AnomalySettings system = new AnomalySettings(3_600_000, 200, 50, 0.99, 0.05, Measure.SYSTEM_FAILURE_RATE);
        assertThat(Baselines.failureRate(h, evaluationAfter(90), WINDOW, system)).isZero();
    }

    @Test
    void aBaselineOfExactlyZeroIsABaseline() {
        TrailingMinutes h = history(60, 10, 0, 0);
        assertThat(Baselines.failureRate(h, evaluationAfter(60), WINDOW, ANOMALY)).isZero();
    }

    @Test
    void tooFewPaymentsIsNoBaseline() {
        TrailingMinutes h = history(60, 3, 1, 0); // 180 < 200
        assertThat(Baselines.failureRate(h, evaluationAfter(60), WINDOW, ANOMALY)).isNaN();
        assertThat(Baselines.failureRate(new TrailingMinutes(61), evaluationAfter(60), WINDOW, ANOMALY)).isNaN();
    }

    @Test
    void onlyTheLastHourCounts() {
        // 60 minutes at 50 % failures, then 60 minutes at 0 %: the hour before the window is clean
        TrailingMinutes h = TrailingMinutes.forBaseline(3_600_000);
        for (int m = 0; m < 90; m++) {
            h.add(T0 + m * MIN, 10, m < 60 ? 5 : 0, 0, 0);
        }
        assertThat(Baselines.failureRate(h, evaluationAfter(90), WINDOW, ANOMALY)).isCloseTo(0.25, within(1e-12));
        for (int m = 90; m < 120; m++) {
            h.add(T0 + m * MIN, 10, 0, 0, 0);
        }
        assertThat(Baselines.failureRate(h, evaluationAfter(120), WINDOW, ANOMALY)).isZero();
    }

    @Test
    void minutesOnWhichTheRuleFiredAreLeftOut() {
        TrailingMinutes h = TrailingMinutes.forBaseline(3_600_000);
        for (int m = 0; m < 60; m++) {
            boolean incident = m >= 40 && m < 50;
            h.add(T0 + m * MIN, 10, incident ? 8 : 0, 0, incident ? TrailingMinutes.ANOMALY_FIRED : 0);
        }
        // 50 clean minutes: the incident's failures are not the new normal
        assertThat(Baselines.failureRate(h, evaluationAfter(60), WINDOW, ANOMALY)).isZero();
        // traffic_drop did not fire then: its volume still counts those minutes
        assertThat(Baselines.volume(h, evaluationAfter(60), WINDOW, DROP)).isCloseTo(50.0, within(1e-9));
    }

    @Test
    void volumeIsPaymentsPerWindowOverTheHour() {
        TrailingMinutes h = history(75, 20, 0, 0);
        assertThat(Baselines.volume(h, evaluationAfter(75), WINDOW, DROP)).isCloseTo(100.0, within(1e-9));
    }

    @Test
    void volumeWaitsForItsWarmUpThenUsesTheHistorySoFar() {
        TrailingMinutes h = history(14, 20, 0, 0);
        assertThat(Baselines.volume(h, evaluationAfter(14), WINDOW, DROP)).isNaN();
        h = history(15, 20, 0, 0);
        assertThat(Baselines.volume(h, evaluationAfter(15), WINDOW, DROP)).isCloseTo(100.0, within(1e-9));
    }

    @Test
    void minutesWithoutPaymentsAfterTheFirstAreZeros() {
        TrailingMinutes h = history(30, 20, 0, 0);
        // thirty quiet minutes later (never written): half the hour was busy
        assertThat(Baselines.volume(h, evaluationAfter(60), WINDOW, DROP)).isCloseTo(50.0, within(1e-9));
    }

    @Test
    void aKeyBackAfterHoursAwayHasOnlyItsRecentHistory() {
        TrailingMinutes h = history(60, 20, 10, 0);
        long back = T0 + 5 * 3_600_000L;
        for (int m = 0; m < 20; m++) {
            h.add(back + m * MIN, 4, 0, 0, 0);
        }
        long evaluation = back + 20 * MIN + WINDOW;
        // the busy, failing hour is long gone: the last hour holds 40 quiet minutes and 20 of 4
        assertThat(Baselines.volume(h, evaluation, WINDOW, DROP)).isCloseTo(80.0 / 60 * 5, within(1e-9));
        assertThat(Baselines.failureRate(h, evaluation, WINDOW, ANOMALY)).isNaN(); // 80 < 200 payments
        assertThat(h.sum(TrailingMinutes.minuteOf(T0), TrailingMinutes.minuteOf(back) + 100, 0).failures).isZero();
    }

    @Test
    void aRingResizedKeepsItsMinutes() {
        TrailingMinutes h = history(90, 10, 1, 0);
        TrailingMinutes bigger = h.resized(121);
        assertThat(Baselines.failureRate(bigger, evaluationAfter(90), WINDOW, ANOMALY))
                .isEqualTo(Baselines.failureRate(h, evaluationAfter(90), WINDOW, ANOMALY));
        TrailingMinutes smaller = h.resized(31);
        AnomalySettings halfHour = new AnomalySettings(1_800_000, 200, 50, 0.99, 0.05, Measure.FAILURE_RATE);
        assertThat(smaller.sum(TrailingMinutes.minuteOf(T0), TrailingMinutes.minuteOf(T0) + 200, 0).payments)
                .isEqualTo(310); // the newest 31 minutes survive
        assertThat(Baselines.failureRate(smaller, evaluationAfter(90), WINDOW, halfHour)).isCloseTo(0.1, within(1e-12));
    }

    @Test
    void lastMinuteWithPaymentsAndHasPaymentsSince() {
        TrailingMinutes h = history(10, 5, 0, 0);
        long last = TrailingMinutes.minuteOf(T0) + 9;
        assertThat(h.lastMinuteWithPayments()).isEqualTo(last);
        h.add(T0 + 20 * MIN, 0, 0, 0, 0);
        assertThat(h.lastMinuteWithPayments()).isEqualTo(last);
        assertThat(h.hasPaymentsSince(last)).isTrue();
        assertThat(h.hasPaymentsSince(last + 1)).isFalse();
        assertThat(new TrailingMinutes(61).lastMinuteWithPayments()).isEqualTo(Long.MIN_VALUE);
    }
}
