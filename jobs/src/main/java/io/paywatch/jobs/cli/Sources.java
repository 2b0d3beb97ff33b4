package io.paywatch.jobs.cli;

import io.paywatch.jobs.demo.Incident;
import io.paywatch.jobs.demo.Scenarios;
import io.paywatch.jobs.demo.TrafficGenerator;
import io.paywatch.jobs.ingest.JsonLinesFormat;
import io.paywatch.jobs.ingest.KafkaRawDeserializer;
import io.paywatch.jobs.ingest.OrderedSplitAssigner;
import io.paywatch.jobs.ingest.RawRecord;
import io.paywatch.jobs.ingest.SourcePartitions;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.api.connector.source.util.ratelimit.GuavaRateLimiter;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiter;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/** The three kinds of input: built-in traffic, replay files or a Kafka range, live Kafka. */
final class Sources {
    private final String command;
    private final CliArgs args;
    private final PrintStream out;
    /** Kafka client settings of --kafka-config (TLS, SASL, …). */
    final Properties kafkaConfig;
    /** The partitions of the source made last, for the event time gate. */
    SourcePartitions partitions = SourcePartitions.single();

    Sources(String command, CliArgs args, PrintStream out) {
        this.command = command;
        this.args = args;
        this.out = out;
        this.kafkaConfig = KafkaClientConfig.load(args.get("kafka-config"));
    }

    DataStream<RawRecord> demo(StreamExecutionEnvironment env) {
        long duration = args.durationMs("duration", "4m");
        double paymentsPerSecond =
                GenerateCommand.parseRate(args.get("rate"), JobCommand.DEMO_PAYMENTS_PER_SECOND);
        long seed = Long.parseLong(args.get("seed", "42"));
        // event time follows the wall clock: the demo is live traffic, after a stretch of
        // history replayed at full speed (what the adaptive rules learn a normal from)
        long liveStart = (System.currentTimeMillis() / 1000) * 1000;
        long start = liveStart - Scenarios.DEMO_HISTORY_MS;
        List<Incident> incidents = Scenarios.demoWithHistory(liveStart, duration);
        long historyLines = DemoTraffic.linesBefore(seed, start, paymentsPerSecond, incidents, liveStart,
                liveStart);
        double linesPerSecond = paymentsPerSecond * 2.95;
        long count = historyLines + (long) (linesPerSecond * duration / 1000.0);
        out.printf("paywatch demo: %d min of history at full speed (%,d lines), then %d s of built-in"
                        + " traffic, %.0f payments/s over %d merchants and 5 channels; a wallet outage"
                        + " starts 20 s in, timeouts at one merchant at 60 s, a merchant failure at 100 s,"
                        + " repeating every 5 min; bnpl is silent until 90 s and m-006 fails 22 %% (usually"
                        + " 1.5 %%) until 120 s%n",
                Scenarios.DEMO_HISTORY_MS / 60_000, historyLines, duration / 1000, paymentsPerSecond,
                JobCommand.DEMO_MERCHANTS);
        DataGeneratorSource<RawRecord> source = new DataGeneratorSource<>(
                new DemoTraffic(seed, start, paymentsPerSecond, incidents, liveStart), count,
                new HistoryThenLive(historyLines, linesPerSecond), TypeInformation.of(RawRecord.class));
        return env.fromSource(source, WatermarkStrategy.noWatermarks(), "built-in traffic")
                .uid("demo-source").setParallelism(1);
    }

    /** No limit for the history's lines, then the live rate. */
    static final class HistoryThenLive implements RateLimiterStrategy {
        private static final long serialVersionUID = 1L;
        private final long historyLines;
        private final double linesPerSecond;

        HistoryThenLive(long historyLines, double linesPerSecond) {
            this.historyLines = historyLines;
            this.linesPerSecond = linesPerSecond;
        }

        @Override
        public RateLimiter createRateLimiter(int parallelism) {
            RateLimiter live = new GuavaRateLimiter(linesPerSecond / parallelism);
            return new RateLimiter() {
                private long acquired;

                @Override
                public CompletionStage<Void> acquire() {
                    return acquired++ < historyLines ? CompletableFuture.completedFuture(null) : live.acquire();
                }
            };
        }
    }

