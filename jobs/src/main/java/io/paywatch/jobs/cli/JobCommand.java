package io.paywatch.jobs.cli;

import io.paywatch.jobs.PaymentMonitorJob;
import io.paywatch.jobs.PipelineSettings;
import io.paywatch.jobs.demo.Scenarios;
import io.paywatch.jobs.ingest.EventParser;
import io.paywatch.jobs.ingest.EventTimeParser;
import io.paywatch.jobs.ingest.IngestProgress;
import io.paywatch.jobs.ingest.RawRecord;
import io.paywatch.jobs.sinks.InfluxClient;
import io.paywatch.jobs.sinks.InfluxTarget;
import io.paywatch.model.RuleSettings;
import io.paywatch.model.Timestamps;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** {@code demo}, {@code replay} and {@code run}: one pipeline, three kinds of source. */
final class JobCommand {
    private static final List<String> NOT_YET = List.of();

    private final String command;
    private final CliArgs args;
    private final PrintStream out;

    /** @param argv the whole command line, the command first ({@code run --bootstrap-servers …}) */
    JobCommand(String command, String[] argv, PrintStream out) {
        this(command, CommandLines.parse(argv), out);
    }

    JobCommand(String command, CliArgs args, PrintStream out) {
        this.command = command;
        this.args = args;
        this.out = out;
    }

    /** The wired job, ready to execute. */
    static final class Prepared {
        final StreamExecutionEnvironment env;
        final boolean bounded;
        final OutputFiles files;
        final int parallelism;
        final String state;

        Prepared(StreamExecutionEnvironment env, boolean bounded, OutputFiles files, int parallelism,
                String state) {
            this.env = env;
            this.bounded = bounded;
            this.files = files;
            this.parallelism = parallelism;
            this.state = state;
        }
    }

    int execute() throws Exception {
        Prepared job = prepare();
        IngestProgress.reset();
        io.paywatch.jobs.metrics.AlertOutputMetrics.LATEST.set(Long.MIN_VALUE);
        Progress progress = args.has("quiet") || command.equals("demo") ? null
                : Progress.start(command, out);
        out.printf("paywatch %s: parallelism %d, %s state%s, rules: %s%n", command, job.parallelism,
                job.state, embeddedStateMemory(job), args.has("rules") ? args.get("rules")
                        : command.equals("demo") ? "defaults, with failure_rate_anomaly and traffic_drop on"
                        : "defaults");
        JobExecutionResult result;
        try {
            result = job.env.execute("paywatch-" + command);
        } finally {
            if (progress != null) {
                progress.stop();
            }
        }
        if (result instanceof org.apache.flink.core.execution.DetachedJobExecutionResult) {
            // flink run -d: the job runs on the cluster; its results are the cluster's to report
            out.printf("paywatch %s: submitted job %s (detached)%n", command, result.getJobID());
            return 0;
        }
        if (job.bounded) {
            job.files.sortForReproducibility();
        }
        printSummary(result, job.files);
        if (compareCurrentAlerts != null) {
            writeComparison(job.files.alerts);
        }
        if (args.has("report")) {
            writeReport(job.files, settingsUsed.rules);
        }
        for (Path t : temporaries) {
            Files.deleteIfExists(t);
        }
        return 0;
    }

    /**
     * ", 512 MB for RocksDB" when RocksDB runs in the embedded Flink (on a cluster its TaskManagers'
     * configuration decides, and nothing is said).
     */
    static String embeddedStateMemory(Prepared job) {
        String size = job.env.getConfiguration().toMap().get("taskmanager.memory.managed.size");
        if (!(job.env instanceof org.apache.flink.streaming.api.environment.LocalStreamEnvironment) || size == null) {
            return "";
        }
        return ", " + org.apache.flink.configuration.MemorySize.parse(size).getMebiBytes() + " MB for RocksDB";
    }

    private java.nio.file.Path compareCurrentAlerts;
    private final List<Path> temporaries = new java.util.ArrayList<>();
    private PipelineSettings settingsUsed;

