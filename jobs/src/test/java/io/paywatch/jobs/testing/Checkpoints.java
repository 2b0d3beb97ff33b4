package io.paywatch.jobs.testing;

import org.apache.flink.runtime.checkpoint.CheckpointOptions;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.memory.MemCheckpointStreamFactory;
import org.apache.flink.streaming.api.operators.OperatorSnapshotFinalizer;
import org.apache.flink.streaming.api.operators.OperatorSnapshotFutures;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.util.function.ThrowingRunnable;

/** Checkpoints of operators under a test harness, as a running job takes them. */
public final class Checkpoints {
    private Checkpoints() {}

    /**
     * A checkpoint whose synchronous part is taken now and whose asynchronous part (writing the
     * state out) runs only after {@code meanwhile} has processed more input, as in a running job.
     * The harness's own {@code snapshot} runs both parts at once, so it cannot show whether an
     * operator that changes state objects in place leaks those changes into a checkpoint begun
     * before them: on the heap backend that is what its copy-on-write (a copy on the first read
     * after a snapshot began) and the state serializer's deep copy must prevent.
     */
    public static OperatorSubtaskState takenAround(AbstractStreamOperatorTestHarness<?> harness, long checkpointId,
            ThrowingRunnable<Exception> meanwhile) throws Exception {
        OperatorSnapshotFutures futures = harness.getOperator().snapshotState(checkpointId, checkpointId,
                CheckpointOptions.forCheckpointWithDefaultLocation(),
                new MemCheckpointStreamFactory(Integer.MAX_VALUE));
        meanwhile.run();
        return new OperatorSnapshotFinalizer(futures).getJobManagerOwnedState();
    }
}
