package io.paywatch.jobs.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paywatch.jobs.cli.PayWatchCli;
import io.paywatch.jobs.testing.KafkaTopics;
import io.paywatch.jobs.testing.RealisticHour;
import io.paywatch.jobs.testing.TestServices;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Poison messages on the Kafka source — a tombstone, invalid UTF-8, a NUL byte, a near-1 MB value,
 * an array — among valid events: the job reads past them, each one a dead letter naming its
 * topic, partition and offset.
 */
class PoisonMessageITCase {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void poisonRecordsBecomeDeadLettersAndTheJobGoesOn() throws Exception {
        String kafka = TestServices.kafka();
        String topic = "poison-it";
        KafkaTopics.create(kafka, topic, 2);
        long start = RealisticHour.START;
        byte[] nearlyOneMegabyte = new byte[900_000];
        Arrays.fill(nearlyOneMegabyte, (byte) '{');
        List<byte[]> poison = List.of(new byte[] {(byte) 0xC3, 0x28, '{', '}'},
                "{\"event_id\":\"a\u0000\"}".getBytes(StandardCharsets.UTF_8), nearlyOneMegabyte,
                "[1,2,3]".getBytes(StandardCharsets.UTF_8));
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        int valid = 0;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            for (int i = 0; i < 200; i++) {
                long t = start + i * 1_000L;
                String e = "{\"event_id\":\"ok-" + i + "\",\"event_time\":" + t + ",\"kind\":\"payment\","
                        + "\"payment_id\":\"p-" + i + "\",\"order_id\":\"o-" + i + "\",\"merchant_id\":\"m-1\","
                        + "\"channel\":\"card\",\"status\":\"succeeded\",\"amount_minor\":100,\"currency\":\"CNY\"}";
                producer.send(new ProducerRecord<>(topic, i % 2, t, null, e.getBytes(StandardCharsets.UTF_8)));
                valid++;
                if (i % 40 == 20) {
                    int k = i / 40;
                    producer.send(new ProducerRecord<>(topic, i % 2, t, null, k < poison.size() ? poison.get(k) : null));
                }
            }
            producer.flush();
        }
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = PayWatchCli.run(new String[] {"replay", "--kafka-topic", topic, "--from",
                String.valueOf(start), "--to", String.valueOf(start + 300_000), "--bootstrap-servers", kafka,
                "--dead-letter-out", dir.resolve("dead.jsonl").toString(),
                "--metrics-out", dir.resolve("m.lp").toString(), "--quiet"},
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        List<JsonNode> dead = new ArrayList<>();
        for (String l : Files.readAllLines(dir.resolve("dead.jsonl"))) {
            dead.add(JSON.readTree(l));
        }
        assertThat(dead).hasSize(5); // four poison values and a tombstone
        assertThat(dead).allMatch(d -> d.path("source").asText().matches("poison-it-[01]@\\d+"));
        assertThat(dead).extracting(d -> d.path("reason").asText())
                .contains("invalid_json", "too_large", "not_an_object");
        long accepted = Files.readAllLines(dir.resolve("m.lp")).stream()
                .filter(l -> l.startsWith("paywatch_input "))
                .mapToLong(l -> Long.parseLong(l.replaceAll(".*accepted=(\\d+)i.*", "$1"))).sum();
        assertThat(accepted).isEqualTo(valid);
    }
}