    private Path temporary(String prefix, String suffix) throws IOException {
        Path t = Files.createTempFile(prefix, suffix);
        temporaries.add(t);
        return t;
    }

    private void writeReport(OutputFiles files, RuleSettings rules) throws IOException {
        Path report = Paths.get(args.get("report"));
        String title = "PayWatch replay report: " + String.join(", ", args.all("input").isEmpty()
                ? List.of("Kafka topic " + args.get("kafka-topic")) : args.all("input"));
        String html = io.paywatch.jobs.backtest.ReplayReport.html(title,
                Files.readAllLines(Paths.get(files.alerts)), Files.readAllLines(Paths.get(files.metrics)),
                rules.failureRate().minVolume, rules.failureRate().bucketCount());
        Path parent = report.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(report, html);
        out.println("  wrote report: " + report + " (open it in a browser)");
    }

    private RuleSettings compareRules() {
        String file = args.get("compare-rules");
        String outFile = args.get("compare-out");
        if (file == null && outFile == null) {
            return null;
        }
        if (!command.equals("replay")) {
            throw new UsageException(command + ": --compare-rules is for replay");
        }
        if (file == null || outFile == null) {
            throw new UsageException(command + ": --compare-rules and --compare-out go together");
        }
        return rulesFile(file);
    }

    /** Backtesting: the incidents of the candidate rules (--rules) against the current ones. */
    private void writeComparison(String candidateAlertsFile) throws IOException {
        List<String> candidate = Files.readAllLines(Paths.get(candidateAlertsFile));
        List<String> current = Files.readAllLines(compareCurrentAlerts);
        io.paywatch.jobs.backtest.RuleComparison c =
                io.paywatch.jobs.backtest.RuleComparison.compare(candidate, current);
        Path target = Paths.get(args.get("compare-out"));
        Files.writeString(target, c.toJson(args.has("rules") ? args.get("rules") : "defaults",
                args.get("compare-rules")));
        out.printf("paywatch replay: rules %s (candidate) against %s (current):%n",
                args.has("rules") ? args.get("rules") : "defaults", args.get("compare-rules"));
        c.summary().forEach(out::println);
        out.println("  wrote comparison: " + target);

    }