    /** The demo's generator as a Flink generator function (parallelism 1, so one sequence). */
    static final class DemoTraffic implements GeneratorFunction<Long, RawRecord> {
        private static final long serialVersionUID = 1L;
        private final long seed;
        private final long start;
        private final double paymentsPerSecond;
        private final List<Incident> incidents;
        private final long liveStart;
        private transient TrafficGenerator generator;

        DemoTraffic(long seed, long start, double paymentsPerSecond, List<Incident> incidents, long liveStart) {
            this.seed = seed;
            this.start = start;
            this.paymentsPerSecond = paymentsPerSecond;
            this.incidents = new java.util.ArrayList<>(incidents);
            this.liveStart = liveStart;
        }

        private static TrafficGenerator generator(long seed, long start, double paymentsPerSecond,
                List<Incident> incidents, long liveStart) {
            TrafficGenerator.Noise noise = new TrafficGenerator.Noise();
            // late deliveries only live: a late fulfilment in the history would page
            // charged_unfulfilled 15 minutes later, in the first minute of the demo
            noise.lateFrom = liveStart;
            return new TrafficGenerator(seed, start, paymentsPerSecond, JobCommand.DEMO_MERCHANTS,
                    incidents, noise);
        }

        /** How many lines the generator writes before {@code time}: the history. */
        static long linesBefore(long seed, long start, double paymentsPerSecond, List<Incident> incidents,
                long liveStart, long time) {
            TrafficGenerator g = generator(seed, start, paymentsPerSecond, incidents, liveStart);
            long n = 0;
            while (g.peekTime() < time) {
                g.next();
                n++;
            }
            return n;
        }

        @Override
        public void open(SourceReaderContext readerContext) {
            generator = generator(seed, start, paymentsPerSecond, incidents, liveStart);
        }

        @Override
        public RawRecord map(Long index) {
            return RawRecord.ofText(generator.next(), "demo:" + (index + 1));
        }
    }

    DataStream<RawRecord> replay(StreamExecutionEnvironment env) throws IOException {
        List<String> inputs = args.all("input");
        boolean kafka = args.has("kafka-topic");
        if (inputs.isEmpty() == !kafka) {
            throw new UsageException("replay: give --input PATH (files) or --kafka-topic T with"
                    + " --from and --to, not both");
        }
        if (kafka) {
            return kafkaRange(env);
        }
        List<Path> files = expand(inputs);
        org.apache.flink.core.fs.Path[] paths = files.stream()
                .map(p -> new org.apache.flink.core.fs.Path(p.toUri()))
                .toArray(org.apache.flink.core.fs.Path[]::new);
        out.printf("paywatch replay: %d file(s), read in path order: %s%n", files.size(),
                files.size() <= 3 ? files.toString() : files.get(0) + " … " + files.get(files.size() - 1));
        FileSource<RawRecord> source = FileSource
                .forBulkFileFormat(new JsonLinesFormat(JobCommand.MAX_LINE_BYTES), paths)
                .setSplitAssigner(OrderedSplitAssigner::new)
                .build();
        // one reader: files are read one after another, so lateness is decided the same way on
        // every run; parsing stays on this thread, everything keyed runs in parallel after it
        return env.fromSource(source, WatermarkStrategy.noWatermarks(), "replay files")
                .uid("file-source").setParallelism(1);
    }

