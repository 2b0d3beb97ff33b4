package io.paywatch.jobs.cli;

import io.paywatch.jobs.ingest.EventParser;
import io.paywatch.jobs.ingest.ParsedRecord;
import io.paywatch.model.ReturnCodeCatalog;
import io.paywatch.model.Timestamps;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Which offsets of each partition a Kafka range replay reads ({@code replay --kafka-topic --from
 * --to}), decided before the job starts with a plain consumer.
 * <ul>
 * <li>{@code --time-basis record} (the default): the records stamped in [from, to), by Kafka's
 * time index. A topic loaded after the fact (a backfill, a producer stamping its send time) may
 * have none there: the plan then says so, with the span of record times the topic does have.
 * <li>{@code --time-basis event}: a record is never stamped before its event happened (up to the
 * producers' clock skew), so each partition is read from its first record stamped at or after
 * {@code from − skew} — for a backfill, its start — up to its end, or up to the first event
 * further past {@code to} than the out-of-orderness bound (no later record of that partition can
 * hold an event in range that is not late anyway); the job keeps exactly the events whose event
 * time is in [from, to).
 * </ul>
 */
final class KafkaRange {
    final Map<TopicPartition, Long> start = new HashMap<>();
    final Map<TopicPartition, Long> stop = new HashMap<>();
    /** What the plan says to the user, one line each. */
    final List<String> notes = new ArrayList<>();

    long records() {
        long n = 0;
        for (Map.Entry<TopicPartition, Long> e : start.entrySet()) {
            n += Math.max(0, stop.get(e.getKey()) - e.getValue());
        }
        return n;
    }

    static KafkaRange plan(Properties client, String topic, long from, long to, boolean eventBasis,
            long skewMs, long boundMs) {
        Properties p = new Properties();
        p.putAll(client);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // no isolation level of its own: it sees what the job's source sees (--kafka-config)
        KafkaRange plan = new KafkaRange();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            List<TopicPartition> partitions = new ArrayList<>();
            c.partitionsFor(topic, Duration.ofSeconds(20)).forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
            Map<TopicPartition, Long> begin = c.beginningOffsets(partitions, Duration.ofSeconds(20));
            Map<TopicPartition, Long> end = c.endOffsets(partitions, Duration.ofSeconds(20));
            Map<TopicPartition, Long> fromOffsets = offsetsAt(c, partitions, eventBasis ? from - skewMs : from, end);
            if (eventBasis) {
                plan.start.putAll(fromOffsets);
                EventParser parser = new EventParser(ReturnCodeCatalog.defaultCatalog());
                for (TopicPartition tp : partitions) {
                    plan.stop.put(tp, stopByEventTime(c, parser, tp, fromOffsets.get(tp), end.get(tp), to + boundMs));
                }
                plan.notes.add(String.format(java.util.Locale.ROOT, "by event time: %,d records to read"
                        + " (from the first stamped at or after %s, up to each partition's end or its first"
                        + " event after %s)", plan.records(), Timestamps.rfc3339(from - skewMs),
                        Timestamps.rfc3339(to + boundMs)));
            } else {
                plan.start.putAll(fromOffsets);
                plan.stop.putAll(offsetsAt(c, partitions, to, end));
                if (plan.records() == 0) {
                    plan.notes.add("0 records with record times in " + Timestamps.rfc3339(from) + " to "
                            + Timestamps.rfc3339(to) + "; " + span(c, partitions, begin, end, topic)
                            + (hasRecords(begin, end) ? "; a topic loaded after its events happened:"
                                    + " select by event time with --time-basis event" : ""));
                }
            }
        }
        return plan;
    }

    /** The first offset stamped at or after {@code time} per partition; the end when none is. */
    private static Map<TopicPartition, Long> offsetsAt(KafkaConsumer<byte[], byte[]> c,
            List<TopicPartition> partitions, long time, Map<TopicPartition, Long> end) {
        Map<TopicPartition, Long> query = new HashMap<>();
        partitions.forEach(tp -> query.put(tp, Math.max(0, time)));
        Map<TopicPartition, OffsetAndTimestamp> found = c.offsetsForTimes(query, Duration.ofSeconds(20));
        Map<TopicPartition, Long> out = new HashMap<>();
        for (TopicPartition tp : partitions) {
            OffsetAndTimestamp o = found.get(tp);
            out.put(tp, o == null ? end.get(tp) : o.offset());
        }
        return out;
    }

    /** The offset of the first event after {@code after} from {@code start}, else {@code end}. */
    private static long stopByEventTime(KafkaConsumer<byte[], byte[]> c, EventParser parser,
            TopicPartition tp, long start, long end, long after) {
        if (start >= end) {
            return end;
        }
        c.assign(List.of(tp));
        c.seek(tp, start);
        long deadline = System.currentTimeMillis() + 600_000;
        while (c.position(tp) < end) {
            if (System.currentTimeMillis() > deadline) {
                throw new UsageException("replay: " + tp + " could not be read to its end within 10 min");
            }
            for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
                if (r.offset() >= end) {
                    return end;
                }
                ParsedRecord parsed = parser.parse(r.value() == null ? new byte[0] : r.value(), "plan", r.partition());
                if (parsed.isValid() && parsed.event.eventTime > after) {
                    return r.offset();
                }
            }
        }
        return end;
    }

    private static boolean hasRecords(Map<TopicPartition, Long> begin, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : begin.entrySet()) {
            if (end.get(e.getKey()) > e.getValue()) {
                return true;
            }
        }
        return false;
    }

    /** "this topic's records span 2026-11-26T08:00:00Z to 2026-11-26T08:02:10Z (record times)". */
    private static String span(KafkaConsumer<byte[], byte[]> c, List<TopicPartition> partitions,
            Map<TopicPartition, Long> begin, Map<TopicPartition, Long> end, String topic) {
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (TopicPartition tp : partitions) {
            for (long offset : new long[] {begin.get(tp), end.get(tp) - 1}) {
                if (offset < begin.get(tp) || offset >= end.get(tp)) {
                    continue;
                }
                ConsumerRecord<byte[], byte[]> r = recordAt(c, tp, offset, end.get(tp));
                if (r != null) {
                    first = Math.min(first, r.timestamp());
                    last = Math.max(last, r.timestamp());
                }
            }
        }
        return first == Long.MAX_VALUE ? "topic " + topic + " holds no records"
                : "topic " + topic + "'s records span " + Timestamps.rfc3339(first) + " to "
                        + Timestamps.rfc3339(last) + " (record times)";
    }

    /** The first record at or after {@code offset} (a transaction marker has no record). */
    private static ConsumerRecord<byte[], byte[]> recordAt(KafkaConsumer<byte[], byte[]> c, TopicPartition tp,
            long offset, long end) {
        c.assign(List.of(tp));
        c.seek(tp, offset);
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline && c.position(tp) < end) {
            for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(300))) {
                return r;
            }
        }
        return null;
    }
}