    /** Checks the flags and the servers, then wires sources, pipeline and sinks. */
    Prepared prepare() throws Exception {
        for (String flag : NOT_YET) {
            if (args.has(flag)) {
                throw new UsageException(command + ": --" + flag
                        + " is part of the contract but not built yet in this version");
            }
        }
        RuleSettings rules = loadRules();
        long outOfOrderness = args.durationMs("out-of-orderness", "5s");
        long idleAdvance = command.equals("run") ? args.durationOrZeroMs("idle-advance", "30m") : 0;
        if (!command.equals("run") && args.has("idle-advance")) {
            throw new UsageException(command + ": --idle-advance is for run (a replay ends with its data)");
        }
        long idleTimeout = PipelineSettings.DEFAULT_IDLE_TIMEOUT_MS;
        if (args.has("idle-timeout")) {
            if (!command.equals("run")) {
                throw new UsageException(command + ": --idle-timeout is for run (a replay's partitions are never idle)");
            }
            idleTimeout = args.durationMs("idle-timeout", "30s");
        }
        RuleSettings compareRules = compareRules();
        PipelineSettings settings = new PipelineSettings(rules, outOfOrderness,
                PipelineSettings.DEFAULT_DEDUP_HORIZON_MS, idleTimeout, idleAdvance, compareRules);
        if (args.has("time-basis") || args.has("max-clock-skew")) {
            if (!args.has("kafka-topic")) {
                throw new UsageException(command + ": --time-basis and --max-clock-skew are for a Kafka range (--kafka-topic)");
            }
            String basis = args.get("time-basis", "record");
            if (!basis.equals("record") && !basis.equals("event")) {
                throw new UsageException(command + ": --time-basis must be record or event, got '" + basis + "'");
            }
            if (basis.equals("record") && args.has("max-clock-skew")) {
                throw new UsageException(command + ": --max-clock-skew is for --time-basis event");
            }
            if (basis.equals("event")) {
                settings = settings.withEventTimeRange(parseTime(command, "from", args.required("from")),
                        parseTime(command, "to", args.required("to")));
            }
        }
        if (args.has("control-secret-env")) {
            if (!args.has("control-topic")) {
                throw new UsageException(command + ": --control-secret-env needs --control-topic");
            }
            args.secretFromEnv("control-secret-env"); // the job reads it where it runs
            settings = settings.withControlSecretEnv(args.get("control-secret-env"));
        }
        settingsUsed = settings;
        InfluxTarget influx = influxTarget();
        if (influx != null) {
            try (InfluxClient client = InfluxClient.create(influx)) {
                client.ensureReady();
            } catch (IOException e) {
                throw new UsageException(command + ": " + e.getMessage());
            }
        }
        String alertsOut = args.get("alerts-out");
        String metricsOut = args.get("metrics-out");
        if (args.has("report") && !command.equals("replay")) {
            throw new UsageException(command + ": --report is for replay");
        }
        if ((compareRules != null || args.has("report")) && alertsOut == null) {
            alertsOut = temporary("paywatch-alerts", ".jsonl").toString();
        }
        if (args.has("report") && metricsOut == null) {
            metricsOut = temporary("paywatch-metrics", ".lp").toString();
        }
        if (compareRules != null) {
            compareCurrentAlerts = temporary("paywatch-current-alerts", ".jsonl");
        }
        OutputFiles files = new OutputFiles(alertsOut, metricsOut, args.get("dead-letter-out"));
        files.checkWritable(command);

        int parallelism = args.intValue("parallelism", Runtime.getRuntime().availableProcessors());
        String state = args.get("state", command.equals("run") ? "rocksdb" : "heap");
        if (!state.equals("heap") && !state.equals("rocksdb")) {
            throw new UsageException(command + ": --state must be heap or rocksdb, got '" + state + "'");
        }
        Configuration conf = flinkConfiguration(parallelism, state);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        io.paywatch.jobs.runtime.NetworkBuffers.apply(env);

        DataStream<RawRecord> raw;
        Sources sources = new Sources(command, args, out);
        boolean bounded;
        switch (command) {
            case "demo":
                raw = sources.demo(env);
                bounded = true;
                break;
            case "replay":
                raw = sources.replay(env);
                bounded = true;
                break;
            default:
                raw = sources.live(env);
                bounded = false;
        }

        DataStream<RawRecord> control = null;
        if (args.has("control-topic")) {
            if (!command.equals("run")) {
                throw new UsageException(command + ": --control-topic is for run (a replay applies"
                        + " the rules file; put the changes in it)");
            }
            control = sources.control(env);
        }
        PaymentMonitorJob.Outputs outputs = PaymentMonitorJob.build(raw, sources.partitions, settings, control);
        Outputs.Options options = new Outputs.Options();
        options.files = files;
        options.influx = influx;
        options.runId = args.get("run-id");
        options.consoleTable = command.equals("demo");
        options.minVolume = rules.failureRate().minVolume;
        options.webhooks = webhookTargets();
        if (args.has("webhook-retry-for") || command.equals("run")) {
            // live: ride out a receiver's outage; a replay gives up after six attempts (~15 s)
            long retryFor = args.durationMs("webhook-retry-for", "10m");
            if (retryFor <= 0) {
                throw new UsageException(command + ": --webhook-retry-for must be positive");
            }
            options.webhookRetry = io.paywatch.jobs.delivery.RetryPolicy.retryFor(retryFor, 500, 30_000);
        }
        if (args.has("alertmanager-url")) {
            String am = args.get("alertmanager-url");
            if (!am.startsWith("http://") && !am.startsWith("https://")) {
                throw new UsageException(command + ": --alertmanager-url must start with http:// or https://");
            }
            options.alertmanagerUrl = am;
            options.alertmanagerResendMs = args.durationMs("alertmanager-resend", "1m");
            String inhibition = args.get("alertmanager-inhibition", "paywatch");
            if (!inhibition.equals("paywatch") && !inhibition.equals("alertmanager")) {
                throw new UsageException(command + ": --alertmanager-inhibition must be paywatch or alertmanager, got '"
                        + io.paywatch.model.PlainText.visible(inhibition) + "'");
            }
            options.alertmanagerInhibits = inhibition.equals("alertmanager");
        } else if (args.has("alertmanager-inhibition")) {
            throw new UsageException(command + ": --alertmanager-inhibition needs --alertmanager-url");
        }
        options.compareAlertsFile = compareCurrentAlerts == null ? null : compareCurrentAlerts.toString();
        if (args.has("alerts-topic")) {
            options.alertsTopic = args.get("alerts-topic");
            options.alertsBootstrapServers = args.get("bootstrap-servers");
            if (options.alertsBootstrapServers == null) {
                throw new UsageException(command + ": --alerts-topic needs --bootstrap-servers");
            }
            sources.checkTopicExists(options.alertsBootstrapServers, options.alertsTopic);
            options.alertsExactlyOnce = command.equals("run");
            options.transactionalIdPrefix = "paywatch-alerts-" + args.get("group-id", "paywatch");
            options.kafkaConfig = sources.kafkaConfig;
        }
        options.consoleAlerts = !args.has("quiet") || command.equals("demo");
        Outputs.attach(outputs, options);
        return new Prepared(env, bounded, files, parallelism, state);
    }

