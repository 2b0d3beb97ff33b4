package io.paywatch.jobs.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * The command line of {@code ./paywatch} as picocli parses it: every command, its flags and their
 * help, in one table. picocli gives each command {@code --help}, the root {@code --version},
 * "did you mean" for a mistyped flag or command, and the bash completion script; errors become
 * the contract's one line and exit code 2 ({@link #oneLine}). The commands read their flags from
 * the {@link CliArgs} this builds, as they did from the hand-written parser it replaces.
 */
final class CommandLines {
    /** One flag: {@code --name LABEL}; a null label is a switch (no value). */
    record Flag(String name, String label, String description, boolean repeatable) {
        static Flag value(String name, String label, String description) {
            return new Flag(name, label, description, false);
        }

        static Flag repeatable(String name, String label, String description) {
            return new Flag(name, label, description, true);
        }

        static Flag flag(String name, String description) {
            return new Flag(name, null, description, false);
        }
    }

    /** demo, replay and run share these (flags only `run` takes say so, and the others refuse them). */
    static final List<Flag> JOB_FLAGS = List.of(
            Flag.value("alerts-out", "FILE", "alerts as JSONL"),
            Flag.value("metrics-out", "FILE", "metrics as InfluxDB line protocol"),
            Flag.value("dead-letter-out", "FILE", "rejected input as JSONL {\"reason\":…, \"input\":…}"),
            Flag.value("influx-url", "URL", "InfluxDB; with --influx-db (1.x) or --influx-org and --influx-bucket (2.x/3.x)"),
            Flag.value("influx-db", "DB", "InfluxDB 1.x database (created if missing)"),
            Flag.value("influx-org", "ORG", "InfluxDB 2.x/3.x organisation"),
            Flag.value("influx-bucket", "BUCKET", "InfluxDB 2.x/3.x bucket"),
            Flag.value("influx-token-env", "VAR", "environment variable holding the InfluxDB token"),
            Flag.value("run-id", "ID", "tag every InfluxDB point with run_id=ID"),
            Flag.value("rules", "FILE", "rule parameters (YAML) overriding the defaults"),
            Flag.value("out-of-orderness", "DURATION", "how far behind its partition's newest event an event may arrive (5s)"),
            Flag.repeatable("webhook-url", "URL", "deliver alerts by HTTP POST (repeatable)"),
            Flag.repeatable("webhook-format", "FORMAT", "generic|alertmanager|slack|dingtalk|feishu|wecom: one, or one per --webhook-url"),
            Flag.value("webhook-secret-env", "VAR", "sign each request: X-PayWatch-Signature: sha256=<HMAC of the body> with the secret in VAR"),
            Flag.value("webhook-timeout", "DURATION", "per-request timeout (10s)"),
            Flag.value("webhook-retry-for", "DURATION", "how long a page is retried while a receiver is down before it becomes a dead letter (run: 10m; otherwise six attempts, ~15 s)"),
            Flag.value("alertmanager-url", "URL", "post alerts to Prometheus Alertmanager (/api/v2/alerts)"),
            Flag.value("alertmanager-resend", "DURATION", "send firing alerts to Alertmanager again this often (1m)"),
            Flag.value("alertmanager-inhibition", "WHO", "paywatch (default: inhibited alerts are not sent) or alertmanager (sent too, for the inhibit rule in the README)"),
            Flag.value("alerts-topic", "TOPIC", "alerts to Kafka (with --bootstrap-servers; exactly-once in run)"),
            Flag.value("kafka-config", "FILE", "Kafka client properties (TLS, SASL, …) for every Kafka client; $${VAR} reads the environment"),
            Flag.value("prometheus-port", "PORT", "serve the job's metrics for Prometheus on http://HOST:PORT/metrics"),
            Flag.value("control-topic", "TOPIC", "(run) live rule changes: failure-rate thresholds per merchant or channel and silences, echoed as info alerts"),
            Flag.value("checkpoint-dir", "DIR", "(run) checkpoints here (./paywatch-checkpoints); started again, resume from the latest"),
            Flag.value("checkpoint-interval", "DURATION", "(run) how often to checkpoint (10s)"),
            Flag.flag("allow-non-restored-state", "(run) resume even if the checkpoint holds state of an operator this build no longer has"),
            Flag.value("idle-timeout", "DURATION", "(run) a Kafka partition silent this long stops holding event time back (30s)"),
            Flag.value("idle-advance", "DURATION", "(run) when every partition is idle, event time follows the wall clock, at most this far past the newest event (30m; 0: off)"),
            Flag.value("compare-rules", "FILE", "(replay) also run these rules (the current ones) over the same events…"),
            Flag.value("compare-out", "FILE", "(replay) …and write the difference with --rules as JSON here"),
            Flag.value("report", "FILE.html", "(replay) a self-contained HTML report: counts, charts, codes, alerts"),
            Flag.value("state", "heap|rocksdb", "state backend (run: rocksdb, otherwise heap)"),
            Flag.value("state-memory", "SIZE", "(--state rocksdb) RocksDB's write buffers and block cache, shared by the job's operators (256m per parallel slot; on a cluster, its TaskManagers' managed memory)"),
            Flag.value("parallelism", "N", "Flink parallelism (default: the number of cores)"),
            Flag.flag("quiet", "no progress lines"));

