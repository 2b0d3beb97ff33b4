package io.paywatch.jobs.ingest;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Which source partitions a reader subtask is going to read, so that event time waits for all
 * of them from the start. For Kafka this mirrors the connector's assignment of partitions to
 * readers ({@code KafkaSourceEnumerator.getSplitOwner}); should it ever differ, a partition that
 * never shows up simply counts as idle after the idle timeout.
 */
public final class SourcePartitions implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String kafkaTopic;
    private final int partitionCount;

    private SourcePartitions(String kafkaTopic, int partitionCount) {
        this.kafkaTopic = kafkaTopic;
        this.partitionCount = partitionCount;
    }

    /** One ordered stream (files read one after another, the generator): partition 0. */
    public static SourcePartitions single() {
        return new SourcePartitions(null, 1);
    }

    public static SourcePartitions kafka(String topic, int partitionCount) {
        return new SourcePartitions(topic, partitionCount);
    }

    /** The input's name in metrics: the topic, or {@code local} for files and the generator. */
    public String inputName() {
        return kafkaTopic == null ? "local" : kafkaTopic;
    }

    public List<Integer> assignedTo(int subtask, int parallelism) {
        List<Integer> out = new ArrayList<>();
        if (kafkaTopic == null) {
            if (subtask == 0) {
                out.add(0);
            }
            return out;
        }
        int start = ((kafkaTopic.hashCode() * 31) & 0x7FFFFFFF) % parallelism;
        for (int p = 0; p < partitionCount; p++) {
            if ((start + p) % parallelism == subtask) {
                out.add(p);
            }
        }
        return out;
    }
}