    private void printSummary(JobExecutionResult result, OutputFiles files) {
        long max = IngestProgress.MAX_EVENT_TIME.get();
        out.printf(Locale.ROOT,
                "paywatch %s: done in %.1f s: %d records, %d accepted, %d rejected, %d duplicates,"
                        + " %d late; event time up to %s; %d alert transitions%n",
                command, result.getNetRuntime() / 1000.0, IngestProgress.RECORDS.sum(),
                IngestProgress.ACCEPTED.sum(), IngestProgress.REJECTED.sum(),
                IngestProgress.DUPLICATES.sum(), IngestProgress.LATE.sum(),
                max == Long.MIN_VALUE ? "-" : Timestamps.rfc3339(max), Outputs.ALERT_COUNT.sum());
        for (String line : files.describe(temporaries)) {
            out.println("  wrote " + line);
        }
    }

    private List<io.paywatch.jobs.delivery.WebhookTarget> webhookTargets() {
        List<String> urls = args.all("webhook-url");
        List<String> formats = args.all("webhook-format");
        if (urls.isEmpty()) {
            if (!formats.isEmpty() || args.has("webhook-secret-env")) {
                throw new UsageException(command + ": --webhook-format/--webhook-secret-env need --webhook-url");
            }
            return List.of();
        }
        if (formats.size() > 1 && formats.size() != urls.size()) {
            throw new UsageException(command + ": give one --webhook-format for all receivers or one"
                    + " per --webhook-url (" + urls.size() + ")");
        }
        String secretEnv = args.get("webhook-secret-env");
        args.secretFromEnv("webhook-secret-env"); // set here, or one line now rather than at the first page
        long timeout = args.durationMs("webhook-timeout", "10s");
        List<io.paywatch.jobs.delivery.WebhookTarget> out = new java.util.ArrayList<>();
        for (int i = 0; i < urls.size(); i++) {
            String url = urls.get(i);
            if (!url.startsWith("http://") && !url.startsWith("https://")) {
                throw new UsageException(command + ": --webhook-url must start with http:// or https://");
            }
            String f = formats.isEmpty() ? "generic" : formats.get(formats.size() == 1 ? 0 : i);
            io.paywatch.jobs.delivery.WebhookFormat format;
            try {
                format = io.paywatch.jobs.delivery.WebhookFormat.parse(f);
                java.net.URI.create(url);
            } catch (IllegalArgumentException e) {
                throw new UsageException(command + ": " + e.getMessage());
            }
            out.add(new io.paywatch.jobs.delivery.WebhookTarget(url, format, secretEnv, timeout));
        }
        return out;
    }

