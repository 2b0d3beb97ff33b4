package io.paywatch.jobs.ingest;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.operators.coordination.OperatorCoordinator;
import org.apache.flink.runtime.operators.coordination.OperatorEvent;

/**
 * Runs on the JobManager next to the event-time gate's subtasks and tells each of them whether
 * another one is reading ({@link ReaderActivity}). It keeps nothing in checkpoints: after a
 * restart every subtask reports again within a second, and until then none counts as reading,
 * so no partition turns idle on a guess.
 */
public final class ReaderActivityCoordinator implements OperatorCoordinator {
    private final ReaderActivity activity;
    private final Map<Integer, SubtaskGateway> gateways = new HashMap<>();

    ReaderActivityCoordinator(int parallelism) {
        this.activity = new ReaderActivity(parallelism);
    }

    @Override
    public void start() {}

    @Override
    public void close() {}

    @Override
    public void handleEventFromOperator(int subtask, int attemptNumber, OperatorEvent event) {
        if (event instanceof ReaderActivity.Reading r) {
            for (int i : activity.report(subtask, r.reading())) {
                tell(i);
            }
            tell(subtask); // the answer to every report, so a lost message heals within a second
        }
    }

    private void tell(int subtask) {
        SubtaskGateway gateway = gateways.get(subtask);
        if (gateway != null) {
            // a subtask gone by the time this arrives is told again at its next attempt's report
            gateway.sendEvent(new ReaderActivity.OthersReading(activity.tell(subtask)));
        }
    }

    @Override
    public void checkpointCoordinator(long checkpointId, CompletableFuture<byte[]> result) {
        result.complete(new byte[0]);
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {}

    @Override
    public void resetToCheckpoint(long checkpointId, byte[] checkpointData) {}

    @Override
    public void subtaskReset(int subtask, long checkpointId) {
        forget(subtask);
    }

    @Override
    public void executionAttemptFailed(int subtask, int attemptNumber, Throwable reason) {
        forget(subtask);
    }

    private void forget(int subtask) {
        gateways.remove(subtask);
        for (int i : activity.reset(subtask)) {
            tell(i);
        }
    }

    @Override
    public void executionAttemptReady(int subtask, int attemptNumber, SubtaskGateway gateway) {
        // told at its first report: by then its operator listens for the answer
        gateways.put(subtask, gateway);
    }

    /** Creates the coordinator when the job starts (serialised into the job graph). */
    static final class Provider implements OperatorCoordinator.Provider {
        private static final long serialVersionUID = 1L;
        private final OperatorID operatorId;

        Provider(OperatorID operatorId) {
            this.operatorId = operatorId;
        }

        @Override
        public OperatorID getOperatorId() {
            return operatorId;
        }

        @Override
        public OperatorCoordinator create(Context context) {
            return new ReaderActivityCoordinator(context.currentParallelism());
        }
    }
}
