package io.paywatch.jobs.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A real standalone Flink cluster on loopback: a JobManager and TaskManagers as separate JVMs
 * from Flink's Maven jars (this test JVM's classpath), started as Flink's own scripts would
 * (the TaskManager's memory options from {@code BashJavaUtils}). See ../shared/INFRA.md.
 */
public final class FlinkCluster implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final Path conf;
    public final int restPort;
    private final List<Process> processes = new ArrayList<>();
    public final List<Process> taskManagers = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private final String classpath;

    public FlinkCluster(Path dir, int taskManagers) throws Exception {
        this.dir = dir;
        this.conf = Files.createDirectories(dir.resolve("conf"));
        this.restPort = freePort();
        this.classpath = flinkClasspath();
        int rpcPort = freePort();
        Files.writeString(conf.resolve("config.yaml"), String.join("\n",
                "jobmanager.rpc.address: 127.0.0.1",
                "jobmanager.rpc.port: " + rpcPort,
                "jobmanager.bind-host: 127.0.0.1",
                "rest.address: 127.0.0.1",
                "rest.bind-address: 127.0.0.1",
                "rest.port: " + restPort,
                "taskmanager.bind-host: 127.0.0.1",
                "taskmanager.host: 127.0.0.1",
                "jobmanager.memory.process.size: 1024m",
                "taskmanager.memory.process.size: 1280m",
                "taskmanager.numberOfTaskSlots: 2",
                // a job at parallelism 2 gets one slot on each TaskManager: killing either hits it
                "cluster.evenly-spread-out-slots: true",
                "heartbeat.interval: 2000",
                "heartbeat.timeout: 10000",
                // the TaskManagers' working directories (blobs, RocksDB), killed with them: inside
                // the test's directory, not left in the machine's /tmp (a quarter of a GB each)
                "io.tmp.dirs: " + Files.createDirectories(dir.resolve("io-tmp")),
                ""));
        Files.writeString(conf.resolve("log4j.properties"), String.join("\n",
                "rootLogger.level = INFO",
                "rootLogger.appenderRef.file.ref = file",
                "appender.file.type = File",
                "appender.file.name = file",
                "appender.file.fileName = ${sys:log.file}",
                "appender.file.layout.type = PatternLayout",
                "appender.file.layout.pattern = %d{HH:mm:ss,SSS} %-5p %c{1} [%t] %m%n",
                ""));
        processes.add(start("jobmanager", List.of(),
                "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint", List.of()));
        List<String> tmParams = bashJavaUtils("GET_TM_RESOURCE_PARAMS");
        List<String> jvm = Arrays.asList(tmParams.get(0).trim().split("\\s+"));
        List<String> dynamic = Arrays.asList(tmParams.get(1).trim().split("\\s+"));
        for (int i = 1; i <= taskManagers; i++) {
            Process tm = start("taskmanager-" + i, jvm, "org.apache.flink.runtime.taskexecutor.TaskManagerRunner", dynamic);
            processes.add(tm);
            this.taskManagers.add(tm);
        }
        long deadline = System.currentTimeMillis() + 90_000;
        while (true) {
            try {
                if (get("/taskmanagers").path("taskmanagers").size() == taskManagers) {
                    break;
                }
            } catch (IOException notYet) {
                // the REST endpoint is starting
            }
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("the Flink cluster did not come up; see " + dir);
            }
            Thread.sleep(200); // polling the cluster's REST API for an observable state
        }
    }

    /** The JVM flags every Flink JVM needs on Java 17 (as this test JVM got them). */
    public static List<String> moduleFlags() {
        List<String> out = new ArrayList<>();
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-opens") || a.startsWith("--add-exports") || a.startsWith("-XX:+Ignore")) {
                out.add(a);
            }
        }
        return out;
    }

    /**
     * Flink's jars without PayWatch's own classes and its connectors: those come from the job's
     * jar only, as on a real cluster (two copies of a class break the job graph's deserialisation).
     */
    static String flinkClasspath() throws IOException {
        List<String> entries = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            if (e.contains("surefirebooter") && e.endsWith(".jar")) {
                try (java.util.jar.JarFile booter = new java.util.jar.JarFile(e)) {
                    String cp = booter.getManifest().getMainAttributes().getValue("Class-Path");
                    for (String url : cp.trim().split("\\s+")) {
                        entries.add(Paths.get(URI.create(url)).toString());
                    }
                }
            } else {
                entries.add(e);
            }
        }
        Path project = Paths.get("").toAbsolutePath().getParent();
        List<String> flink = new ArrayList<>();
        for (String e : entries) {
            Path p = Paths.get(e).toAbsolutePath();
            String name = p.getFileName().toString();
            // nor what a Flink distribution's lib/ leaves to the job jar: connectors, CEP, clients
            boolean jobsOwn = name.contains("kafka") || name.contains("influxdb") || name.startsWith("flink-cep")
                    || name.startsWith("flink-connector-kafka");
            if (!p.startsWith(project) && !e.contains("/io/paywatch/") && !jobsOwn) {
                flink.add(e);
            }
        }
        return String.join(java.io.File.pathSeparator, flink);
    }

    public static String java() {
        return Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    }

    private Process start(String name, List<String> jvm, String main, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(java());
        cmd.addAll(jvm);
        cmd.addAll(moduleFlags());
        cmd.add("-Dlog.file=" + dir.resolve(name + ".log"));
        cmd.add("-Dlog4j.configurationFile=" + conf.resolve("log4j.properties").toUri());
        cmd.add("-cp");
        cmd.add(classpath);
        cmd.add(main);
        cmd.add("--configDir");
        cmd.add(conf.toString());
        cmd.addAll(args);
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".out").toFile()).start();
    }

    private List<String> bashJavaUtils(String what) throws Exception {
        Process p = new ProcessBuilder(java(), "-cp", classpath,
                "org.apache.flink.runtime.util.bash.BashJavaUtils", what, "--configDir", conf.toString())
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        List<String> results = new ArrayList<>();
        for (String line : output.split("\n")) {
            if (line.startsWith("BASH_JAVA_UTILS_EXEC_RESULT:")) {
                results.add(line.substring("BASH_JAVA_UTILS_EXEC_RESULT:".length()));
            }
        }
        if (results.size() < 2) {
            throw new IllegalStateException("BashJavaUtils " + what + " gave: " + output);
        }
        return results;
    }

    /** {@code flink run} of a job jar (attached: the client stays while the job runs). */
    public Process submit(Path jar, String mainClass, List<String> args, Path log) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(java());
        cmd.addAll(moduleFlags());
        cmd.add("-Dlog.file=" + dir.resolve("client.log"));
        cmd.add("-Dlog4j.configurationFile=" + conf.resolve("log4j.properties").toUri());
        cmd.add("-cp");
        cmd.add(classpath);
        cmd.add("org.apache.flink.client.cli.CliFrontend");
        cmd.addAll(List.of("run", "-m", "127.0.0.1:" + restPort, "-c", mainClass, jar.toString()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("FLINK_CONF_DIR", conf.toString());
        return pb.start();
    }

    /**
     * The TaskManager process that runs tasks of the job (found by the resource id the REST API
     * reports and the TaskManager logged when it started), so that killing it hits the job.
     */
    public Process taskManagerRunning(String jobId) throws IOException {
        for (JsonNode vertex : get("/jobs/" + jobId).path("vertices")) {
            for (JsonNode tm : get("/jobs/" + jobId + "/vertices/" + vertex.path("id").asText() + "/taskmanagers")
                    .path("taskmanagers")) {
                String id = tm.path("taskmanager-id").asText();
                for (int i = 0; i < taskManagers.size(); i++) {
                    Path log = dir.resolve("taskmanager-" + (i + 1) + ".log");
                    if (!id.isEmpty() && Files.exists(log) && Files.readString(log).contains(id)) {
                        return taskManagers.get(i);
                    }
                }
            }
        }
        throw new IllegalStateException("no TaskManager of job " + jobId + " found in the logs under " + dir);
    }

    public JsonNode get(String path) throws IOException {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + restPort + path))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(r.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        for (Process p : processes) {
            p.destroyForcibly();
        }
        for (Process p : processes) {
            try {
                p.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