    /** A rules file, or one line naming what is wrong with it. */
    private RuleSettings rulesFile(String file) {
        return rulesFile(command, file);
    }

    /** A rules file, or one line naming what is wrong with it. */
    static RuleSettings rulesFile(String command, String file) {
        Path p = Paths.get(file);
        if (!Files.isRegularFile(p)) {
            throw new UsageException(command + ": rules file " + file + " does not exist");
        }
        try {
            return RuleSettings.load(p);
        } catch (RuleSettings.RulesException e) {
            throw new UsageException(command + ": " + e.getMessage());
        }
    }

    /** The demo's rules without --rules: the defaults with the adaptive rules switched on. */
    static final String DEMO_RULES = "failure_rate_anomaly: {enabled: true}\ntraffic_drop: {enabled: true}\n";

    private RuleSettings loadRules() {
        String file = args.get("rules");
        if (file == null) {
            return command.equals("demo") ? RuleSettings.parseYaml(DEMO_RULES, "demo rules")
                    : RuleSettings.defaults();
        }
        return rulesFile(file);
    }

    private InfluxTarget influxTarget() {
        String url = args.get("influx-url");
        boolean any = args.has("influx-db") || args.has("influx-org") || args.has("influx-bucket");
        if (url == null) {
            if (any) {
                throw new UsageException(command + ": --influx-db/--influx-org/--influx-bucket need --influx-url");
            }
            return null;
        }
        if (!url.startsWith("http://") && !url.startsWith("https://")) {
            throw new UsageException(command + ": --influx-url must start with http:// or https://, got '" + url + "'");
        }
        String tokenEnv = args.get("influx-token-env");
        if (tokenEnv != null && System.getenv(tokenEnv) == null) {
            throw new UsageException(command + ": --influx-token-env names " + tokenEnv
                    + ", which is not set in the environment");
        }
        if (args.has("influx-db")) {
            if (args.has("influx-org") || args.has("influx-bucket")) {
                throw new UsageException(command + ": give --influx-db (1.x) or --influx-org with"
                        + " --influx-bucket (2.x/3.x), not both");
            }
            return InfluxTarget.v1(url, args.get("influx-db"), tokenEnv);
        }
        if (args.has("influx-org") && args.has("influx-bucket")) {
            return InfluxTarget.v2(url, args.get("influx-org"), args.get("influx-bucket"), tokenEnv);
        }
        throw new UsageException(command + ": --influx-url needs --influx-db (1.x) or --influx-org"
                + " and --influx-bucket (2.x/3.x)");
    }

    /** {@code --state-memory}, checked; null when not given. */
    private org.apache.flink.configuration.MemorySize stateMemory(String state) {
        if (!args.has("state-memory")) {
            return null;
        }
        String given = args.get("state-memory");
        if (!state.equals("rocksdb")) {
            throw new UsageException(command + ": --state-memory sizes RocksDB's memory; it needs --state rocksdb");
        }
        org.apache.flink.configuration.MemorySize size;
        try {
            size = org.apache.flink.configuration.MemorySize.parse(given);
        } catch (IllegalArgumentException e) {
            size = null;
        }
        org.apache.flink.configuration.MemorySize min = io.paywatch.jobs.runtime.StateBackendSettings.ROCKSDB_MEMORY_MIN;
        if (size == null || size.compareTo(min) < 0) {
            throw new UsageException(command + ": --state-memory must be a size of at least "
                    + min.getMebiBytes() + "m, such as 512m or 2g, got '" + given + "'");
        }
        return size;
    }