    private DataStream<RawRecord> kafkaRange(StreamExecutionEnvironment env) {
        String topic = args.get("kafka-topic");
        long from = JobCommand.parseTime(command, "from", args.required("from"));
        long to = JobCommand.parseTime(command, "to", args.required("to"));
        if (to <= from) {
            throw new UsageException("replay: --to must be after --from");
        }
        String servers = args.get("bootstrap-servers", "localhost:9092");
        int partitionCount = checkTopic(servers, topic);
        partitions = SourcePartitions.kafka(topic, partitionCount);
        boolean eventBasis = "event".equals(args.get("time-basis", "record"));
        long skew = eventBasis ? args.durationMs("max-clock-skew", "5m") : 0;
        long bound = args.durationMs("out-of-orderness", "5s");
        out.printf("paywatch replay: Kafka %s topic %s (%d partitions), %s times %s to %s%n",
                servers, topic, partitionCount, eventBasis ? "event" : "record",
                io.paywatch.model.Timestamps.rfc3339(from), io.paywatch.model.Timestamps.rfc3339(to));
        KafkaRange plan = KafkaRange.plan(clientProperties(servers), topic, from, to, eventBasis, skew, bound);
        for (String note : plan.notes) {
            out.println("paywatch replay: " + note);
        }
        KafkaSource<RawRecord> source = KafkaSource.<RawRecord>builder()
                .setBootstrapServers(servers)
                .setTopics(topic)
                .setGroupId("paywatch-replay")
                // the plan's offsets: what it reported is what is read
                .setStartingOffsets(OffsetsInitializer.offsets(plan.start))
                .setBounded(OffsetsInitializer.offsets(plan.stop))
                .setDeserializer(new KafkaRawDeserializer())
                .setProperties(kafkaConfig)
                .setProperty("commit.offsets.on.checkpoint", "false")
                .build();
        return env.fromSource(source, WatermarkStrategy.noWatermarks(), "kafka range " + topic)
                .uid("kafka-range-source");
    }

    DataStream<RawRecord> live(StreamExecutionEnvironment env) {
        String servers = args.required("bootstrap-servers");
        String topic = args.get("topic", "payments");
        String group = args.get("group-id", "paywatch");
        int partitionCount = checkTopic(servers, topic);
        partitions = SourcePartitions.kafka(topic, partitionCount);
        String start = args.get("starting-offsets", "committed");
        OffsetsInitializer offsets;
        switch (start) {
            case "committed":
                offsets = OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
                break;
            case "earliest":
                offsets = OffsetsInitializer.earliest();
                break;
            case "latest":
                offsets = OffsetsInitializer.latest();
                break;
            default:
                throw new UsageException("run: --starting-offsets must be committed, earliest or"
                        + " latest, got '" + start + "'");
        }
        out.printf("paywatch run: consuming %s topic %s (%d partitions) as group %s%n", servers,
                topic, partitionCount, group);
        KafkaSource<RawRecord> source = KafkaSource.<RawRecord>builder()
                .setBootstrapServers(servers)
                .setTopics(topic)
                .setGroupId(group)
                .setStartingOffsets(offsets)
                .setDeserializer(new KafkaRawDeserializer())
                .setProperties(kafkaConfig)
                .build();
        return env.fromSource(source, WatermarkStrategy.noWatermarks(), "kafka " + topic)
                .uid("kafka-source");
    }

    /**
     * The control topic (live rule changes), read from its beginning on a fresh start so the
     * changes apply in order (a restart resumes from the checkpointed offsets instead).
     */
    DataStream<RawRecord> control(StreamExecutionEnvironment env) {
        String servers = args.required("bootstrap-servers");
        String topic = args.get("control-topic");
        checkTopic(servers, topic);
        out.printf("paywatch run: rule changes from %s topic %s%n", servers, topic);
        KafkaSource<RawRecord> source = KafkaSource.<RawRecord>builder()
                .setBootstrapServers(servers)
                .setTopics(topic)
                .setGroupId(args.get("group-id", "paywatch") + "-control")
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setDeserializer(KafkaRawDeserializer.withSignatureHeaders())
                .setProperties(kafkaConfig)
                .build();
        return env.fromSource(source, WatermarkStrategy.noWatermarks(), "kafka control " + topic)
                .uid("kafka-control-source").setParallelism(1);
    }

    /**
     * Properties for a Kafka client of a command (producer or consumer): {@code --kafka-config}'s
     * and the servers, after checking that {@code topic} exists (one line if not).
     */
    Properties clientFor(String servers, String topic, Class<?> keyAndValueSerde) {
        checkTopic(servers, topic);
        Properties p = clientProperties(servers);
        boolean producer = org.apache.kafka.common.serialization.Serializer.class.isAssignableFrom(keyAndValueSerde);
        p.put(producer ? "key.serializer" : "key.deserializer", keyAndValueSerde.getName());
        p.put(producer ? "value.serializer" : "value.deserializer", keyAndValueSerde.getName());
        return p;
    }

