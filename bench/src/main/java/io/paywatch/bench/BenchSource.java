package io.paywatch.bench;

import io.paywatch.jobs.ingest.RawRecord;
import io.paywatch.jobs.ingest.SourcePartitions;
import java.util.concurrent.atomic.AtomicLong;
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
     * When the running job's readers read their first event: the bench times a run from then to
     * the job's end, which leaves out deploying the tasks (and the JIT's work while they start),
     * a fixed cost per run that a 1.6-s run of the fastest job pays far more of, per event, than the
     * baselines' longer runs; the last watermark's work, the buffers' draining and the tasks'
     * finishing stay in, as they differ by job.
     */
    static final class ReadClock {
        private static final AtomicLong firstNanos = new AtomicLong(Long.MAX_VALUE);

        private ReadClock() {}

        /** Before a run. */
        static void reset() {
            firstNanos.set(Long.MAX_VALUE);
        }

        static void first(long now) {
            firstNanos.accumulateAndGet(now, Math::min);
        }

        /** The {@code System.nanoTime} of the first event read since {@link #reset}, or {@code Long.MAX_VALUE}. */
        static long firstNanos() {
            return firstNanos.get();
        }

        /** {@code events} per second from the first event read to {@code endNanos}, or 0 if none was read before it. */
        static double eventsPerSecond(long events, long endNanos) {
            long first = firstNanos.get();
            return first < endNanos ? events / ((endNanos - first) / 1e9) : 0;
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
        private transient boolean started;

        Interleaved(int n, int readers) {
            this.n = n;
            this.readers = readers;
        }

        @Override
        public void open(SourceReaderContext context) {
            lines = BenchEvents.current;
            started = false;
            partition = SourcePartitions.kafka(TOPIC, readers).assignedTo(context.getIndexOfSubtask(), readers).get(0);
        }

        @Override
        public RawRecord map(Long index) {
            if (!started) {
                started = true;
                ReadClock.first(System.nanoTime());
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
