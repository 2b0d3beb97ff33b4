package io.paywatch.jobs.testing;

import io.paywatch.jobs.ingest.RawRecord;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** Randomised input over several partitions, and the job environment the equivalence tests run it in. */
public final class PartitionedLines {
    private PartitionedLines() {}

    /** A line of a randomised stream: when it arrives, and on which partition. */
    public record Line(long arrival, int partition, String json) {}

    /** Each partition in arrival order, the partitions interleaved by arrival; offsets per partition. */
    public static List<RawRecord> records(List<Line> lines, int partitions) {
        List<Line> sorted = new ArrayList<>(lines);
        sorted.sort(Comparator.comparingLong(Line::arrival));
        List<RawRecord> records = new ArrayList<>();
        int[] offset = new int[partitions];
        for (Line l : sorted) {
            records.add(RawRecord.ofBytes(l.json().getBytes(StandardCharsets.UTF_8),
                    "random-" + l.partition() + "@" + (offset[l.partition()]++), l.partition()));
        }
        return records;
    }

    /** The records as one source subtask of a job at parallelism 2 with object reuse, as `run` has it. */
    public static DataStream<RawRecord> source(List<RawRecord> records) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        env.getConfig().enableObjectReuse();
        return env.fromData(TypeInformation.of(RawRecord.class), records.toArray(new RawRecord[0]))
                .setParallelism(1);
    }
}
