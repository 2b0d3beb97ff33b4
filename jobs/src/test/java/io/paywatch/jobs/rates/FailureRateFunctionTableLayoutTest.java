package io.paywatch.jobs.rates;

import io.paywatch.jobs.runtime.StateLayout;

/** Every test of {@link FailureRateFunctionTest} with the buckets in the key's state, as on the heap backend. */
class FailureRateFunctionTableLayoutTest extends FailureRateFunctionTest {
    @Override
    StateLayout layout() {
        return StateLayout.TABLE;
    }
}