    private static final Flag BOOTSTRAP = Flag.value("bootstrap-servers", "HOST:PORT", "Kafka bootstrap servers");
    private static final Flag KAFKA_CONFIG = JOB_FLAGS.stream().filter(f -> f.name().equals("kafka-config")).findFirst().orElseThrow();
    private static final Flag RULES = JOB_FLAGS.stream().filter(f -> f.name().equals("rules")).findFirst().orElseThrow();
    private static final Flag QUIET = JOB_FLAGS.stream().filter(f -> f.name().equals("quiet")).findFirst().orElseThrow();
    private static final Flag CONTROL_TOPIC = Flag.value("control-topic", "TOPIC", "the control topic");

    /** Each command: its description and the flags of its own (ahead of the shared ones). */
    private static final Map<String, String> DESCRIPTIONS = new LinkedHashMap<>();
    private static final Map<String, List<Flag>> FLAGS = new LinkedHashMap<>();

    static {
        command("demo", "embedded Flink, built-in traffic with injected incidents: a live table and alerts",
                Flag.value("duration", "DURATION", "how long the built-in traffic runs (4m)"),
                Flag.value("rate", "PAYMENTS/S", "payments per second (60)"),
                Flag.value("seed", "N", "random seed of the traffic (42)"),
                BOOTSTRAP);
        command("replay", "a bounded event-time replay of JSONL / JSONL.gz files, or of a Kafka time range",
                Flag.repeatable("input", "PATH", "a file, a directory or a glob of JSONL / JSONL.gz (repeatable; read in path order)"),
                Flag.value("kafka-topic", "TOPIC", "replay this topic's range --from … --to …"),
                Flag.value("from", "TIME", "start of the Kafka range: RFC 3339 or epoch ms"),
                Flag.value("to", "TIME", "end of the Kafka range: RFC 3339 or epoch ms"),
                BOOTSTRAP,
                Flag.value("time-basis", "record|event", "select the range by record timestamps (record) or by the events' own times (event)"),
                Flag.value("max-clock-skew", "DURATION", "(--time-basis event) how long before its record an event may have happened (5m)"));
        command("run", "live and unbounded, from Kafka, with checkpoints (RocksDB by default)",
                BOOTSTRAP,
                Flag.value("topic", "TOPIC", "the payment events' topic (payments)"),
                Flag.value("group-id", "GROUP", "consumer group (paywatch)"),
                Flag.value("starting-offsets", "committed|earliest|latest", "where a new group starts (committed, else earliest)"),
                Flag.value("control-secret-env", "VAR", "only rule changes signed with the secret in VAR apply; others are dead letters"));
        command("generate", "write realistic traffic with incidents, duplicates, late and malformed lines to a file",
                Flag.value("out", "FILE[.gz]", "where to write (required)"),
                Flag.value("duration", "DURATION", "how much event time (1h)"),
                Flag.value("rate", "PAYMENTS/S", "payments per second (11.5)"),
                Flag.value("seed", "N", "random seed (42)"),
                Flag.value("start", "TIME", "first event time, RFC 3339 (2026-11-23T10:00:00Z)"),
                Flag.value("scenario", "hour|none", "the realistic hour's incidents, or none"),
                Flag.value("merchants", "N", "number of merchants"),
                QUIET);
        command("produce", "send the demo's traffic to Kafka in real time",
                BOOTSTRAP,
                Flag.value("topic", "TOPIC", "the topic (payments)"),
                Flag.value("rate", "PAYMENTS/S", "payments per second (60)"),
                Flag.value("duration", "DURATION", "how long (0: until stopped)"),
                Flag.value("seed", "N", "random seed (42)"),
                KAFKA_CONFIG, QUIET);
        command("control send", "check a live rule change as the job will, sign it and send it",
                BOOTSTRAP, CONTROL_TOPIC,
                Flag.value("control-secret-env", "VAR", "the environment variable holding the signing secret (required)"),
                Flag.value("key-id", "KEY", "who signs: sent as X-PayWatch-Key-Id and echoed by the job"),
                Flag.value("change", "JSON", "the change itself…"),
                Flag.value("file", "FILE", "…or a file holding it"),
                RULES, KAFKA_CONFIG);
        command("control show", "the overrides and silences in force: from the control topic (and who changed what),"
                        + " or from a job's latest checkpoint (what it actually holds)",
                BOOTSTRAP, CONTROL_TOPIC,
                Flag.value("control-secret-env", "VAR", "count only the changes signed with the secret in VAR, as the job does"),
                RULES, KAFKA_CONFIG,
                Flag.value("checkpoint-dir", "DIR", "instead of the topic: the latest checkpoint in run's --checkpoint-dir (or one chk-N)"));
    }