    /** {@code --kafka-config}'s properties and the servers: what every Kafka client here starts from. */
    Properties clientProperties(String servers) {
        Properties p = new Properties();
        p.putAll(kafkaConfig);
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        return p;
    }

    /** Fails fast with one line when the broker is unreachable or the topic does not exist. */
    int checkTopicExists(String servers, String topic) {
        return checkTopic(servers, topic);
    }

    private int checkTopic(String servers, String topic) {
        Properties p = clientProperties(servers);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
        try (Admin admin = Admin.create(p)) {
            TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames()
                    .get(20, TimeUnit.SECONDS).get(topic);
            return d.partitions().size();
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException) {
                throw new UsageException(command + ": Kafka topic " + topic + " does not exist on " + servers);
            }
            if (e.getCause() instanceof org.apache.kafka.common.errors.AuthenticationException) {
                // SASL (a wrong password) or TLS (a certificate not trusted): it will not get better
                throw new UsageException(command + ": Kafka at " + servers + " refused the connection's"
                        + " credentials (check the security settings of --kafka-config): "
                        + PayWatchCli.rootMessage(e));
            }
            if (e.getCause() instanceof org.apache.kafka.common.errors.AuthorizationException) {
                throw new UsageException(command + ": Kafka at " + servers + " does not let this user"
                        + " describe topic " + topic + " (ACLs): " + PayWatchCli.rootMessage(e));
            }
            throw new UsageException(command + ": cannot reach Kafka at " + servers + ": "
                    + PayWatchCli.rootMessage(e));
        } catch (java.util.concurrent.TimeoutException e) {
            throw new UsageException(command + ": cannot reach Kafka at " + servers + " (no answer in 20 s)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UsageException(command + ": interrupted");
        } catch (org.apache.kafka.common.KafkaException e) {
            throw new UsageException(command + ": bad Kafka settings for " + servers + ": "
                    + PayWatchCli.rootMessage(e));
        }
    }

    /** Expands globs ({@code data/*.jsonl.gz}); each plain path must exist. Sorted, unique. */
    static List<Path> expand(List<String> inputs) throws IOException {
        List<Path> out = new ArrayList<>();
        for (String in : inputs) {
            if (in.contains("*") || in.contains("?") || in.contains("[")) {
                Path pattern = Paths.get(in).toAbsolutePath();
                Path dir = pattern.getParent();
                while (dir != null && (dir.toString().contains("*") || dir.toString().contains("?"))) {
                    dir = dir.getParent();
                }
                if (dir == null || !Files.isDirectory(dir)) {
                    throw new UsageException("replay: no directory for --input " + in);
                }
                PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
                Set<Path> matched = new TreeSet<>();
                try (var walk = Files.walk(dir)) {
                    walk.filter(Files::isRegularFile).filter(m::matches).forEach(matched::add);
                }
                if (matched.isEmpty()) {
                    throw new UsageException("replay: --input " + in + " matches no file");
                }
                out.addAll(matched);
            } else {
                Path p = Paths.get(in).toAbsolutePath();
                if (Files.isDirectory(p)) {
                    Set<Path> matched = new TreeSet<>();
                    try (DirectoryStream<Path> ds = Files.newDirectoryStream(p)) {
                        for (Path f : ds) {
                            String n = f.getFileName().toString();
                            if (Files.isRegularFile(f) && (n.endsWith(".jsonl") || n.endsWith(".jsonl.gz")
                                    || n.endsWith(".json") || n.endsWith(".gz"))) {
                                matched.add(f);
                            }
                        }
                    }
                    if (matched.isEmpty()) {
                        throw new UsageException("replay: directory " + in + " has no .jsonl or .jsonl.gz file");
                    }
                    out.addAll(matched);
                } else if (!Files.isRegularFile(p)) {
                    throw new UsageException("replay: input file " + in + " does not exist");
                } else if (!Files.isReadable(p)) {
                    throw new UsageException("replay: input file " + in + " is not readable");
                } else {
                    out.add(p);
                }
            }
        }
        return new ArrayList<>(new java.util.LinkedHashSet<>(out));
    }
}
