package io.paywatch.bench;

import io.paywatch.jobs.ingest.RawRecord;
import io.paywatch.jobs.ingest.SourcePartitions;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The pre-serialised events as a parallel source of raw records, like a Kafka topic with one
 * partition per reader: the generator splits the index range into one contiguous half per
 * subtask, so index {@code i} of a half maps to every other event, and both readers advance
 * through event time together, each in order.
 */
final class BenchSource {
    static final String TOPIC = "bench";
    static final int PARALLELISM = 2;
    /** The parallelism of the next job built (the scaling measurement runs one at 1). */
    static volatile int parallelism = PARALLELISM;
    /**
     * A pace for the state measurement (its checkpoints must fall inside the run, at any speed);
     * 0, the default, reads as fast as the job takes the events.
     */
    static volatile double eventsPerSecond;

    private BenchSource() {}

    /**
     * When the readers of the running job read their first event and, every {@link #SAMPLE}
     * events, how many they had read by when: the read rate between the first event and the last
     * sample is the job's throughput once running. Back-pressure keeps the readers a few network
     * buffers ahead of the slowest task, so it is the whole job's rate, without the fixed costs of
     * a run (deploying the tasks, the last watermark's work, the teardown), which a 2-s run of the
     * fastest job pays far more of, per event, than the baselines' longer runs.
     */
    static final class ReadClock {
        static final int SAMPLE = 1_024;
        private static final int MAX_READERS = 64;
        private static final AtomicLong firstNanos = new AtomicLong(Long.MAX_VALUE);
        private static final AtomicLong lastNanos = new AtomicLong(Long.MIN_VALUE);
        /** By reader: the events it had read at its latest sample. */
        private static final AtomicLongArray readAtSample = new AtomicLongArray(MAX_READERS);

        private ReadClock() {}

        /** Before a run. */
        static void reset() {
            firstNanos.set(Long.MAX_VALUE);
            lastNanos.set(Long.MIN_VALUE);
            for (int i = 0; i < MAX_READERS; i++) {
                readAtSample.set(i, 0);
            }
        }

        static void first(long now) {
            firstNanos.accumulateAndGet(now, Math::min);
        }

        static void sample(int reader, long read, long now) {
            readAtSample.set(reader % MAX_READERS, read);
            lastNanos.accumulateAndGet(now, Math::max);
        }

        /** Events per second between the first read and the last sample, or 0 without two samples. */
        static double eventsPerSecond() {
            long first = firstNanos.get();
            long last = lastNanos.get();
            long read = 0;
            for (int i = 0; i < MAX_READERS; i++) {
                read += readAtSample.get(i);
            }
            return last > first && read > 0 ? read / ((last - first) / 1e9) : 0;
        }
    }

    static SourcePartitions partitions() {
        return SourcePartitions.kafka(TOPIC, parallelism);
    }

    static DataStream<RawRecord> of(StreamExecutionEnvironment env) {
        int n = BenchEvents.current.length;
        DataGeneratorSource<RawRecord> source = eventsPerSecond > 0
                ? new DataGeneratorSource<>(new Interleaved(n, parallelism), n,
                        RateLimiterStrategy.perSecond(eventsPerSecond), TypeInformation.of(RawRecord.class))
                : new DataGeneratorSource<>(new Interleaved(n, parallelism), n, TypeInformation.of(RawRecord.class));
        return env.fromSource(source, WatermarkStrategy.noWatermarks(), "pre-serialised events")
                .setParallelism(parallelism);
    }

    static final class Interleaved implements GeneratorFunction<Long, RawRecord> {
        private static final long serialVersionUID = 1L;
        private final int n;
        private final int readers;
        private transient int partition;
        private transient byte[][] lines;
        private transient int reader;
        private transient long read;

        Interleaved(int n, int readers) {
            this.n = n;
            this.readers = readers;
        }

        @Override
        public void open(SourceReaderContext context) {
            lines = BenchEvents.current;
            reader = context.getIndexOfSubtask();
            read = 0;
            partition = SourcePartitions.kafka(TOPIC, readers).assignedTo(context.getIndexOfSubtask(), readers).get(0);
        }

        @Override
        public RawRecord map(Long index) {
            if (read == 0) {
                ReadClock.first(System.nanoTime());
            }
            if (++read % ReadClock.SAMPLE == 0) {
                ReadClock.sample(reader, read, System.nanoTime());
            }
            long i = index;
            if (readers == 1) {
                return RawRecord.ofBytes(lines[(int) i], TOPIC + "-0@" + i, partition);
            }
            int half = n / 2;
            int event = (int) (i < half ? 2 * i : 2 * (i - half) + 1);
            return RawRecord.ofBytes(lines[event], TOPIC + "-" + partition + "@" + i, partition);
        }
    }
}