    private static void command(String name, String description, Flag... flags) {
        DESCRIPTIONS.put(name, description);
        FLAGS.put(name, List.of(flags));
    }

    private CommandLines() {}

    /** The flags {@code command} takes ({@code replay}, {@code control send}), without --help and --version. */
    static List<String> flagNames(String command) {
        return flagsOf(command).stream().map(Flag::name).toList();
    }

    private static List<Flag> flagsOf(String command) {
        List<Flag> flags = new ArrayList<>(FLAGS.get(command));
        if (command.equals("demo") || command.equals("replay") || command.equals("run")) {
            flags.addAll(JOB_FLAGS);
        }
        return flags;
    }

    /** The command tree; help and version go to {@code out}. */
    static CommandLine root(PrintWriter out) {
        CommandSpec root = CommandSpec.create().name("paywatch").mixinStandardHelpOptions(true)
                .versionProvider(CommandLines::version);
        root.usageMessage()
                .headerHeading("PayWatch: real-time payment-failure monitoring and alerting on Apache Flink%n%n")
                .synopsisHeading("").customSynopsis("usage: ./paywatch COMMAND [flags]   (./paywatch COMMAND --help: its flags)%n")
                .width(100)
                .commandListHeading("%ncommands:%n")
                .footerHeading("%n")
                .footer("./paywatch bench runs the benchmark (its own jar: ./paywatch bench --help).",
                        "Bash completion: source <(./paywatch completion)");
        CommandLine cl = new CommandLine(root);
        CommandLine control = null;
        for (Map.Entry<String, String> c : DESCRIPTIONS.entrySet()) {
            String name = c.getKey();
            CommandSpec spec = CommandSpec.create().mixinStandardHelpOptions(true)
                    .versionProvider(CommandLines::version);
            spec.usageMessage().description(c.getValue()).sortOptions(false).abbreviateSynopsis(true)
                    .width(100);
            for (Flag f : flagsOf(name)) {
                spec.addOption(option(f));
            }
            if (name.startsWith("control ")) {
                if (control == null) {
                    CommandSpec group = CommandSpec.create().mixinStandardHelpOptions(true);
                    group.usageMessage().description("live rule changes on the control topic: send or show");
                    control = new CommandLine(group);
                    cl.addSubcommand("control", control);
                }
                control.addSubcommand(name.substring(8), new CommandLine(spec));
            } else {
                cl.addSubcommand(name, new CommandLine(spec));
            }
        }
        CommandSpec completion = CommandSpec.create().mixinStandardHelpOptions(true);
        completion.usageMessage().description("print the bash completion script: source <(./paywatch completion)");
        cl.addSubcommand("completion", new CommandLine(completion));
        CommandSpec help = CommandSpec.forAnnotatedObject(new CommandLine.HelpCommand());
        cl.addSubcommand("help", new CommandLine(help));
        cl.setOut(out);
        cl.setErr(out);
        return cl;
    }

    private static OptionSpec option(Flag f) {
        OptionSpec.Builder b = OptionSpec.builder("--" + f.name()).description(f.description());
        if (f.label() == null) {
            return b.arity("0").type(boolean.class).build();
        }
        b.paramLabel(f.label()).arity("1");
        return f.repeatable() ? b.type(List.class).auxiliaryTypes(String.class).build()
                : b.type(String.class).build();
    }

    /**
     * The flags of {@code argv}'s command ({@code argv[0]} the command, {@code argv[1]} the
     * action of {@code control}), or one line naming what is wrong.
     */
    static CliArgs parse(String[] argv) {
        ParseResult result;
        try {
            result = root(new PrintWriter(java.io.OutputStream.nullOutputStream())).parseArgs(argv);
        } catch (CommandLine.ParameterException e) {
            throw new UsageException(oneLine(e));
        }
        return flags(leaf(result));
    }

