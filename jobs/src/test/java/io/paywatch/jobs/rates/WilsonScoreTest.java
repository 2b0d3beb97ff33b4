package io.paywatch.jobs.rates;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class WilsonScoreTest {
    @Test
    void zScoresOfTwoSidedConfidences() {
        // reference values: Python's statistics.NormalDist().inv_cdf
        assertThat(WilsonScore.zScore(0.99)).isCloseTo(2.5758293035489, within(1e-8));
        assertThat(WilsonScore.zScore(0.95)).isCloseTo(1.9599639845400536, within(1e-8));
        assertThat(WilsonScore.zScore(0.5)).isCloseTo(0.6744897501960817, within(1e-8));
        assertThat(WilsonScore.zScore(0.999999)).isCloseTo(4.891638475671084, within(1e-7));
        assertThatThrownBy(() -> WilsonScore.zScore(1.0)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest(name = "{0} of {1} at {2}")
    @CsvSource({
        // failures, payments, confidence, lower bound (computed independently in Python)
        "10, 100, 0.95, 0.055229137060675094",
        "51, 412, 0.99, 0.08786132475085368", // the contract's example: 12.4 % of 412
        "100, 100, 0.99, 0.937779312284177", // 100 % failures
        "1, 1, 0.99, 0.1309775432801859", // one payment: far from sure
        "22, 100, 0.99, 0.13263348754477566",
        "0, 100, 0.99, 0.0", // no failures: the bound is 0, never negative
        "0, 0, 0.99, 0.0", // no payments
    })
    void lowerBounds(long failures, long payments, double confidence, double expected) {
        assertThat(WilsonScore.lowerBound(failures, payments, confidence)).isCloseTo(expected, within(1e-8));
    }
}