    Configuration flinkConfiguration(int parallelism, String state) {
        Map<String, String> c = new HashMap<>();
        c.put("parallelism.default", String.valueOf(parallelism));
        // one number of key groups for the whole job (Flink's default for this parallelism):
        // the merchant rates read dedup's key groups directly (reinterpretAsKeyedStream)
        c.put("pipeline.max-parallelism", String.valueOf(Math.min(32_768,
                Math.max(128, Integer.highestOneBit(Math.max(1, parallelism + parallelism / 2 - 1)) << 1))));
        c.put("pipeline.object-reuse", "true");
        io.paywatch.jobs.runtime.StateBackendSettings.put(c, state, parallelism, stateMemory(state));
        c.put("pipeline.name", "paywatch-" + command);
        if (args.has("prometheus-port")) {
            int port = prometheusPort();
            // Flink's own reporter, as a cluster would configure it in its config.yaml
            c.put("metrics.reporter.prom.factory.class",
                    "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
            c.put("metrics.reporter.prom.port", String.valueOf(port));
            out.printf("paywatch %s: Prometheus metrics on http://localhost:%d/metrics%n", command, port);
        }
        if (command.equals("run")) {
            String dir = args.get("checkpoint-dir", "paywatch-checkpoints");
            boolean uri = dir.contains("://");
            Path cp = uri ? null : Paths.get(dir).toAbsolutePath();
            c.put("execution.checkpointing.interval",
                    args.durationMs("checkpoint-interval", "10s") + " ms");
            c.put("execution.checkpointing.dir", uri ? dir : cp.toUri().toString());
            c.put("execution.checkpointing.incremental", "true");
            c.put("execution.checkpointing.externalized-checkpoint-retention",
                    "RETAIN_ON_CANCELLATION");
            c.put("execution.checkpointing.num-retained", "3");
            c.put("restart-strategy.type", "exponential-delay");
            // a local directory is searched for the latest checkpoint to resume from; on a
            // cluster with remote storage, resume with `flink run -s <checkpoint>`
            Path latest;
            try {
                latest = uri ? null : io.paywatch.jobs.runtime.Checkpoints.latest(cp);
            } catch (java.io.UncheckedIOException e) {
                throw new UsageException("run: " + e.getMessage());
            }
            if (latest != null) {
                out.println("paywatch run: resuming from checkpoint " + latest);
                c.put("execution.state-recovery.path", latest.toUri().toString());
            }
            if (args.has("allow-non-restored-state")) {
                // a checkpoint of an older build may hold state of an operator that is gone
                // (e.g. dedup keyed by event_id, before 2026-12-01): skip it instead of failing
                c.put("execution.state-recovery.ignore-unclaimed-state", "true");
            }
        } else if (args.has("checkpoint-dir") || args.has("allow-non-restored-state")) {
            throw new UsageException(command + ": --" + (args.has("checkpoint-dir") ? "checkpoint-dir"
                    : "allow-non-restored-state") + " is for run");
        }
        return Configuration.fromMap(c);
    }

    /**
     * The port of --prometheus-port, free now: Flink's reporter logs a port it cannot bind and
     * goes on without metrics, which nobody would notice until the scrape is missing.
     */
    private int prometheusPort() {
        int port = args.intValue("prometheus-port", 0);
        if (port < 1 || port > 65_535) {
            throw new UsageException(command + ": --prometheus-port must be a port, 1 to 65535, got " + port);
        }
        try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new java.net.InetSocketAddress(port));
        } catch (IOException inUse) {
            throw new UsageException(command + ": --prometheus-port " + port + " is in use on this machine"
                    + " (another PayWatch or Flink?); choose another");
        }
        return port;
    }

    static long parseTime(String command, String flag, String value) {
        if (value.chars().allMatch(Character::isDigit) && !value.isEmpty()) {
            return Long.parseLong(value);
        }
        long t = EventTimeParser.parseRfc3339(value);
        if (t == Long.MIN_VALUE) {
            throw new UsageException(command + ": --" + flag + " must be RFC 3339 (2026-11-23T10:00:00Z)"
                    + " or epoch milliseconds, got '" + value + "'");
        }
        return t;
    }

    static final int MAX_LINE_BYTES = EventParser.MAX_RECORD_CHARS;
    static final double DEMO_PAYMENTS_PER_SECOND = 60;
    static final int DEMO_MERCHANTS = Scenarios.HOUR_MERCHANTS;
}
