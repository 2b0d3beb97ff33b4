package io.paywatch.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.paywatch.jobs.testing.InfluxQl;
import io.paywatch.jobs.testing.KafkaTopics;
import io.paywatch.jobs.testing.PrometheusScrape;
import io.paywatch.jobs.testing.RealisticHour;
import io.paywatch.jobs.testing.TestServices;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * InfluxDB goes down while a live run streams: the job keeps running (its alerts and metrics
 * files complete, nothing waits on InfluxDB beyond its bounded buffer), logs the outage, and once
 * InfluxDB is back every failure-rate point reaches it.
 */
class InfluxOutageITCase {
    private static final long START = RealisticHour.START;

    @TempDir
    Path dir;

    @Test
    void theJobRidesOutAnInfluxOutageAndDeliversEveryPointAfterwards() throws Exception {
        String kafka = TestServices.kafka();
        String influx = TestServices.influx();
        String topic = "payments-outage-it";
        KafkaTopics.create(kafka, topic, 1);
        List<String> lines = new RealisticHour().lines;
        int half = lines.size() / 2;
        Path alerts = dir.resolve("alerts.jsonl");
        Path metrics = dir.resolve("metrics.lp");
        Path log = dir.resolve("run.log");
        KafkaTopics.produce(kafka, topic, lines.subList(0, half), null);

        Path testLog = Path.of("target", "test.log");
        long logFrom = Files.exists(testLog) ? Files.size(testLog) : 0;
        java.io.PrintStream out = new java.io.PrintStream(Files.newOutputStream(log), true);
        int prometheus = TestServices.freePort();
        JobClient run = new JobCommand("run", new String[] {
            "run", "--prometheus-port", String.valueOf(prometheus), "--bootstrap-servers", kafka, "--topic", topic, "--group-id", "outage-it",
            "--starting-offsets", "earliest", "--alerts-out", alerts.toString(), "--metrics-out", metrics.toString(),
            "--influx-url", influx, "--influx-db", "outage_it", "--checkpoint-dir", dir.resolve("cp").toString(),
            "--checkpoint-interval", "1s", "--idle-advance", "0", "--state", "heap", "--parallelism", "1",
            "--quiet"}, out).prepare().env.executeAsync("outage-it");
        try {
            io.paywatch.jobs.testing.LiveRun.await(run, () -> influxRatePoints(influx) > 0);
            TestServices.stopInflux();
            try {
                // the second half streams while InfluxDB is down: the files still complete
                KafkaTopics.produce(kafka, topic, lines.subList(half, lines.size()), null);
                long nearTheEnd = START + 3_600_000 - 60_000;
                io.paywatch.jobs.testing.LiveRun.await(run, () -> ratePointsInFile(metrics, Long.MAX_VALUE) > ratePointsInFile(metrics, nearTheEnd));
                assertThat(run.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
                // the sink's gauges show the outage: points held back, seconds down, failed writes
                PrometheusScrape down = PrometheusScrape.until(run, prometheus, new ArrayList<>(),
                        x -> influxSink(x, "buffered") > 1_000 && influxSink(x, "secondsDown") >= 1,
                        x -> "buffered " + influxSink(x, "buffered") + ", secondsDown " + influxSink(x, "secondsDown"));
                assertThat(influxSink(down, "failures")).isPositive();
            } finally {
                TestServices.startInfluxAgain();
            }
            // back: what was buffered arrives (the backoff tops out at 60 s)
            long inFile = ratePointsInFile(metrics, Long.MAX_VALUE);
            assertThat(inFile).isGreaterThan(1_000);
            io.paywatch.jobs.testing.LiveRun.await(run, () -> influxRatePoints(influx) >= inFile);
            assertThat(influxRatePoints(influx)).isEqualTo(ratePointsInFile(metrics, Long.MAX_VALUE));
            assertThat(run.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
            // and once InfluxDB is back, they fall: nothing held, not down
            PrometheusScrape back = PrometheusScrape.until(run, prometheus, new ArrayList<>(),
                    x -> influxSink(x, "buffered") == 0 && influxSink(x, "secondsDown") == 0,
                    x -> "buffered " + influxSink(x, "buffered") + ", secondsDown " + influxSink(x, "secondsDown"));
            assertThat(influxSink(back, "delivered")).isGreaterThanOrEqualTo(inFile);
            // the paywatch_sink points written during the outage waited in the buffer and tell it now
            io.paywatch.jobs.testing.LiveRun.await(run, () -> influxSinkPoint(influx, "max(\"failures\")") > 0);
            assertThat(influxSinkPoint(influx, "max(\"buffered\")")).isPositive();
        } finally {
            run.cancel().get();
        }
        // the outage was reported, and its end
        assertThat(LiveRunReference.logSince(testLog, logFrom)).contains("unavailable, buffering points and retrying with backoff")
                .contains("is back: writes resumed");
    }

    private static double influxSink(PrometheusScrape s, String gauge) {
        return s.sum("flink_taskmanager_job_task_operator_paywatch_sink_" + gauge, "sink", "influxdb");
    }

    private static long influxSinkPoint(String influx, String select) {
        try {
            var rows = InfluxQl.rows(influx, "outage_it", "SELECT " + select
                    + " FROM paywatch_sink WHERE sink = 'influxdb'");
            return rows.isEmpty() ? 0 : rows.get(0).get(1).asLong();
        } catch (RuntimeException down) {
            return 0;
        }
    }

    private static long influxRatePoints(String influx) {
        try {
            var rows = InfluxQl.rows(influx, "outage_it", "SELECT count(total) FROM paywatch_rate");
            return rows.isEmpty() ? 0 : rows.get(0).get(1).asLong();
        } catch (RuntimeException down) {
            return 0;
        }
    }

    /** Failure-rate points in the metrics file up to {@code upTo} (a line being written left out). */
    private static long ratePointsInFile(Path file, long upTo) {
        try {
            if (!Files.exists(file)) {
                return 0;
            }
            return Files.readAllLines(file).stream()
                    .filter(l -> l.startsWith("paywatch_rate,") && l.lastIndexOf(' ') > 0)
                    .map(l -> l.substring(l.lastIndexOf(' ') + 1))
                    .filter(t -> !t.isEmpty() && t.chars().allMatch(Character::isDigit))
                    .filter(t -> Long.parseLong(t) <= upTo).count();
        } catch (java.io.IOException beingWritten) {
            return 0;
        }
    }
}
