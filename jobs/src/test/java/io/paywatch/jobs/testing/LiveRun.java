package io.paywatch.jobs.testing;

import java.util.function.BooleanSupplier;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;

/** Waiting on an embedded live job (one that never ends by itself) in the ITCases. */
public final class LiveRun {
    private LiveRun() {}

    /** Polls an observable outcome of {@code run}; fails if the job ends or nothing happens in 3 min. */
    public static void await(JobClient run, BooleanSupplier done) throws Exception {
        long deadline = System.currentTimeMillis() + 180_000;
        while (!done.getAsBoolean()) {
            JobStatus status = run.getJobStatus().get();
            if (status.isGloballyTerminalState()) {
                throw new AssertionError("the run ended: " + status);
            }
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("no progress in 3 min; the job is " + status);
            }
            Thread.sleep(200); // polling an observable outcome, not synchronising on time
        }
    }
}
