package io.paywatch.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paywatch.jobs.testing.KafkaTopics;
import io.paywatch.jobs.testing.TestServices;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import org.apache.flink.core.execution.JobClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live rule changes on the real Kafka broker: a merchant runs steadily at a 25% failure rate,
 * under the default warning threshold of 30%. A control message lowers the merchant's threshold
 * to 20%; the first evaluation after it fires, and the change is echoed as an {@code info}
 * alert. A bad control message is a dead letter naming the key, and the job keeps running.
 */
class ControlTopicITCase {
    private static final long START = 1_795_428_000_000L;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** 4 payments a second of m-live, one in four failed with a timeout, for [from, to) seconds. */
    private static List<String> steadyQuarterFailing(int fromSecond, int toSecond) {
        List<String> lines = new ArrayList<>();
        for (int s = fromSecond; s < toSecond; s++) {
            for (int k = 0; k < 4; k++) {
                long t = START + s * 1000L + k * 250;
                String id = "p-" + s + "-" + k;
                lines.add(String.format(Locale.ROOT, "{\"event_id\":\"e-%s\",\"event_time\":%d,"
                        + "\"kind\":\"payment\",\"payment_id\":\"%s\",\"order_id\":\"o-%s\","
                        + "\"merchant_id\":\"m-live\",\"channel\":\"card\",\"status\":\"%s\"%s,"
                        + "\"amount_minor\":1000,\"currency\":\"CNY\"}", id, t, id, id,
                        k == 0 ? "failed" : "succeeded", k == 0 ? ",\"code\":\"202\"" : ""));
            }
        }
        return lines;
    }

