package io.paywatch.jobs.ingest;

import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * Sent by each event time gate subtask when a bounded input ends, just before the final
 * watermark: the event time the data itself supports ({@link #cutoff}, what a live run would
 * have reached). Evaluations and deadlines beyond it are not made up at the end of a replay:
 * open incidents stay open, as they would in a live run at that point.
 */
public class EndOfInput {
    /** Broadcast state: gate subtask → cutoff. */
    public static final MapStateDescriptor<Integer, Long> STATE = new MapStateDescriptor<>(
            "end-of-input", Types.INT, Types.LONG);
    public static final TypeInformation<EndOfInput> TYPE = TypeInformation.of(EndOfInput.class);

    public int subtask;
    public int parallelism;
    public long cutoff;

    public EndOfInput() {}

    public static EndOfInput of(int subtask, int parallelism, long cutoff) {
        EndOfInput e = new EndOfInput();
        e.subtask = subtask;
        e.parallelism = parallelism;
        e.cutoff = cutoff;
        return e;
    }

    /**
     * Whether a timer at {@code time} firing under {@code watermark} lies beyond the data: only at
     * the end of input (watermark +∞), once every gate subtask has reported its cutoff.
     */
    public static boolean beyondData(long time, long watermark,
            Iterable<java.util.Map.Entry<Integer, Long>> cutoffs) throws Exception {
        if (watermark != Long.MAX_VALUE) {
            return false;
        }
        long min = Long.MAX_VALUE;
        boolean any = false;
        for (java.util.Map.Entry<Integer, Long> e : cutoffs) {
            min = Math.min(min, e.getValue());
            any = true;
        }
        return any && time > min;
    }
}
