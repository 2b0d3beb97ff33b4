package io.paywatch.jobs.ingest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.runtime.operators.coordination.OperatorEvent;

/**
 * Which event-time gate subtasks are reading records, as their coordinator keeps it: each
 * subtask needs to know whether any <em>other</em> one is, because its silent partitions may
 * only count as idle while the rest of the input moves on (see {@link PartitionWatermarks}).
 * Pure logic; {@link ReaderActivityCoordinator} carries the messages.
 */
public final class ReaderActivity {
    /** From a gate subtask: whether it read a record within its reading window. */
    public record Reading(boolean reading) implements OperatorEvent {}

    /** To a gate subtask: whether any other subtask is reading. */
    public record OthersReading(boolean reading) implements OperatorEvent {}

    private boolean[] reading;
    /** What each subtask was last told; null: nothing yet (it must be told). */
    private Boolean[] told;

    public ReaderActivity(int parallelism) {
        reading = new boolean[parallelism];
        told = new Boolean[parallelism];
    }

    /** A subtask's report; returns the subtasks whose view of the others changed by it. */
    public List<Integer> report(int subtask, boolean isReading) {
        ensure(subtask);
        reading[subtask] = isReading;
        return changed();
    }

    /** A subtask restarts: it is not reading, and it must be told again once it is back. */
    public List<Integer> reset(int subtask) {
        ensure(subtask);
        reading[subtask] = false;
        told[subtask] = null;
        return changed();
    }

    /** Whether any subtask other than this one is reading; records that it has been told so. */
    public boolean tell(int subtask) {
        ensure(subtask);
        boolean others = othersReading(subtask);
        told[subtask] = others;
        return others;
    }

    public boolean othersReading(int subtask) {
        for (int i = 0; i < reading.length; i++) {
            if (i != subtask && reading[i]) {
                return true;
            }
        }
        return false;
    }

    private List<Integer> changed() {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < reading.length; i++) {
            if (told[i] != null && told[i] != othersReading(i)) {
                out.add(i);
            }
        }
        return out;
    }

    private void ensure(int subtask) {
        if (subtask >= reading.length) {
            reading = Arrays.copyOf(reading, subtask + 1);
            told = Arrays.copyOf(told, subtask + 1);
        }
    }
}
