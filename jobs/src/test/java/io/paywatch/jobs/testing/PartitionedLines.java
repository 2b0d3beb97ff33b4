package io.paywatch.jobs.testing;

import io.paywatch.jobs.PaymentMonitorJob;
import io.paywatch.jobs.PipelineSettings;
import io.paywatch.jobs.ingest.RawRecord;
import io.paywatch.jobs.ingest.SourcePartitions;
import io.paywatch.jobs.metrics.MetricLines;
import io.paywatch.jobs.rates.RateSnapshot;
import io.paywatch.model.AlertJson;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;

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

    /**
     * The records at parallelism 2 as two Kafka readers would read them: each partition goes,
     * in order, to the gate subtask {@code partitions} assigns it to, so each gate ends at the
     * cutoff of its own partitions.
     */
    public static DataStream<RawRecord> sourcePerReader(List<RawRecord> records, SourcePartitions partitions) {
        int partitionCount = records.stream().mapToInt(r -> r.partition).max().orElse(0) + 1;
        int[] reader = new int[partitionCount];
        for (int s = 0; s < 2; s++) {
            for (int p : partitions.assignedTo(s, 2)) {
                if (p < partitionCount) {
                    reader[p] = s;
                }
            }
        }
        return source(records)
                .partitionCustom((Integer p, int readers) -> reader[p], r -> r.partition)
                .map(r -> r).returns(TypeInformation.of(RawRecord.class))
                .name("reader of its partitions").setParallelism(2);
    }

    /**
     * Every output of the whole job over {@code records}: alerts (JSON), rate and input-health
     * points (line protocol) and dead letters (JSON), one line each with its kind first, sorted
     * (subtasks interleave).
     */
    public static List<String> outputs(List<RawRecord> records, SourcePartitions partitions, PipelineSettings settings)
            throws Exception {
        PaymentMonitorJob.Outputs o = PaymentMonitorJob.build(source(records), partitions, settings);
        DataStream<String> all = o.alerts.map(a -> "alert " + AlertJson.toJson(a)).returns(Types.STRING)
                .union(o.rates.flatMap((RateSnapshot s, Collector<String> out) ->
                                MetricLines.of(s, null).forEach(l -> out.collect("rate " + l))).returns(Types.STRING),
                        o.inputHealth.map(h -> "input " + MetricLines.of(h, null)).returns(Types.STRING),
                        o.deadLetters.map(d -> "dead " + d.toJson()).returns(Types.STRING));
        List<String> out = new ArrayList<>();
        try (CloseableIterator<String> it = all.executeAndCollect()) {
            it.forEachRemaining(out::add);
        }
        out.sort(null);
        return out;
    }
}
