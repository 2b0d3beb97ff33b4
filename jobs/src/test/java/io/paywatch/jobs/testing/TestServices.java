package io.paywatch.jobs.testing;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real servers of the integration tests, started once per JVM by the project's own scripts
 * on loopback and stopped when the JVM exits: every {@code *ITCase} of a run shares one Kafka
 * broker, one InfluxDB 1.x and one VictoriaMetrics (the InfluxDB 2.x write endpoint).
 */
public final class TestServices {
    private static String kafka;
    private static String influx;
    private static String victoria;
    private static final List<String[]> STOPS = new ArrayList<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (String[] stop : STOPS) {
                try {
                    new ProcessBuilder(stop).inheritIO().start().waitFor(20, TimeUnit.SECONDS);
                } catch (IOException | InterruptedException e) {
                    // the JVM is exiting; the next run formats fresh directories
                }
            }
        }));
    }

    private TestServices() {}

    private static Path kafkaDir;
    private static int kafkaPort;
    private static int kafkaControllerPort;

    /** Kafka bootstrap servers, e.g. {@code 127.0.0.1:40123}. */
    public static synchronized String kafka() {
        if (kafka == null) {
            kafkaPort = freePort();
            kafkaControllerPort = freePort();
            kafkaDir = workDir("kafka");
            start("kafka.sh", kafkaDir, kafkaPort, kafkaControllerPort);
            kafka = "127.0.0.1:" + kafkaPort;
        }
        return kafka;
    }

    /** A broker restart, first half: stops the shared broker (its script waits for the process to end). */
    public static synchronized void stopKafka() throws Exception {
        Process stop = new ProcessBuilder("bash", scripts().resolve("kafka.sh").toString(), "stop",
                kafkaDir.toString()).inheritIO().start();
        if (!stop.waitFor(30, TimeUnit.SECONDS) || stop.exitValue() != 0) {
            throw new IllegalStateException("the Kafka broker did not stop");
        }
    }

    /** The broker back: the same data, ports and topics. */
    public static synchronized void startKafkaAgain() {
        start("kafka.sh", kafkaDir, kafkaPort, kafkaControllerPort);
    }

    private static Path influxDir;
    private static int influxPort;

    /** InfluxDB 1.x base URL. */
    public static synchronized String influx() {
        if (influx == null) {
            influxPort = freePort();
            influxDir = workDir("influxdb");
            start("influxdb.sh", influxDir, influxPort);
            influx = "http://127.0.0.1:" + influxPort;
        }
        return influx;
    }

    /** An InfluxDB outage: stops the shared server and waits until it no longer answers. */
    public static synchronized void stopInflux() throws Exception {
        new ProcessBuilder("bash", scripts().resolve("influxdb.sh").toString(), "stop", influxDir.toString())
                .inheritIO().start().waitFor(20, TimeUnit.SECONDS);
        long deadline = System.currentTimeMillis() + 30_000;
        while (answers(influx + "/ping")) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("InfluxDB did not stop");
            }
            Thread.sleep(100); // polling the server's state
        }
    }

    /** The end of the outage: the same server, data and port again. */
    public static synchronized void startInfluxAgain() {
        start("influxdb.sh", influxDir, influxPort);
    }

    private static boolean answers(String url) {
        try {
            java.net.HttpURLConnection c = (java.net.HttpURLConnection) new java.net.URL(url).openConnection();
            c.setConnectTimeout(500);
            c.setReadTimeout(500);
            return c.getResponseCode() > 0;
        } catch (IOException down) {
            return false;
        }
    }

    private static String alertmanager;
    private static int alertmanagerReceiverPort;

    /**
     * Prometheus Alertmanager's base URL. It notifies a webhook receiver on
     * {@link #alertmanagerReceiverPort()} ({@code /alertmanager}), which a test opens itself.
     */
    public static synchronized String alertmanager() {
        if (alertmanager == null) {
            int port = freePort();
            alertmanagerReceiverPort = freePort();
            start("alertmanager.sh", workDir("alertmanager"), port, alertmanagerReceiverPort);
            alertmanager = "http://127.0.0.1:" + port;
        }
        return alertmanager;
    }

    public static synchronized int alertmanagerReceiverPort() {
        alertmanager();
        return alertmanagerReceiverPort;
    }

    private static String securedKafka;
    private static Path securedKafkaDir;

    /** The environment variables with the secured broker's passwords, as a user would have them. */
    public static final String KAFKA_PASSWORD_ENV = "PAYWATCH_IT_KAFKA_PASSWORD";
    public static final String KAFKA_STORE_PASSWORD_ENV = "PAYWATCH_IT_KAFKA_STORE_PASSWORD";

    /**
     * A second broker that speaks only SASL_SSL (SCRAM-SHA-512, user {@code paywatch} with the
     * password in {@link #KAFKA_PASSWORD_ENV}; a CA and certificate made with keytool at start):
     * its bootstrap servers. {@link #securedKafkaTrustStore()} is the clients' trust store.
     */
    public static synchronized String securedKafka() {
        if (securedKafka == null) {
            int port = freePort();
            securedKafkaDir = workDir("kafka-secured");
            Map<String, String> env = Map.of(
                    "KAFKA_ADMIN_PASSWORD", java.util.UUID.randomUUID().toString(),
                    "KAFKA_PAYWATCH_PASSWORD", requiredEnv(KAFKA_PASSWORD_ENV),
                    "KAFKA_STORE_PASSWORD", requiredEnv(KAFKA_STORE_PASSWORD_ENV));
            start("kafka.sh", "start-secured", env, securedKafkaDir, port, freePort());
            securedKafka = "127.0.0.1:" + port;
        }
        return securedKafka;
    }

    public static synchronized Path securedKafkaTrustStore() {
        securedKafka();
        return securedKafkaDir.resolve("truststore.p12");
    }

    private static String requiredEnv(String name) {
        String v = System.getenv(name);
        if (v == null) {
            throw new IllegalStateException(name + " is not set: the ITCases run with the pom's environment");
        }
        return v;
    }

    /** VictoriaMetrics base URL (accepts InfluxDB's /api/v2/write). */
    public static synchronized String victoria() {
        if (victoria == null) {
            int port = freePort();
            start("victoria-metrics.sh", workDir("victoria"), port);
            victoria = "http://127.0.0.1:" + port;
        }
        return victoria;
    }

    private static void start(String script, Path dir, int... ports) {
        start(script, "start", Map.of(), dir, ports);
    }

    private static void start(String script, String how, Map<String, String> env, Path dir, int... ports) {
        Path s = scripts().resolve(script);
        List<String> cmd = new ArrayList<>(List.of("bash", s.toString(), how, dir.toString()));
        for (int p : ports) {
            cmd.add(String.valueOf(p));
        }
        try {
            ProcessBuilder b = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(dir.resolveSibling(dir.getFileName() + "-start.log").toFile());
            b.environment().putAll(env);
            Process p = b.start();
            if (!p.waitFor(180, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(script + " failed to start; see "
                        + dir.resolveSibling(dir.getFileName() + "-start.log"));
            }
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("cannot run " + script, e);
        }
        STOPS.add(new String[] {"bash", s.toString(), "stop", dir.toString()});
    }

    private static Path workDir(String name) {
        try {
            Path base = Paths.get("target", "it-services").toAbsolutePath();
            Files.createDirectories(base);
            return Files.createTempDirectory(base, name + "-");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The repository's scripts folder, found from the module's working directory. */
    public static Path scripts() {
        File dir = new File("").getAbsoluteFile();
        while (dir != null) {
            File s = new File(dir, "scripts/kafka.sh");
            if (s.isFile()) {
                return s.getParentFile().toPath();
            }
            dir = dir.getParentFile();
        }
        throw new IllegalStateException("scripts/ not found above " + new File("").getAbsolutePath());
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
