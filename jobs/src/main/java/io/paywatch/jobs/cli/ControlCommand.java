package io.paywatch.jobs.cli;

import io.paywatch.jobs.delivery.Signatures;
import io.paywatch.jobs.ingest.KafkaRawDeserializer;
import io.paywatch.jobs.control.LiveRules;
import io.paywatch.model.FailureRateSettings;
import io.paywatch.model.PlainText;
import io.paywatch.model.RuleChange;
import io.paywatch.model.RuleSettings;
import io.paywatch.model.Silence;
import io.paywatch.model.Timestamps;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.SavepointReader;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * {@code ./paywatch control send|show}: live rule changes without hand-rolled HMACs.
 * <ul>
 * <li>{@code send} checks a change against the rules file as the job will (a bad one is refused
 * here, with the job's message), signs the exact bytes it sends with the secret in
 * {@code --control-secret-env} and sends it with its key id.
 * <li>{@code show} reads the control topic from its start, as a freshly started job does, applies
 * the changes the job would apply (with a secret: only those correctly signed) and prints the
 * failure-rate overrides and silences in force, and who changed what.
 * </ul>
 */
final class ControlCommand {
    private ControlCommand() {}

    /** {@code a}: the flags of {@code control send} or {@code control show} (its command says which). */
    static int execute(CliArgs a, PrintStream out) throws Exception {
        switch (a.command()) {
            case "control send":
                return send(a, out);
            case "control show":
                return show(a, out);
            default:
                throw new UsageException("control: say what to do: control send (sign and send a rule"
                        + " change) or control show (the rules in force)");
        }
    }

    private static int send(CliArgs a, PrintStream out) throws Exception {
        String servers = a.required("bootstrap-servers");
        String topic = a.required("control-topic");
        String secret = secret(a, "control send", true);
        if (a.has("change") == a.has("file")) {
            throw new UsageException("control send: give the change as --change JSON or --file FILE (one of them)");
        }
        byte[] value;
        if (a.has("change")) {
            value = a.get("change").getBytes(StandardCharsets.UTF_8);
        } else {
            Path f = Paths.get(a.get("file"));
            if (!Files.isRegularFile(f)) {
                throw new UsageException("control send: " + f + " does not exist");
            }
            value = Files.readAllBytes(f);
        }
        RuleSettings rules = rules(a, "control send");
        RuleChange change;
        try {
            change = RuleChange.parse(value, System.currentTimeMillis(), rules);
        } catch (RuleSettings.RulesException e) {
            throw new UsageException("control send: refused, the job would refuse it too: " + e.getMessage());
        }
        String keyId = a.get("key-id");
        if (keyId != null && (keyId.isEmpty() || PlainText.firstForbidden(keyId) >= 0)) {
            throw new UsageException("control send: --key-id must be plain text, not empty");
        }
        // the job applies a signed change_id once: say so now rather than let it be a dead letter
        LiveState sentBefore = read(a, "control send", servers, topic, rules, secret, out);
        String where = sentBefore.appliedAt.get(change.changeId);
        if (where != null) {
            throw new UsageException("control send: " + PlainText.visible(change.changeId) + " is on " + topic
                    + " already (" + where + "), and the job applies a change_id once: give this change a new"
                    + " change_id");
        }
        Properties p = new Sources("control send", a, out).clientFor(servers, topic, ByteArraySerializer.class);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "20000");
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic,
                change.changeId.getBytes(StandardCharsets.UTF_8), value);
        record.headers().add(KafkaRawDeserializer.SIGNATURE_HEADER,
                Signatures.sign(secret, value).getBytes(StandardCharsets.US_ASCII));
        if (keyId != null) {
            record.headers().add(KafkaRawDeserializer.KEY_ID_HEADER, keyId.getBytes(StandardCharsets.UTF_8));
        }
        RecordMetadata sent;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            sent = producer.send(record).get(40, TimeUnit.SECONDS);
        }
        out.printf(Locale.ROOT, "control send: %s sent to %s partition %d offset %d, signed%s: %s%n",
                PlainText.visible(change.changeId), topic, sent.partition(), sent.offset(),
                keyId == null ? "" : " with key " + keyId, PlainText.visible(change.description));
        return 0;
    }

    private static int show(CliArgs a, PrintStream out) throws Exception {
        if (a.has("checkpoint-dir")) {
            if (a.has("bootstrap-servers") || a.has("control-topic")) {
                throw new UsageException("control show: read the control topic (--bootstrap-servers,"
                        + " --control-topic) or a checkpoint (--checkpoint-dir), not both");
            }
            return showCheckpoint(a, out);
        }
        String servers = a.required("bootstrap-servers");
        String topic = a.required("control-topic");
        String secret = secret(a, "control show", false);
        RuleSettings rules = rules(a, "control show");
        LiveState state = read(a, "control show", servers, topic, rules, secret, out);
        out.printf(Locale.ROOT, "control show: %d record(s) on %s, %d change(s) applied, %d refused%s%n",
                state.read, topic, state.applied.size(), state.refused,
                secret == null ? "" : " (signed changes only)");
        for (String line : state.applied) {
            out.println("  applied  " + line);
        }
        print(state.overrides, state.measures, state.silences, out);
        return 0;
    }

    /** The control topic from its start to its end, applied as the job applies it. */
    private static LiveState read(CliArgs a, String command, String servers, String topic, RuleSettings rules,
            String secret, PrintStream out) throws Exception {
        Properties p = new Sources(command, a, out).clientFor(servers, topic, ByteArrayDeserializer.class);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // no isolation level of its own: it sees what the job's source sees (--kafka-config)
        LiveState state = new LiveState();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(topic, Duration.ofSeconds(20))
                    .forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(20));
            long deadline = System.currentTimeMillis() + 60_000;
            while (!reachedEnd(consumer, end)) {
                if (System.currentTimeMillis() > deadline) {
                    throw new UsageException(command + ": " + topic + " not read to its end within 1 min");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    state.read++;
                    state.apply(r, rules, secret);
                }
            }
        }
        return state;
    }

    private static void print(Map<String, FailureRateSettings> overrides, Map<String, String> measures,
            Map<String, Silence> silences, PrintStream out) {
        out.println("failure_rate overrides in force" + (overrides.isEmpty() ? ": none" : ":"));
        overrides.forEach((key, s) -> out.println("  " + PlainText.visible(key) + "  warning "
                + s.warning + ", critical " + s.critical + ", resolve below " + s.resolveBelow
                + ", min volume " + s.minVolume
                + (measures.containsKey(key) ? ", measure " + measures.get(key) : "")));
        out.println("silences from the control topic" + (silences.isEmpty() ? ": none" : ":"));
        silences.values().forEach(s -> out.println("  " + PlainText.visible(s.scopeKey + "=" + s.value)
                + "  " + Timestamps.rfc3339(s.fromMs) + " to " + Timestamps.rfc3339(s.toMs)
                + (s.reason == null ? "" : "  " + PlainText.visible(s.reason))));
    }

    /**
     * The rules a job actually holds: the broadcast state of its latest checkpoint (what it
     * resumes with), read with Flink's State Processor API. The overrides are those of the
     * merchant failure-rate operator, the silences those of alert routing: every rule operator
     * holds the same copy.
     */
    private static int showCheckpoint(CliArgs a, PrintStream out) throws Exception {
        Path dir = Paths.get(a.get("checkpoint-dir"));
        Path checkpoint;
        try {
            checkpoint = Files.isRegularFile(dir.resolve("_metadata")) ? dir
                    : io.paywatch.jobs.runtime.Checkpoints.latest(dir);
        } catch (java.io.UncheckedIOException e) {
            throw new UsageException("control show: " + e.getMessage());
        }
        if (checkpoint == null) {
            throw new UsageException("control show: no completed checkpoint in " + dir
                    + " (give run's --checkpoint-dir, or one chk-N directory of it)");
        }
        // when it completed, read first: a running job removes its older checkpoints as it goes
        long completed = Files.getLastModifiedTime(checkpoint.resolve("_metadata")).toMillis();
        out.println("control show: reading the broadcast state of " + checkpoint + "…");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(
                Configuration.fromMap(Map.of("parallelism.default", "1")));
        SavepointReader reader = SavepointReader.read(env, checkpoint.toUri().toString(), new HashMapStateBackend());
        Map<String, FailureRateSettings> overrides = new TreeMap<>();
        try (var it = reader.readBroadcastState(OperatorIdentifier.forUid("failure-rate-merchant"),
                LiveRules.FAILURE_RATE.getName(), Types.STRING, TypeInformation.of(FailureRateSettings.class))
                .executeAndCollect("control show: overrides")) {
            it.forEachRemaining(t -> overrides.put(t.f0, t.f1));
        }
        Map<String, String> measures = new TreeMap<>();
        if (!overrides.isEmpty()) {
            try (var it = reader.readBroadcastState(OperatorIdentifier.forUid("failure-rate-merchant"),
                    LiveRules.FAILURE_RATE_MEASURES.getName(), Types.STRING, Types.STRING)
                    .executeAndCollect("control show: measures")) {
                it.forEachRemaining(t -> measures.put(t.f0, t.f1));
            } catch (Exception e) {
                // a checkpoint of a build before live measures holds none: its overrides page on the file's
            }
        }
        Map<String, Silence> silences = new TreeMap<>();
        try (var it = reader.readBroadcastState(OperatorIdentifier.forUid("alert-routing"),
                LiveRules.SILENCES.getName(), Types.STRING, TypeInformation.of(Silence.class))
                .executeAndCollect("control show: silences")) {
            it.forEachRemaining(t -> silences.put(t.f0, t.f1));
        }
        out.printf(Locale.ROOT, "control show: the rules in force in checkpoint %s (completed %s)%n", checkpoint,
                Timestamps.rfc3339(completed));
        print(overrides, measures, silences, out);
        return 0;
    }

    /** The changes in force, applied in topic order as the job's broadcast state applies them. */
    static final class LiveState {
        final Map<String, FailureRateSettings> overrides = new TreeMap<>();
        final Map<String, String> measures = new TreeMap<>();
        final Map<String, Silence> silences = new TreeMap<>();
        final List<String> applied = new ArrayList<>();
        /** Signed changes applied, by change_id, and where each was read (each id applies once). */
        final Map<String, String> appliedAt = new java.util.HashMap<>();
        int read;
        int refused;

        void apply(ConsumerRecord<byte[], byte[]> r, RuleSettings rules, String secret) {
            byte[] value = r.value() == null ? new byte[0] : r.value();
            String signer = null;
            if (secret != null) {
                if (!Signatures.verify(secret, value, header(r, KafkaRawDeserializer.SIGNATURE_HEADER))) {
                    refused++;
                    return;
                }
                String keyId = header(r, KafkaRawDeserializer.KEY_ID_HEADER);
                signer = keyId == null ? "signed" : "signed with key " + PlainText.visible(keyId);
            }
            RuleChange change;
            try {
                change = RuleChange.parse(value, Math.max(0, r.timestamp()), rules);
            } catch (RuleSettings.RulesException e) {
                refused++;
                return;
            }
            if (secret != null && appliedAt.putIfAbsent(change.changeId,
                    "partition " + r.partition() + ", offset " + r.offset()) != null) {
                refused++; // a replay: the job refuses it too
                return;
            }
            for (RuleChange.Override o : change.overrides) {
                if (o.settings == null) {
                    overrides.remove(o.stateKey());
                    measures.remove(o.stateKey());
                } else {
                    overrides.put(o.stateKey(), o.settings);
                    measures.put(o.stateKey(), o.measure.wireName());
                }
            }
            for (Silence s : change.silences) {
                silences.put(s.stateKey(), s);
            }
            applied.add(PlainText.visible(change.changeId) + " at " + Timestamps.rfc3339(change.at)
                    + (signer == null ? "" : " (" + signer + ")") + ": " + PlainText.visible(change.description));
        }
    }

    private static boolean reachedEnd(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static String secret(CliArgs a, String command, boolean required) {
        if (required && !a.has("control-secret-env")) {
            throw new UsageException(command + ": --control-secret-env VAR names the variable"
                    + " that holds the secret the job checks (run --control-secret-env)");
        }
        return a.secretFromEnv("control-secret-env");
    }

    private static RuleSettings rules(CliArgs a, String command) {
        String file = a.get("rules");
        return file == null ? RuleSettings.defaults() : JobCommand.rulesFile(command, file);
    }
}
