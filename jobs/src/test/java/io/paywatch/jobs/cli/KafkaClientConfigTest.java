package io.paywatch.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaClientConfigTest {
    @TempDir
    Path dir;

    @Test
    void passesSettingsThroughAndTakesSecretsFromTheEnvironment() throws Exception {
        Path f = dir.resolve("kafka.properties");
        Files.writeString(f, String.join("\n",
                "security.protocol=SASL_SSL",
                "sasl.mechanism=SCRAM-SHA-512",
                "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required"
                        + " username=\"paywatch\" password=\"${KAFKA_PASSWORD}\";",
                "ssl.truststore.location=/etc/paywatch/truststore.jks",
                "bootstrap.servers=ignored:9092"));
        Properties p = KafkaClientConfig.load(f.toString(), Map.of("KAFKA_PASSWORD", "s3cr3t")::get);
        assertThat(p.getProperty("security.protocol")).isEqualTo("SASL_SSL");
        assertThat(p.getProperty("sasl.jaas.config")).contains("password=\"s3cr3t\"");
        assertThat(p.getProperty("ssl.truststore.location")).isEqualTo("/etc/paywatch/truststore.jks");
        assertThat(p).doesNotContainKey("bootstrap.servers"); // --bootstrap-servers decides
    }

    @Test
    void aMissingVariableOrFileIsAnErrorNamingIt() throws Exception {
        Path f = dir.resolve("kafka.properties");
        Files.writeString(f, "sasl.jaas.config=x password=\"${NOT_SET_ANYWHERE}\";\n");
        assertThatThrownBy(() -> KafkaClientConfig.load(f.toString(), k -> null))
                .hasMessage("--kafka-config: sasl.jaas.config refers to ${NOT_SET_ANYWHERE}, which is not set in the environment");
        assertThatThrownBy(() -> KafkaClientConfig.load(dir.resolve("nope").toString()))
                .hasMessageContaining("does not exist");
    }
}
