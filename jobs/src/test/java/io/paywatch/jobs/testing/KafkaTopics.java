package io.paywatch.jobs.testing;

import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/** Topic creation and producing for tests against the real broker. */
public final class KafkaTopics {
    private KafkaTopics() {}

    public static void create(String servers, String topic, int partitions) throws Exception {
        create(client(servers, new Properties()), topic, partitions);
    }

    /** The client settings of {@code config} (TLS, SASL, …) with the servers. */
    public static Properties client(String servers, Properties config) {
        Properties p = new Properties();
        p.putAll(config);
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        return p;
    }

    /** Creates the topic with a client of these settings (servers included). */
    public static void create(Properties client, String topic, int partitions) throws Exception {
        Properties p = new Properties();
        p.putAll(client);
        try (Admin admin = Admin.create(p)) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all()
                    .get(30, TimeUnit.SECONDS);
            // created is not yet visible to every client: wait until its metadata is served with
            // a leader for every partition (a producer sending before that gets NOT_LEADER errors
            // and retries)
            long deadline = System.currentTimeMillis() + 30_000;
            while (true) {
                try {
                    var description = admin.describeTopics(List.of(topic)).allTopicNames()
                            .get(10, TimeUnit.SECONDS).get(topic);
                    if (description.partitions().size() == partitions
                            && description.partitions().stream().allMatch(q -> q.leader() != null && !q.leader().isEmpty())) {
                        return;
                    }
                    if (System.currentTimeMillis() > deadline) {
                        throw new IllegalStateException("topic " + topic + " has partitions without a leader: " + description);
                    }
                    Thread.sleep(100); // polling the broker's metadata, an observable outcome
                } catch (java.util.concurrent.ExecutionException notYet) {
                    if (System.currentTimeMillis() > deadline) {
                        throw notYet;
                    }
                    Thread.sleep(100); // polling the broker's metadata, an observable outcome
                }
            }
        }
    }

    /**
     * Produces the lines keyed by payment id (as the contract says producers do), with record
     * timestamps taken from {@code timestamps} (null: the broker's clock).
     */
    public static void produce(String servers, String topic, List<String> lines, List<Long> timestamps)
            throws Exception {
        produce(client(servers, new Properties()), topic, lines, timestamps);
    }

    /** {@link #produce(String, String, List, List)} with a client of these settings (servers included). */
    public static void produce(Properties client, String topic, List<String> lines, List<Long> timestamps)
            throws Exception {
        Properties p = producer(client);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                Long ts = timestamps == null ? null : timestamps.get(i);
                producer.send(new ProducerRecord<>(topic, null, ts, io.paywatch.jobs.demo.TrafficGenerator.paymentIdOf(line), line));
            }
            producer.flush();
        }
    }

    /** One control record with the signature and key id headers a signed change carries. */
    public static void produceSigned(String servers, String topic, String value, String signature, String keyId)
            throws Exception {
        Properties p = producer(servers);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            ProducerRecord<String, String> r = new ProducerRecord<>(topic, value);
            r.headers().add("X-PayWatch-Signature", signature.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            r.headers().add("X-PayWatch-Key-Id", keyId.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            producer.send(r).get();
        }
    }

    private static Properties producer(String servers) {
        return producer(client(servers, new Properties()));
    }

    private static Properties producer(Properties client) {
        Properties p = new Properties();
        p.putAll(client);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return p;
    }

    /**
     * Produces each line to its partition, stamped with its arrival time, in the order given: one
     * request in flight, so that a retried batch (a broker that answered NOT_LEADER_OR_FOLLOWER
     * once broke a test's order that way) cannot land after the next.
     */
    public static void produceLines(String servers, String topic, List<PartitionedLines.Line> lines) throws Exception {
        Properties p = producer(servers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
        java.util.Map<Integer, Long> sent = new java.util.TreeMap<>();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            for (PartitionedLines.Line l : lines) {
                producer.send(new ProducerRecord<>(topic, l.partition(), l.arrival(), null, l.json()));
                sent.merge(l.partition(), 1L, Long::sum);
            }
            producer.flush();
        }
        // a test that counts redeliveries needs every line once: say so if the broker disagrees
        try (Admin admin = Admin.create(client(servers, new Properties()))) {
            java.util.Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> latest =
                    new java.util.HashMap<>();
            sent.keySet().forEach(q -> latest.put(new org.apache.kafka.common.TopicPartition(topic, q),
                    org.apache.kafka.clients.admin.OffsetSpec.latest()));
            var ends = admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS);
            sent.forEach((q, n) -> {
                long end = ends.get(new org.apache.kafka.common.TopicPartition(topic, q)).offset();
                if (end != n) {
                    throw new IllegalStateException("topic " + topic + " partition " + q + " holds " + end
                            + " records after " + n + " were produced to it (a new topic: they should match)");
                }
            });
        }
    }

    /** Produces one record to a chosen partition. */
    public static void produceTo(String servers, String topic, int partition, long timestamp, String line)
            throws Exception {
        Properties p = producer(servers);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            producer.send(new ProducerRecord<>(topic, partition, timestamp, io.paywatch.jobs.demo.TrafficGenerator.paymentIdOf(line), line)).get();
        }
    }

}
