package io.paywatch.jobs.rates;

/**
 * Every test of {@link FailureRateFunctionTest} with the function in Flink's own operator, its
 * evaluations on keyed timers: how builds before the evaluation calendar ran it, and what their
 * checkpoints' timers still do for a while after an upgrade.
 */
class FailureRateFunctionOnTimersTest extends FailureRateFunctionTest {
    @Override
    boolean onTimers() {
        return true;
    }
}