    /** The deepest command the arguments name. */
    static ParseResult leaf(ParseResult result) {
        while (result.hasSubcommand()) {
            result = result.subcommand();
        }
        return result;
    }

    /** The command's name without the root: {@code replay}, {@code control send}. */
    static String name(CommandSpec spec) {
        String q = spec.qualifiedName(" ");
        return q.equals("paywatch") ? "" : q.substring("paywatch ".length());
    }

    /** The matched flags of one command, as its code reads them. */
    static CliArgs flags(ParseResult leaf) {
        Map<String, List<String>> values = new LinkedHashMap<>();
        for (OptionSpec o : leaf.matchedOptions()) {
            String name = o.longestName().substring(2);
            if (name.equals("help") || name.equals("version")) {
                continue;
            }
            List<String> v = o.arity().max() == 0 ? List.of("true") : o.stringValues();
            values.put(name, List.copyOf(v));
        }
        return CliArgs.of(name(leaf.commandSpec()), values);
    }

    /** picocli's complaint as the contract's one line: the command, the flag, a suggestion. */
    static String oneLine(CommandLine.ParameterException e) {
        String command = name(e.getCommandLine().getCommandSpec());
        String prefix = command.isEmpty() ? "" : command + ": ";
        if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            String arg = u.getUnmatched().get(0);
            int eq = arg.indexOf('=');
            String typed = arg.startsWith("-") && eq > 0 ? arg.substring(0, eq) : arg;
            List<String> candidates = new ArrayList<>();
            if (arg.startsWith("-")) {
                e.getCommandLine().getCommandSpec().options().forEach(o -> candidates.add(o.longestName()));
            } else {
                candidates.addAll(e.getCommandLine().getSubcommands().keySet());
            }
            String closest = closest(typed, candidates);
            String didYouMean = closest == null ? "" : "; did you mean " + closest + "?";
            if (arg.startsWith("-")) {
                return prefix + "unknown flag " + typed + didYouMean
                        + " (see ./paywatch help)";
            }
            if (command.isEmpty() || !e.getCommandLine().getSubcommands().isEmpty()) {
                return "unknown command '" + (command.isEmpty() ? arg : command + " " + arg) + "'" + didYouMean
                        + " (commands: " + String.join(", ", e.getCommandLine().getSubcommands().keySet())
                        + (command.isEmpty() ? ", bench" : "") + ")";
            }
            return prefix + "unexpected argument '" + arg + "'";
        }
        if (e instanceof CommandLine.MissingParameterException m && !m.getMissing().isEmpty()
                && m.getMissing().get(0) instanceof OptionSpec o) {
            return prefix + "flag " + o.longestName() + " needs a value";
        }
        if (e instanceof CommandLine.OverwrittenOptionException o
                && o.getOverwritten() instanceof OptionSpec spec) {
            return prefix + "flag " + spec.longestName() + " given more than once";
        }
        return prefix + e.getMessage();
    }

    /**
     * The candidate a typo most likely meant: the nearest by edit distance, if it is near enough
     * (at most 2 edits, or a third of its length) to be a typo rather than another word.
     */
    static String closest(String typed, List<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = editDistance(typed, c);
            if (d < bestDistance && d <= Math.max(2, c.length() / 3)) {
                best = c;
                bestDistance = d;
            }
        }
        return best;
    }

    /** Levenshtein distance. */
    static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(substitute, Math.min(prev[j], cur[j - 1]) + 1);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** The bash completion script of every command and flag. */
    static String completionScript() {
        return AutoComplete.bash("paywatch", root(new PrintWriter(java.io.OutputStream.nullOutputStream())));
    }

    /** {@code ./paywatch --version}: PayWatch's version, the Flink it runs on, the JVM. */
    static String[] version() {
        Properties p = new Properties();
        try (InputStream in = CommandLines.class.getResourceAsStream("/paywatch-version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException unreadable) {
            // the version is then unknown, said so below
        }
        String flink = org.apache.flink.runtime.util.EnvironmentInformation.getVersion();
        if (flink == null || flink.startsWith("<")) {
            flink = p.getProperty("flink.version", "unknown");
        }
        return new String[] {"paywatch " + p.getProperty("version", "(version unknown)") + " (Flink " + flink
                + ", Java " + System.getProperty("java.version") + ")"};
    }
}
