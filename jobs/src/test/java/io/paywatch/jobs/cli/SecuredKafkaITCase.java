package io.paywatch.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.paywatch.jobs.testing.Events;
import io.paywatch.jobs.testing.KafkaTopics;
import io.paywatch.jobs.testing.TestServices;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.flink.core.execution.JobClient;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PayWatch against a broker that speaks only SASL_SSL (the project's broker started by
 * {@code scripts/kafka.sh start-secured}: SCRAM-SHA-512 users, a CA and a broker certificate made
 * with keytool at test time). Everything goes through {@code --kafka-config} with the passwords
 * as {@code ${VAR}} from the environment: the events source, the exactly-once alerts topic and
 * the control topic work; a wrong password is one line within seconds, not a hang.
 */
class SecuredKafkaITCase {
    @TempDir
    Path dir;

    /** What a user writes: the secrets stay in the environment, the file names them. */
    private Path kafkaConfig(String passwordValue) throws Exception {
        Path f = dir.resolve("kafka-" + Math.abs(passwordValue.hashCode()) + ".properties");
        Files.writeString(f, String.join("\n",
                "security.protocol=SASL_SSL",
                "sasl.mechanism=SCRAM-SHA-512",
                "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required"
                        + " username=\"paywatch\" password=\"" + passwordValue + "\";",
                "ssl.truststore.type=PKCS12",
                "ssl.truststore.location=" + TestServices.securedKafkaTrustStore(),
                "ssl.truststore.password=${" + TestServices.KAFKA_STORE_PASSWORD_ENV + "}", ""));
        return f;
    }

    @Test
    void theSourceTheAlertsTopicAndTheControlTopicWorkThroughKafkaConfig() throws Exception {
        String servers = TestServices.securedKafka();
        Path config = kafkaConfig("${" + TestServices.KAFKA_PASSWORD_ENV + "}");
        Properties client = KafkaTopics.client(servers, KafkaClientConfig.load(config.toString()));
        KafkaTopics.create(client, "payments-sec", 2);
        KafkaTopics.create(client, "alerts-sec", 1);
        KafkaTopics.create(client, "control-sec", 1);
        long start = (System.currentTimeMillis() - 3_600_000) / 60_000 * 60_000;
        KafkaTopics.produce(client, "payments-sec",
                Events.cardTraffic(start, 0, 480, List.of("m-sec"), 90), null);

        Path alerts = dir.resolve("alerts.jsonl");
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        JobClient run = new JobCommand("run", new String[] {"run", "--bootstrap-servers", servers,
                "--kafka-config", config.toString(), "--topic", "payments-sec", "--group-id", "sec-it",
                "--starting-offsets", "earliest", "--idle-advance", "0", "--alerts-topic", "alerts-sec",
                "--control-topic", "control-sec", "--alerts-out", alerts.toString(),
                "--checkpoint-dir", dir.resolve("cp").toString(), "--checkpoint-interval", "1s",
                "--state", "heap", "--parallelism", "2", "--quiet"},
                new PrintStream(console, true, StandardCharsets.UTF_8)).prepare().env.executeAsync("secured-it");
        try {
            KafkaTopics.produce(client, "control-sec", List.of("{\"change_id\":\"chg-sec-1\","
                    + "\"failure_rate\":{\"overrides\":{\"merchant_id\":{\"m-other\":{\"warning\":0.5}}}}}"), null);
            // the merchant fired and resolved, and the rule change was applied and echoed
            io.paywatch.jobs.testing.LiveRun.await(run, () -> {
                List<String> lines = LiveRunReference.sortedCompleteLines(alerts);
                return lines.stream().anyMatch(l -> l.contains("\"m-sec\"") && l.contains("\"resolved\""))
                        && lines.stream().anyMatch(l -> l.contains("chg-sec-1"));
            });
            List<String> inFile = LiveRunReference.sortedCompleteLines(alerts);
            // the alerts topic, read through the same secured listener, holds what the file holds
            List<String> onTopic = LiveRunReference.readCommitted(client, "alerts-sec", inFile.size());
            assertThat(onTopic).containsAll(inFile.stream().filter(l -> l.contains("\"m-sec\"")).toList());
            assertThat(onTopic).anyMatch(l -> l.contains("chg-sec-1"));
        } finally {
            run.cancel().get();
        }
        // no secret reached the console
        assertThat(console.toString(StandardCharsets.UTF_8))
                .doesNotContain(System.getenv(TestServices.KAFKA_PASSWORD_ENV))
                .doesNotContain(System.getenv(TestServices.KAFKA_STORE_PASSWORD_ENV));
    }

    @Test
    void aWrongPasswordIsOneLineWithinSecondsNotAHang() throws Exception {
        String servers = TestServices.securedKafka();
        Path config = kafkaConfig("not-the-password");
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        JobCommand command = new JobCommand("run", new String[] {"run", "--bootstrap-servers", servers,
                "--kafka-config", config.toString(), "--topic", "payments-sec-wrong", "--quiet",
                "--checkpoint-dir", dir.resolve("cp").toString()},
                new PrintStream(console, true, StandardCharsets.UTF_8));
        Assertions.assertTimeoutPreemptively(Duration.ofSeconds(60), () ->
                assertThatThrownBy(command::prepare).isInstanceOf(UsageException.class)
                        .hasMessageStartingWith("run: Kafka at " + servers + " refused the connection's credentials")
                        .hasMessageContaining("SCRAM-SHA-512")
                        .hasMessageNotContaining("not-the-password")
                        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n")));
    }
}
