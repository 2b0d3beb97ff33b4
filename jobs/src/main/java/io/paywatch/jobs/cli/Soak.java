package io.paywatch.jobs.cli;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * A soak of {@code ./paywatch run}: the demo's traffic into a real broker at a steady rate, the
 * job on RocksDB with checkpoints every 10 s, the alerts topic and a webhook receiver, for a long
 * time. Every sample reads the heap after a full GC (the job runs in this JVM), the size of the
 * latest checkpoint (from the job's own Prometheus endpoint), the consumer group's lag, the
 * threads and the open files; at the end it reports each one's slope, stops the job, and lists
 * what the job left behind (threads, open files). {@code ./paywatch bench --only soak} runs it
 * for 30 minutes; {@code SoakITCase} for two.
 */
public final class Soak {
    /**
     * Threads a JVM starts once and keeps, whichever job ran: not left behind by this one.
     * Flink's static scheduler of delayed futures (FutureUtils) is started by the first retry.
     */
    static final List<String> JVM_SINGLETONS = List.of("FlinkCompletableFutureDelayScheduler-thread-");
    /** One sample, {@code atMs} after the job started. */
    public static final class Sample {
        public long atMs;
        public long heapAfterGcBytes;
        public long checkpointBytes;
        public long consumerLag;
        public int threads;
        public long openFiles;
    }

    /** What a soak saw. */
    public static final class Result {
        public final List<Sample> samples = new ArrayList<>();
        public int threadsBefore;
        public int threadsAfter;
        public long openFilesBefore;
        public long openFilesAfter;
        /** Threads alive after the job stopped that were not there before it started, by name. */
        public List<String> threadsLeft = List.of();
        public long recordsProduced;
        public int webhookPages;
    }

    /** The rules' longest horizon: {@code charged_unfulfilled} waits 15 min for a fulfilment. */
    static final long WARM_UP_MS = 15 * 60_000L;

    private Soak() {}

    /**
     * @param bootstrap a running broker
     * @param paymentsPerSecond the traffic's rate (its fulfilments and refunds come on top)
     */
    public static Result run(String bootstrap, double paymentsPerSecond, long durationMs, long sampleEveryMs,
            Path workDir, PrintStream out) throws Exception {
        String topic = "soak-payments-" + System.currentTimeMillis();
        String alerts = topic.replace("payments", "alerts");
        String group = "soak-" + System.currentTimeMillis();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1), new NewTopic(alerts, 1, (short) 1)))
                    .all().get(60, TimeUnit.SECONDS);
        }
        Result result = new Result();
        System.gc();
        Set<String> before = threadNames();
        result.threadsBefore = before.size();
        result.openFilesBefore = openFiles();

        int[] pages = new int[1];
        HttpServer receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        receiver.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            synchronized (pages) {
                pages[0]++;
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        receiver.start();
        int prometheus;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            prometheus = s.getLocalPort();
        }
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        Thread producer = new Thread(() -> PayWatchCli.run(new String[] {"produce",
            "--bootstrap-servers", bootstrap, "--topic", topic, "--rate", String.valueOf(paymentsPerSecond),
            "--duration", durationMs + "ms", "--quiet"}, quiet, out), "soak-producer");
        producer.setDaemon(true);
        JobClient job = new JobCommand("run", new String[] {"run", "--bootstrap-servers", bootstrap,
            "--topic", topic, "--group-id", group, "--starting-offsets", "earliest", "--alerts-topic", alerts,
            "--webhook-url", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/soak",
            "--prometheus-port", String.valueOf(prometheus), "--state", "rocksdb", "--checkpoint-interval", "10s",
            "--checkpoint-dir", workDir.resolve("checkpoints").toString(), "--parallelism", "2", "--quiet"},
                quiet).prepare().env.executeAsync("paywatch-soak");
        long started = System.currentTimeMillis();
        producer.start();
        out.printf(Locale.ROOT, "soak: ./paywatch run on RocksDB, checkpoints every 10 s, %,.0f payments/s for %s;"
                + " a sample every %s%n", paymentsPerSecond, io.paywatch.model.Durations.format(durationMs),
                io.paywatch.model.Durations.format(sampleEveryMs));
        out.println("soak:   time  heap after GC  checkpoint   consumer lag  threads  open files");
        try {
            sampleUntil(job, bootstrap, group, topic, prometheus, started, durationMs, sampleEveryMs, result, out);
        } finally {
            job.cancel().get(60, TimeUnit.SECONDS);
            producer.join(60_000);
            receiver.stop(0);
        }
        synchronized (pages) {
            result.webhookPages = pages[0];
        }
        // what the job leaves once it is gone: threads that end take a moment to wind down
        long deadline = System.currentTimeMillis() + 30_000;
        do {
            System.gc();
            result.threadsLeft = new ArrayList<>(threadNames());
            result.threadsLeft.removeAll(before);
            result.threadsLeft.removeIf(t -> JVM_SINGLETONS.stream().anyMatch(t::startsWith));
            if (result.threadsLeft.isEmpty()) {
                break;
            }
            Thread.sleep(500); // polling the JVM's threads as they end
        } while (System.currentTimeMillis() < deadline);
        result.threadsAfter = threadNames().size();
        result.openFilesAfter = openFiles();
        report(result, durationMs, out);
        return result;
    }

    /** Samples until the end; its HTTP client and executor are gone when it returns (not the job's threads). */
    private static void sampleUntil(JobClient job, String bootstrap, String group, String topic, int prometheus,
            long started, long durationMs, long sampleEveryMs, Result result, PrintStream out) throws Exception {
        java.util.concurrent.ExecutorService sampler = java.util.concurrent.Executors.newCachedThreadPool();
        HttpClient http = HttpClient.newBuilder().executor(sampler).build();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            for (long next = started + sampleEveryMs; next <= started + durationMs; next += sampleEveryMs) {
                long wait = next - System.currentTimeMillis();
                if (wait > 0) {
                    Thread.sleep(wait); // the soak's pace: samples at fixed wall-clock times
                }
                if (job.getJobStatus().get().isGloballyTerminalState()) {
                    throw new IllegalStateException("the soak's job ended: " + job.getJobStatus().get());
                }
                Sample s = sample(http, admin, group, topic, prometheus, started);
                result.samples.add(s);
                out.printf(Locale.ROOT, "soak: %5dm%02ds  %8.1f MB  %7.1f MB  %,12d  %7d  %10d%n",
                        s.atMs / 60_000, s.atMs / 1000 % 60, s.heapAfterGcBytes / 1e6, s.checkpointBytes / 1e6,
                        s.consumerLag, s.threads, s.openFiles);
            }
            // the traffic's end (the producer stops at the duration too): everything it sent
            long deadline = System.currentTimeMillis() + 30_000;
            long total;
            do {
                total = endOffsets(admin, topic).values().stream().mapToLong(Long::longValue).sum();
            } while (total == 0 && System.currentTimeMillis() < deadline);
            result.recordsProduced = total;
        } finally {
            sampler.shutdownNow();
        }
    }

    private static Sample sample(HttpClient http, Admin admin, String group, String topic, int prometheus, long started)
            throws Exception {
        Sample s = new Sample();
        s.atMs = System.currentTimeMillis() - started;
        System.gc();
        s.heapAfterGcBytes = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        // the full size of the latest checkpoint (an incremental one uploads only its new files)
        s.checkpointBytes = (long) gauge(http, prometheus, "flink_jobmanager_job_lastCheckpointFullSize");
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
        long lag = 0;
        for (var e : endOffsets(admin, topic).entrySet()) {
            OffsetAndMetadata c = committed.get(e.getKey());
            lag += e.getValue() - (c == null ? 0 : c.offset());
        }
        s.consumerLag = lag;
        s.threads = ManagementFactory.getThreadMXBean().getThreadCount();
        s.openFiles = openFiles();
        return s;
    }

    private static Map<TopicPartition, Long> endOffsets(Admin admin, String topic) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < 2; p++) {
            latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        Map<TopicPartition, Long> end = new HashMap<>();
        admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).forEach((tp, o) -> end.put(tp, o.offset()));
        return end;
    }

    /** The largest value of a metric on the job's Prometheus endpoint (0 when it is not there yet). */
    private static double gauge(HttpClient http, int port, String name) throws Exception {
        HttpResponse<Stream<String>> r = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/metrics")).GET().build(), HttpResponse.BodyHandlers.ofLines());
        return r.body().filter(l -> l.startsWith(name + "{") || l.startsWith(name + " "))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).max().orElse(0);
    }

    /** The slope of {@code values} over the samples' times, per minute (least squares). */
    public static double slopePerMinute(List<Sample> samples, java.util.function.ToDoubleFunction<Sample> value) {
        int n = samples.size();
        if (n < 2) {
            return 0;
        }
        double mx = 0;
        double my = 0;
        for (Sample s : samples) {
            mx += s.atMs / 60_000.0;
            my += value.applyAsDouble(s);
        }
        mx /= n;
        my /= n;
        double sxy = 0;
        double sxx = 0;
        for (Sample s : samples) {
            double dx = s.atMs / 60_000.0 - mx;
            sxy += dx * (value.applyAsDouble(s) - my);
            sxx += dx * dx;
        }
        return sxx == 0 ? 0 : sxy / sxx;
    }

    private static void report(Result r, long durationMs, PrintStream out) {
        // the warm-up: state grows until the rules' longest horizon (15 min of unfulfilled charges;
        // dedup keeps 10 min) has passed once; a short soak can only leave out its first minute
        long warmUp = durationMs >= 2 * WARM_UP_MS ? WARM_UP_MS : Math.min(60_000, durationMs / 4);
        List<Sample> steady = r.samples.stream().filter(s -> s.atMs >= warmUp).collect(Collectors.toList());
        out.printf(Locale.ROOT, "soak: slopes after the first " + io.paywatch.model.Durations.format(warmUp)
                + ": heap %+.2f MB/min, checkpoint %+.3f MB/min,"
                        + " consumer lag %+,.0f records/min, threads %+.2f/min, open files %+.2f/min%n",
                slopePerMinute(steady, s -> s.heapAfterGcBytes / 1e6), slopePerMinute(steady, s -> s.checkpointBytes / 1e6),
                slopePerMinute(steady, s -> s.consumerLag), slopePerMinute(steady, s -> s.threads),
                slopePerMinute(steady, s -> s.openFiles));
        out.printf(Locale.ROOT, "soak: %,d records produced, %,d webhook pages; after the job stopped: threads %d (before it: %d),"
                + " open files %d (before: %d)%s%n", r.recordsProduced, r.webhookPages, r.threadsAfter, r.threadsBefore,
                r.openFilesAfter, r.openFilesBefore,
                r.threadsLeft.isEmpty() ? "" : "; threads left behind: " + String.join(", ", r.threadsLeft));
    }

    /** Live threads by name, numbers (pool-3-thread-7) kept: a new pool shows as new names. */
    private static Set<String> threadNames() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** This process's open file descriptors (Linux); -1 elsewhere. */
    static long openFiles() {
        Path fds = Path.of("/proc/self/fd");
        if (!Files.isDirectory(fds)) {
            return -1;
        }
        try (Stream<Path> s = Files.list(fds)) {
            return s.count();
        } catch (java.io.IOException e) {
            return -1;
        }
    }
}
