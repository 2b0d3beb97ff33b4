package io.paywatch.jobs.rates;

/** Every test of {@link AdaptiveRatesTest} on Flink's keyed timers, as builds before the evaluation calendar ran. */
class AdaptiveRatesOnTimersTest extends AdaptiveRatesTest {
    @Override
    boolean onTimers() {
        return true;
    }
}
