package io.paywatch.bench;

import com.sun.net.httpserver.HttpServer;
import io.paywatch.jobs.cli.PayWatchCli;
import java.io.File;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Detection latency of {@code ./paywatch run}: a real Kafka broker (the project's
 * {@code scripts/kafka.sh}), background traffic at a given rate, and every quarter of a second an
 * incident — ten timeouts of a fresh merchant within a few milliseconds, a {@code timeout_burst}.
 * The latency of one incident is from the moment its completing event is handed to the Kafka
 * producer to the moment its alert reaches a webhook receiver on loopback: an upper bound of
 * "Kafka append to alert" (it includes the producer's send).
 */
final class DetectionLatency {
    private static final int INCIDENT_EVERY_MS = 250;
    /** The merchants of the probe incidents that show the job is up (not measured). */
    private static final String PROBE = "m-lat-up-";

    private DetectionLatency() {}

    /** Events of the backlog that {@code run} reads first: what it sustains from Kafka here. */
    static final int BACKLOG = 600_000;
    /** Events sent as fast as the producer can once the backlog is read: what the machine carries end to end. */
    static final int SENT_WHILE_READING = 480_000;

    /**
     * @param rate the live traffic's events/s, or 0 for half of what producer, broker and job
     *     carried together here just before ({@link #sustainedEndToEnd}): the live traffic's
     *     producer and broker run on the same cores as the job, so a backlog read alone (what
     *     this was until 2026-12-07) overstated what the job can take while they run: at half of
     *     302,746 events/s the producer and broker left it too little and p99 was 1.6 s
     */
    static void measure(double rate, long boundMs, int seconds, String state, PrintStream out) throws Exception {
        Path home = home();
        Path dir = Files.createTempDirectory("paywatch-bench-latency");
        int port = freePort();
        Path kafkaScript = home.resolve("scripts/kafka.sh");
        out.println("bench: latency: starting a Kafka broker (scripts/kafka.sh)…");
        exec(out, "bash", kafkaScript.toString(), "start", dir.resolve("kafka").toString(),
                String.valueOf(port), String.valueOf(freePort()));
        String bootstrap = "127.0.0.1:" + port;
        Map<String, Long> sent = new ConcurrentHashMap<>();
        Map<String, Long> alerted = new ConcurrentHashMap<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        try {
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
                admin.createTopics(List.of(new NewTopic("payments", 2, (short) 1))).all().get(60, TimeUnit.SECONDS);
            }
            receiver.createContext("/", exchange -> {
                long now = System.currentTimeMillis();
                try (InputStream in = exchange.getRequestBody()) {
                    String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    int at = body.indexOf("\"merchant_id\":\"m-lat-");
                    if (at >= 0 && body.contains("\"status\":\"firing\"")) {
                        String merchant = body.substring(at + 15, body.indexOf('"', at + 15));
                        alerted.putIfAbsent(merchant, now);
                    }
                    exchange.sendResponseHeaders(200, -1);
                } finally {
                    exchange.close();
                }
            });
            receiver.start();
            String hook = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/alerts";
            String[] args = {"run", "--bootstrap-servers", bootstrap, "--topic", "payments", "--group-id",
                "bench-latency", "--starting-offsets", "earliest", "--webhook-url", hook,
                "--checkpoint-dir", dir.resolve("checkpoints").toString(), "--state", state,
                "--parallelism", String.valueOf(BenchSource.PARALLELISM),
                "--out-of-orderness", boundMs + "ms", "--quiet"};
            long backlogStart = System.currentTimeMillis() - 10_000;
            // the backlog also warms the job up: with --latency-rate too, so that a chosen rate
            // meets the same compiled job as the measured one (cold, at 114,000 events/s, it fell
            // two seconds behind in its first ten)
            boolean measureRate = rate <= 0;
            out.printf(Locale.ROOT, "bench: latency: a backlog of %,d events of the same traffic in the topic%s…%n",
                    BACKLOG, measureRate ? String.format(Locale.ROOT, ", %,d more to be sent while the job reads",
                            SENT_WHILE_READING) : "");
            produceBacklog(bootstrap, 0, BACKLOG, BACKLOG + SENT_WHILE_READING, backlogStart);
            // a replay earlier in this JVM left its count: without this reset the backlog could
            // look read before the job's own reset (in execute(), before it counts anything)
            io.paywatch.jobs.ingest.IngestProgress.reset();
            Thread job = new Thread(() -> PayWatchCli.run(args, new PrintStream(OutputStream.nullOutputStream()),
                    System.err), "bench-run");
            job.setDaemon(true); // the bench exits when it is done; the live job with it
            job.start();
            double alone = sustained(BACKLOG, job);
            out.printf(Locale.ROOT, "bench: latency: ./paywatch run read the backlog at %,.0f events/s (its last 80 %%,"
                    + " past the start and the JIT's warm-up)%n", alone);
            if (measureRate) {
                double[] together = sustainedEndToEnd(bootstrap, BACKLOG, SENT_WHILE_READING, backlogStart, job);
                rate = together[0] / 2;
                out.printf(Locale.ROOT, "bench: latency: the producer, the broker and the job together carried %,.0f"
                        + " events/s (%,d events sent as fast as the producer could while the job read them, from the"
                        + " first send to the job's reading the last; the producer was done at %,.0f events/s): the live"
                        + " traffic is half of that, %.0f %% of the backlog's rate%n",
                        together[0], SENT_WHILE_READING, together[1], 100 * rate / alone);
            }

            out.printf(Locale.ROOT, "bench: latency: ./paywatch run --state %s from Kafka, %,.0f events/s of traffic,"
                    + " out-of-orderness %d ms, %d s of incidents after 10 s of warm-up…%n", state, rate, boundMs, seconds);
            produce(bootstrap, rate, seconds, boundMs, sent, alerted);
            // in the order sent: the medians of each 5 s show whether the job kept up or fell behind
            List<Long> latencies = new ArrayList<>();
            StringBuilder medians = new StringBuilder();
            List<Long> slice = new ArrayList<>();
            int perSlice = 5_000 / INCIDENT_EVERY_MS;
            for (int i = 1; sent.containsKey("m-lat-" + i); i++) {
                Long a = alerted.get("m-lat-" + i);
                if (a != null) {
                    long latency = a - sent.get("m-lat-" + i);
                    latencies.add(latency);
                    slice.add(latency);
                }
                if (i % perSlice == 0 || !sent.containsKey("m-lat-" + (i + 1))) {
                    slice.sort(null);
                    medians.append(medians.length() == 0 ? "" : ", ").append(slice.isEmpty() ? "-" : slice.get(slice.size() / 2));
                    slice.clear();
                }
            }
            int planned = seconds * 1000 / INCIDENT_EVERY_MS;
            out.printf(Locale.ROOT, "bench: latency: p50 of each 5 s of incidents: %s ms%s%n", medians,
                    sent.size() < planned ? String.format(Locale.ROOT, "; only %d of %d incidents sent on time:"
                            + " the producer could not keep the rate on this machine (the load is above 50 %%)",
                            sent.size(), planned) : "");
            latencies.sort(null);
            if (latencies.isEmpty()) {
                out.println("bench: latency: NO alert arrived (see logs/)");
                return;
            }
            out.printf(Locale.ROOT, "bench: detection latency, Kafka → alert at the webhook: p50 %d ms, p99 %d ms,"
                            + " max %d ms over %d incidents (%d without an alert); target p99 ≤ 1,000 ms%n",
                    pct(latencies, 50), pct(latencies, 99), latencies.get(latencies.size() - 1), latencies.size(),
                    sent.size() - latencies.size());
            // when the slowest were sent: to hold against the job's log (checkpoints) and a GC log
            List<String> slowest = new ArrayList<>(sent.keySet());
            slowest.removeIf(m -> !alerted.containsKey(m) || m.startsWith(PROBE));
            slowest.sort((a, b) -> Long.compare(alerted.get(b) - sent.get(b), alerted.get(a) - sent.get(a)));
            StringBuilder when = new StringBuilder();
            for (String m : slowest.subList(0, Math.min(3, slowest.size()))) {
                when.append(when.length() == 0 ? "" : ", ").append(alerted.get(m) - sent.get(m)).append(" ms sent at ")
                        .append(java.time.Instant.ofEpochMilli(sent.get(m)));
            }
            out.println("bench: latency: the slowest incidents: " + when);
        } finally {
            receiver.stop(0);
            exec(out, "bash", kafkaScript.toString(), "stop", dir.resolve("kafka").toString());
            // the broker's log and the job's checkpoints: over a gigabyte per run
            PayWatchBench.deleteTree(dir);
        }
    }

    /**
     * {@code --only soak}: {@link io.paywatch.jobs.cli.Soak} on a broker of its own (scripts/kafka.sh),
     * a sample a minute.
     */
    static void soak(double paymentsPerSecond, long durationMs, PrintStream out) throws Exception {
        Path dir = Files.createTempDirectory("paywatch-bench-soak");
        int port = freePort();
        Path kafkaScript = home().resolve("scripts/kafka.sh");
        out.println("bench: soak: starting a Kafka broker (scripts/kafka.sh)…");
        exec(out, "bash", kafkaScript.toString(), "start", dir.resolve("kafka").toString(),
                String.valueOf(port), String.valueOf(freePort()));
        try {
            io.paywatch.jobs.cli.Soak.run("127.0.0.1:" + port, paymentsPerSecond, durationMs,
                    Math.min(60_000, Math.max(10_000, durationMs / 10)), dir, out);
        } finally {
            exec(out, "bash", kafkaScript.toString(), "stop", dir.resolve("kafka").toString());
            PayWatchBench.deleteTree(dir);
        }
    }

    /**
     * Events {@code from} to {@code to} of a backlog of {@code count}: the live traffic's payments,
     * as fast as the producer sends, with event times spread over the ten seconds from
     * {@code first} (then the live traffic's follow them) and ids of their own.
     */
    private static void produceBacklog(String bootstrap, int from, int to, int count, long first) throws Exception {
        SplittableRandom rnd = new SplittableRandom(11 + from);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig(bootstrap, "20"))) {
            for (int i = from; i < to; i++) {
                String pid = "backlog-" + i;
                producer.send(background(pid, first + i * 10_000L / count, rnd));
            }
            producer.flush();
        }
    }

    /**
     * What the producer, the broker and the job carry together on these cores, in events/s: once
     * the job has read the backlog, {@code more} events are sent as fast as the producer can while
     * the job reads them, timed from the first send to the job's reading the last (records counted
     * as they pass the event-time gate). Also returns the producer's own rate over the same events.
     */
    private static double[] sustainedEndToEnd(String bootstrap, int backlog, int more, long first, Thread job)
            throws Exception {
        java.util.concurrent.atomic.AtomicReference<Exception> failed = new java.util.concurrent.atomic.AtomicReference<>();
        long start = System.nanoTime();
        long[] producerDone = {0};
        Thread producer = new Thread(() -> {
            try {
                produceBacklog(bootstrap, backlog, backlog + more, backlog + more, first);
                producerDone[0] = System.nanoTime();
            } catch (Exception e) {
                failed.set(e);
            }
        }, "bench-backlog-producer");
        producer.start();
        long end = awaitRead(backlog + more, job);
        producer.join();
        if (failed.get() != null) {
            throw failed.get();
        }
        return new double[] {more / ((end - start) / 1e9), more / ((producerDone[0] - start) / 1e9)};
    }

    /**
     * Events/s of the job alone over the last 80 % of the backlog: from the moment it had read a
     * fifth of it to the moment it had read all.
     */
    private static double sustained(int backlog, Thread job) {
        long fifthAt = awaitRead(backlog / 5, job);
        long allAt = awaitRead(backlog, job);
        return (backlog - backlog / 5) / (Math.max(1, allAt - fifthAt) / 1e9);
    }

    /** Waits until the job has read {@code count} records; returns the {@code System.nanoTime} then. */
    private static long awaitRead(int count, Thread job) {
        long deadline = System.currentTimeMillis() + 300_000;
        while (true) {
            long read = io.paywatch.jobs.ingest.IngestProgress.RECORDS.sum();
            if (read >= count) {
                return System.nanoTime();
            }
            if (!job.isAlive()) {
                throw new IllegalStateException("./paywatch run stopped after reading " + read + " of the backlog's "
                        + count + " events (see logs/)");
            }
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("./paywatch run read " + read + " of " + count
                        + " events of the backlog in 5 minutes (see logs/)");
            }
            java.util.concurrent.locks.LockSupport.parkNanos(10_000_000L);
        }
    }

    private static Properties producerConfig(String bootstrap, String lingerMs) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.LINGER_MS_CONFIG, lingerMs);
        p.put(ProducerConfig.ACKS_CONFIG, "1");
        // batches of up to 256 KB: with 16 KB (the default, ~55 events) five requests in flight
        // bounded the producer to ~40k events/s here while the job read
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(128L * 1024 * 1024));
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return p;
    }

    /** Background payments at {@code rate}, incidents during the measured seconds, then a tail. */
    private static void produce(String bootstrap, double rate, int seconds, long boundMs,
            Map<String, Long> sent, Map<String, Long> alerted) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig(bootstrap, "2"))) {
            awaitFirstAlert(producer, alerted);
            produce(producer, rate, seconds, boundMs, sent, alerted);
        }
    }

    /**
     * Probe incidents, one every half second with no other traffic, until an alert of one arrives:
     * the job is up and reading. The warm-up starts then, so neither the job's start nor the traffic
     * it would owe from it is measured.
     */
    private static void awaitFirstAlert(KafkaProducer<String, String> producer, Map<String, Long> alerted) {
        long deadline = System.currentTimeMillis() + 180_000;
        for (int probe = 1; alerted.keySet().stream().noneMatch(m -> m.startsWith(PROBE)); probe++) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("no alert from ./paywatch run within 3 minutes of starting it (see logs/)");
            }
            sendIncident(producer, PROBE + probe);
            producer.flush();
            java.util.concurrent.locks.LockSupport.parkNanos(500_000_000L);
        }
    }

    /** Ten timeouts of a fresh merchant: a timeout_burst; returns when the tenth was handed to the producer. */
    private static long sendIncident(KafkaProducer<String, String> producer, String merchant) {
        long tenth = 0;
        for (int i = 1; i <= 10; i++) {
            String pid = merchant + "-" + i;
            long t = System.currentTimeMillis();
            if (i == 10) {
                tenth = t;
            }
            producer.send(new ProducerRecord<>("payments", pid, payment(pid, t, merchant, "202")));
        }
        return tenth;
    }

    private static void produce(KafkaProducer<String, String> producer, double rate, int seconds, long boundMs,
            Map<String, Long> sent, Map<String, Long> alerted) {
        SplittableRandom rnd = new SplittableRandom(7);
        long start = System.currentTimeMillis();
        long warmUpEnd = start + 10_000;
        long incidentsEnd = warmUpEnd + seconds * 1000L;
        long end = incidentsEnd + boundMs + 5_000; // traffic goes on: the watermark passes the last ones
        long produced = 0;
        long nextIncident = warmUpEnd;
        int incident = 0;
        for (long now = start; now < end || (now < end + 20_000 && !alerted.keySet().containsAll(sent.keySet()));
                now = System.currentTimeMillis()) {
            long due = (long) ((now - start) * rate / 1000);
            for (; produced < due; produced++) {
                String pid = "p-" + produced;
                producer.send(background(pid, now, rnd));
            }
            if (now >= nextIncident && now < incidentsEnd) {
                String merchant = "m-lat-" + (++incident);
                sent.put(merchant, sendIncident(producer, merchant));
                nextIncident += INCIDENT_EVERY_MS;
            }
            // no flush: it would wait for the broker's acknowledgement every 2 ms, so a slow
            // acknowledgement held the traffic back; linger.ms sends each batch within 2 ms
            java.util.concurrent.locks.LockSupport.parkNanos(2_000_000);
        }
    }

    /** One payment of the background traffic (backlog and live alike): 500 merchants, 6 % failed. */
    private static ProducerRecord<String, String> background(String pid, long time, SplittableRandom rnd) {
        return new ProducerRecord<>("payments", pid, payment(pid, time, "m-" + (1 + rnd.nextInt(500)),
                rnd.nextDouble() < 0.06 ? "101" : null));
    }

    private static String payment(String pid, long time, String merchant, String code) {
        return "{\"event_id\":\"e-" + pid + "\",\"event_time\":" + time + ",\"kind\":\"payment\",\"payment_id\":\""
                + pid + "\",\"order_id\":\"o-" + pid + "\",\"merchant_id\":\"" + merchant
                + "\",\"channel\":\"card\",\"status\":\"" + (code == null ? "succeeded" : "failed") + "\""
                + (code == null ? "" : ",\"code\":\"" + code + "\"") + ",\"amount_minor\":1000,\"currency\":\"CNY\"}";
    }

    private static long pct(List<Long> sorted, int p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    private static void exec(PrintStream out, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(180, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed: " + output);
        }
    }

    /** The repository (the launcher passes it; otherwise found above the working directory). */
    static Path home() {
        String h = System.getProperty("paywatch.home");
        if (h != null) {
            return Path.of(h);
        }
        for (File dir = new File("").getAbsoluteFile(); dir != null; dir = dir.getParentFile()) {
            if (new File(dir, "scripts/kafka.sh").isFile()) {
                return dir.toPath();
            }
        }
        throw new IllegalStateException("scripts/kafka.sh not found: run the bench with ./paywatch bench");
    }

    private static int freePort() throws java.io.IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
