package io.paywatch.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.paywatch.jobs.ingest.EventParser;
import io.paywatch.jobs.ingest.ParsedRecord;
import io.paywatch.jobs.testing.KafkaTopics;
import io.paywatch.jobs.testing.RealisticHour;
import io.paywatch.jobs.testing.TestServices;
import io.paywatch.model.ReturnCodeCatalog;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A topic loaded after the fact (#16): the realistic hour of 2026-11-23 produced now with a plain
 * Kafka client, so its records are stamped days after their events. Selected by record time, the
 * hour's range has no records: the replay says so and where the topic's records are. Selected by
 * event time ({@code --time-basis event}), the range replays exactly the events in it: the same
 * alerts and rates as a file replay of those events.
 */
class KafkaEventTimeRangeITCase {
    private static final long FROM = RealisticHour.START + 600_000; // 10:10
    private static final long TO = RealisticHour.START + 2_400_000; // 10:40

    @TempDir
    Path dir;

    @Test
    void aBackfilledTopicIsReplayedByEventTime() throws Exception {
        String kafka = TestServices.kafka();
        String topic = "payments-backfill-it";
        KafkaTopics.create(kafka, topic, 2);
        List<String> hour = new RealisticHour().lines;
        KafkaTopics.produce(kafka, topic, hour, null); // stamped by the broker: now, days later

        // by record time: nothing, and the replay says why
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Path empty = dir.resolve("record-basis.jsonl");
        assertThat(run(out, "replay", "--kafka-topic", topic, "--bootstrap-servers", kafka,
                "--from", String.valueOf(FROM), "--to", String.valueOf(TO), "--alerts-out", empty.toString(),
                "--quiet")).isZero();
        String said = out.toString(StandardCharsets.UTF_8);
        assertThat(said).contains("0 records with record times in 2026-11-23T10:10:00Z to 2026-11-23T10:40:00Z",
                "topic " + topic + "'s records span 20", "--time-basis event");
        assertThat(Files.readAllLines(empty)).isEmpty();

        // by event time: exactly the events of [10:10, 10:40)
        Path byEvent = dir.resolve("event-basis.jsonl");
        Path byEventMetrics = dir.resolve("event-basis.lp");
        out.reset();
        assertThat(run(out, "replay", "--kafka-topic", topic, "--bootstrap-servers", kafka,
                "--from", "2026-11-23T10:10:00Z", "--to", "2026-11-23T10:40:00Z", "--time-basis", "event",
                "--alerts-out", byEvent.toString(), "--metrics-out", byEventMetrics.toString(),
                "--parallelism", "2", "--quiet")).isZero();
        String plan = out.toString(StandardCharsets.UTF_8);
        assertThat(plan).contains("event times 2026-11-23T10:10:00Z", "by event time:", "records to read");
        java.util.regex.Matcher toRead = java.util.regex.Pattern.compile("by event time: ([0-9,]+) records").matcher(plan);
        assertThat(toRead.find()).isTrue();
        long read = Long.parseLong(toRead.group(1).replace(",", ""));
        // a backfill is read from its start (every record is stamped after --from), and each
        // partition stops at its first event past 10:40:05, well before the end of the hour
        assertThat(read).isLessThan(hour.size() * 3 / 4).isGreaterThan(hour.size() / 2);

        // the reference: a file replay of the same hour's events in that range
        EventParser parser = new EventParser(ReturnCodeCatalog.defaultCatalog());
        List<String> inRange = new ArrayList<>();
        for (String l : hour) {
            ParsedRecord r = parser.parse(l, "ref", 0);
            if (r.isValid() && r.event.eventTime >= FROM && r.event.eventTime < TO) {
                inRange.add(l);
            }
        }
        Path file = dir.resolve("in-range.jsonl");
        Files.write(file, inRange);
        Path fromFile = dir.resolve("file.jsonl");
        Path fileMetrics = dir.resolve("file.lp");
        assertThat(run(new ByteArrayOutputStream(), "replay", "--input", file.toString(),
                "--alerts-out", fromFile.toString(), "--metrics-out", fileMetrics.toString(),
                "--parallelism", "1", "--quiet")).isZero();
        List<String> expected = Files.readAllLines(fromFile);
        assertThat(expected).hasSizeGreaterThan(20);
        assertThat(Files.readAllLines(byEvent)).isEqualTo(expected);
        assertThat(rates(byEventMetrics)).isEqualTo(rates(fileMetrics));

        // a flag that needs its range is one line, not a surprise
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(PayWatchCli.run(new String[] {"replay", "--input", file.toString(), "--time-basis", "event"},
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8))).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--time-basis").hasLineCount(1);
    }

    private static List<String> rates(Path metrics) throws Exception {
        return Files.readAllLines(metrics).stream().filter(l -> !l.startsWith("paywatch_input")).toList();
    }

    private static int run(ByteArrayOutputStream out, String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = PayWatchCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(err.toString(StandardCharsets.UTF_8)).as("stderr").doesNotContain("Exception");
        return code;
    }
}
