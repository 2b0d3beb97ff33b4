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
                            + "{\"m-live\":{\"warning\":0.2,\"resolve_below\":0.1}}}}}");
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