    @Test
    void aThresholdChangedOnTheControlTopicTakesEffectAtTheNextEvaluation() throws Exception {
        String kafka = TestServices.kafka();
        KafkaTopics.create(kafka, "payments-control-it", 2);
        KafkaTopics.create(kafka, "control-it", 1);
        Path alerts = dir.resolve("alerts.jsonl");
        Path metrics = dir.resolve("metrics.lp");
        Path dead = dir.resolve("dead.jsonl");
        JobCommand command = new JobCommand("run", new String[] {"run", "--bootstrap-servers", kafka,
                "--topic", "payments-control-it", "--group-id", "control-it", "--starting-offsets", "earliest",
                "--control-topic", "control-it", "--idle-advance", "0",
                "--alerts-out", alerts.toString(), "--metrics-out", metrics.toString(),
                "--dead-letter-out", dead.toString(), "--checkpoint-dir", dir.resolve("cp").toString(),
                "--checkpoint-interval", "1s", "--state", "heap", "--parallelism", "2", "--quiet"},
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        JobCommand.Prepared job = command.prepare();
        JobClient client = job.env.executeAsync("paywatch-control-it");
        try {
            // four minutes at 25%: evaluated, never firing under the defaults
            KafkaTopics.produce(kafka, "payments-control-it", steadyQuarterFailing(0, 240), null);
            awaitLine(metrics, l -> l.startsWith("paywatch_rate,") && l.contains(",merchant_id=m-live,")
                    && l.endsWith(" " + (START + 230_000)));
            assertThat(lines(alerts)).noneMatch(l -> l.contains("\"failure_rate\""));

            // a bad change first: refused with a reason, the job keeps going
            KafkaTopics.produceTo(kafka, "control-it", 0, START, "{\"change_id\":\"bad-1\",\"timeout_burst\":{\"count\":1}}");
            KafkaTopics.produceTo(kafka, "control-it", 0, START,
                    "{\"change_id\":\"chg-1\",\"failure_rate\":{\"overrides\":{\"merchant_id\":"
                            + "{\"m-live\":{\"warning\":0.2,\"resolve_below\":0.1,\"measure\":\"failure_rate\"}}}}}");
            JsonNode echo = JSON.readTree(awaitLine(alerts, l -> l.contains("\"rule_change\"")));
            assertThat(echo.path("severity").asText()).isEqualTo("info");
            assertThat(echo.path("status").asText()).isEqualTo("firing");
            assertThat(echo.path("scope").path("change_id").asText()).isEqualTo("chg-1");
            assertThat(echo.path("summary").asText()).contains("merchant_id=m-live", "warning 0.2");
            JsonNode refused = JSON.readTree(awaitLine(dead, l -> l.contains("invalid_control")));
            assertThat(refused.path("detail").asText()).contains("'timeout_burst' cannot change live");

            // the traffic goes on unchanged: the first evaluation after the change fires
            KafkaTopics.produce(kafka, "payments-control-it", steadyQuarterFailing(240, 300), null);
            JsonNode fired = JSON.readTree(awaitLine(alerts, l -> l.contains("\"failure_rate\"")));
            assertThat(fired.path("scope").path("merchant_id").asText()).isEqualTo("m-live");
            assertThat(fired.path("threshold").asDouble()).isEqualTo(0.2);
            assertThat(Instant.parse(fired.path("starts_at").asText()).toEpochMilli())
                    .isEqualTo(START + 240_000);
            // the channel (not overridden) stays under the default threshold, and event time did
            // not run ahead of the data while the sources were idle
            assertThat(lines(alerts)).noneMatch(l -> l.contains("\"failure_rate\"") && l.contains("\"channel\":\"card\"}"));
            assertThat(lines(metrics)).noneMatch(l -> l.startsWith("paywatch_rate,")
                    && Long.parseLong(l.substring(l.lastIndexOf(' ') + 1)) > START + 300_000);

            // what the job holds, read from its latest checkpoint: the override is in force
            String[] shown = new String[1];
            io.paywatch.jobs.testing.LiveRun.await(client, () -> {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                int code = PayWatchCli.run(new String[] {"control", "show", "--checkpoint-dir",
                    dir.resolve("cp").toString()}, new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
                shown[0] = out.toString(StandardCharsets.UTF_8);
                return code == 0 && shown[0].contains("merchant_id=m-live");
            });
            assertThat(shown[0]).contains("the rules in force in checkpoint " + dir.resolve("cp"))
                    .contains("merchant_id=m-live  warning 0.2, critical 0.5, resolve below 0.1")
                    // the measure is broadcast state of its own, in the checkpoint too
                    .contains("resolve below 0.1, min volume 20, measure failure_rate")
                    .contains("silences from the control topic: none");
        } finally {
            client.cancel().get();
        }
        // a directory without a checkpoint is one line
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(PayWatchCli.run(new String[] {"control", "show", "--checkpoint-dir", dir.resolve("none").toString()},
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8)))
                .isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("paywatch: control show: no completed checkpoint in");
    }

    /**
     * {@code --control-secret-env}: on the real broker, an unsigned change and one signed with
     * another secret are dead letters and change nothing; {@code ./paywatch control send} checks,
     * signs and sends one that applies, echoed with its key id; {@code ./paywatch control show}
     * prints what is in force and who changed it.
     */
    @Test
    void withASecretOnlyChangesSignedWithItApply() throws Exception {
        String kafka = TestServices.kafka();
        KafkaTopics.create(kafka, "payments-signed-it", 1);
        KafkaTopics.create(kafka, "control-signed-it", 1);
        Path alerts = dir.resolve("signed-alerts.jsonl");
        Path dead = dir.resolve("signed-dead.jsonl");
        String secretEnv = "PAYWATCH_IT_CONTROL_SECRET";
        JobCommand command = new JobCommand("run", new String[] {"run", "--bootstrap-servers", kafka,
                "--topic", "payments-signed-it", "--group-id", "signed-it", "--starting-offsets", "earliest",
                "--control-topic", "control-signed-it", "--control-secret-env", secretEnv, "--idle-advance", "0",
                "--alerts-out", alerts.toString(), "--dead-letter-out", dead.toString(),
                "--checkpoint-dir", dir.resolve("signed-cp").toString(), "--checkpoint-interval", "1s",
                "--state", "heap", "--parallelism", "1", "--quiet"},
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        JobClient client = command.prepare().env.executeAsync("paywatch-signed-control-it");
        try {
            String raise = "{\"change_id\":\"forged-1\",\"failure_rate\":{\"overrides\":{\"channel\":"
                    + "{\"card\":{\"warning\":1.0,\"critical\":1.0}}}}}";
            KafkaTopics.produceTo(kafka, "control-signed-it", 0, START, raise);
            KafkaTopics.produceSigned(kafka, "control-signed-it", raise,
                    io.paywatch.jobs.delivery.Signatures.sign("a guessed secret", raise), "ops-1");

            // a bad change is refused before it is sent, with the job's own message
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int refused = PayWatchCli.run(new String[] {"control", "send", "--bootstrap-servers", kafka,
                    "--control-topic", "control-signed-it", "--control-secret-env", secretEnv,
                    "--change", "{\"change_id\":\"bad\",\"timeout_burst\":{\"count\":1}}"},
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            assertThat(refused).isEqualTo(2);
            assertThat(err.toString(StandardCharsets.UTF_8)).contains("'timeout_burst' cannot change live")
                    .hasLineCount(1);

            ByteArrayOutputStream sent = new ByteArrayOutputStream();
            int code = PayWatchCli.run(new String[] {"control", "send", "--bootstrap-servers", kafka,
                    "--control-topic", "control-signed-it", "--control-secret-env", secretEnv, "--key-id", "ops-2",
                    "--change", "{\"change_id\":\"chg-signed\",\"failure_rate\":{\"overrides\":"
                            + "{\"merchant_id\":{\"m-live\":{\"warning\":0.2}}}}}"},
                    new PrintStream(sent, true, StandardCharsets.UTF_8), System.err);
            assertThat(code).as(sent.toString(StandardCharsets.UTF_8)).isZero();
            assertThat(sent.toString(StandardCharsets.UTF_8)).contains("chg-signed sent to control-signed-it",
                    "signed with key ops-2");

            JsonNode echo = JSON.readTree(awaitLine(alerts, l -> l.contains("\"rule_change\"")));
            assertThat(echo.path("scope").path("change_id").asText()).isEqualTo("chg-signed");
            assertThat(echo.path("summary").asText()).contains("(signed with key ops-2)", "merchant_id=m-live");
            awaitLine(dead, l -> l.contains("signature does not match"));

            // a replay: the same signed record again, copied by someone who can write to the topic
            String signedChange = "{\"change_id\":\"chg-signed\",\"failure_rate\":{\"overrides\":"
                    + "{\"merchant_id\":{\"m-live\":{\"warning\":0.4}}}}}";
            ByteArrayOutputStream again = new ByteArrayOutputStream();
            assertThat(PayWatchCli.run(new String[] {"control", "send", "--bootstrap-servers", kafka,
                    "--control-topic", "control-signed-it", "--control-secret-env", secretEnv,
                    "--change", signedChange},
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                    new PrintStream(again, true, StandardCharsets.UTF_8))).isEqualTo(2);
            assertThat(again.toString(StandardCharsets.UTF_8)).hasLineCount(1)
                    .contains("chg-signed is on control-signed-it already (partition 0, offset 2)", "new change_id");
            String original = "{\"change_id\":\"chg-signed\",\"failure_rate\":{\"overrides\":"
                    + "{\"merchant_id\":{\"m-live\":{\"warning\":0.2}}}}}";
            KafkaTopics.produceSigned(kafka, "control-signed-it", original,
                    io.paywatch.jobs.delivery.Signatures.sign(System.getenv(secretEnv), original), "ops-2");
            JsonNode replay = JSON.readTree(awaitLine(dead, l -> l.contains("was applied before")));
            assertThat(replay.path("field").asText()).isEqualTo("change_id");
            assertThat(lines(alerts)).filteredOn(l -> l.contains("\"rule_change\"")).hasSize(1);

            List<String> refusedLines = lines(dead);
            assertThat(refusedLines).filteredOn(l -> l.contains("\"invalid_control\"")).hasSize(3);
            assertThat(refusedLines).filteredOn(l -> l.contains("\"field\":\"signature\"")).hasSize(2);
            assertThat(refusedLines).anyMatch(l -> l.contains("signature missing"));
            assertThat(lines(alerts)).noneMatch(l -> l.contains("forged-1"));

            ByteArrayOutputStream shown = new ByteArrayOutputStream();
            assertThat(PayWatchCli.run(new String[] {"control", "show", "--bootstrap-servers", kafka,
                    "--control-topic", "control-signed-it", "--control-secret-env", secretEnv},
                    new PrintStream(shown, true, StandardCharsets.UTF_8), System.err)).isZero();
            String show = shown.toString(StandardCharsets.UTF_8);
            assertThat(show).contains("4 record(s) on control-signed-it, 1 change(s) applied, 3 refused",
                    "applied  chg-signed at ", "(signed with key ops-2)",
                    "merchant_id=m-live  warning 0.2").doesNotContain("channel=card");
        } finally {
            client.cancel().get();
        }
    }

    private static List<String> lines(Path file) throws Exception {
        return Files.exists(file) ? Files.readAllLines(file) : List.of();
    }

    /** Polls a file written by the job (flushed on checkpoints, every second) for a line. */
    private static String awaitLine(Path file, Predicate<String> wanted) throws Exception {
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline) {
            for (String l : lines(file)) {
                if (wanted.test(l)) {
                    return l;
                }
            }
            Thread.onSpinWait();
            java.util.concurrent.locks.LockSupport.parkNanos(100_000_000);
        }
        List<String> have = lines(file);
        throw new AssertionError("no such line in " + file + " within 2 min; it has " + have.size()
                + " lines, the last: " + (have.isEmpty() ? "-" : have.get(have.size() - 1)));
    }
}
