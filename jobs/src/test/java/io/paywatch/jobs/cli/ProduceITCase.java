package io.paywatch.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.paywatch.jobs.ingest.EventParser;
import io.paywatch.jobs.ingest.ParsedRecord;
import io.paywatch.jobs.testing.KafkaTopics;
import io.paywatch.jobs.testing.TestServices;
import io.paywatch.model.ReturnCodeCatalog;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/** {@code ./paywatch produce} sends the contract's events to the real broker, keyed by payment. */
class ProduceITCase {
    @Test
    void producesContractEventsKeyedByPaymentId() throws Exception {
        String kafka = TestServices.kafka();
        KafkaTopics.create(kafka, "produce-it", 2);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = PayWatchCli.run(new String[] {"produce", "--bootstrap-servers", kafka, "--topic",
                "produce-it", "--rate", "40", "--duration", "3s", "--quiet"},
                new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
        assertThat(code).isZero();
        String console = out.toString(StandardCharsets.UTF_8);
        long sent = Long.parseLong(console.replaceAll("(?s).*done, ([0-9,]+) records sent.*", "$1").replace(",", ""));
        assertThat(sent).isGreaterThan(100); // 40 payments/s for 3 s, with their charges

        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "produce-it");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            consumer.subscribe(List.of("produce-it"));
            long deadline = System.currentTimeMillis() + 30_000;
            while (records.size() < sent && System.currentTimeMillis() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(records::add);
            }
        }
        assertThat(records).hasSize((int) sent);
        EventParser parser = new EventParser(ReturnCodeCatalog.defaultCatalog());
        long valid = 0;
        for (ConsumerRecord<String, String> r : records) {
            ParsedRecord parsed = parser.parse(r.value(), "k", r.partition());
            if (parsed.isValid()) {
                valid++;
                assertThat(r.key()).isEqualTo(parsed.event.paymentId);
                // real-time traffic: event time is now, give or take the out-of-order jitter
                assertThat(Math.abs(parsed.event.eventTime - r.timestamp())).isLessThan(130_000);
            }
        }
        assertThat(valid).isGreaterThan(sent * 95 / 100);
    }
}
