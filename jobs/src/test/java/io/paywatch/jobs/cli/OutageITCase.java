package io.paywatch.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paywatch.jobs.delivery.Signatures;
import io.paywatch.jobs.delivery.WebhookDelivery;
import io.paywatch.jobs.testing.PrometheusScrape;
import io.paywatch.jobs.testing.KafkaTopics;
import io.paywatch.jobs.testing.TestServices;
import io.paywatch.jobs.testing.WebhookReceiver;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The webhook receiver is down for the whole stream and the Kafka broker is restarted in the
 * middle of it: the live run keeps going (through a failover if the broker's absence costs it
 * one), logs both outages, ends with exactly the alerts, topic records and metrics of an
 * uninterrupted run, holds every page, and delivers each of them once the receiver is up.
 */
class OutageITCase {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void aBrokerRestartAndAReceiverOutageLoseNothingAndEveryPageArrivesAfterwards() throws Exception {
        String kafka = TestServices.kafka();
        String topic = "payments-outage-kafka-it";
        String alertsTopic = "alerts-outage-kafka-it";
        KafkaTopics.create(kafka, topic, 2);
        KafkaTopics.create(kafka, alertsTopic, 1);
        LiveRunReference ref = new LiveRunReference(dir, 2);
        List<String> lines = ref.lines;
        int half = lines.size() / 2;
        Path alerts = dir.resolve("alerts.jsonl");
        Path metrics = dir.resolve("metrics.lp");
        Path dead = dir.resolve("dead.jsonl");
        int hookPort = TestServices.freePort();
        int promPort = TestServices.freePort();
        String hookUrl = "http://127.0.0.1:" + hookPort + "/hook?token=secret-token";

        Path testLog = Path.of("target", "test.log");
        long logFrom = Files.exists(testLog) ? Files.size(testLog) : 0;
        KafkaTopics.produce(kafka, topic, lines.subList(0, half), null);
        PrintStream out = new PrintStream(Files.newOutputStream(dir.resolve("run.log")), true,
                StandardCharsets.UTF_8);
        JobClient run = new JobCommand("run", new String[] {
            "run", "--bootstrap-servers", kafka, "--topic", topic, "--group-id", "outage-kafka-it",
            "--starting-offsets", "earliest", "--alerts-out", alerts.toString(), "--metrics-out",
            metrics.toString(), "--dead-letter-out", dead.toString(), "--alerts-topic", alertsTopic,
            "--webhook-url", hookUrl, "--webhook-secret-env", "PAYWATCH_IT_WEBHOOK_SECRET",
            "--checkpoint-dir", dir.resolve("cp").toString(), "--checkpoint-interval", "1s",
            // no partition may turn idle because everything fell silent at once, or the reader
            // that reconnects first would carry event time past where the other one resumes
            // (ReaderActivityCoordinator); proven below by a silence longer than this timeout.
            // After the restart, one reader may resume before the other (reconnects, the producer,
            // a loaded machine): a partition that stays silent this long while the other is read
            // counts as idle, as it should, so the timeout leaves room for that skew (6 s did not
            // once, in CI: 27 false pages)
            "--idle-timeout", "20s", "--prometheus-port", String.valueOf(promPort),
            "--idle-advance", "0", "--state", "heap", "--parallelism", "2", "--quiet"}, out)
                .prepare().env.executeAsync("outage-kafka-it");
        try {
            // pages are made while the receiver is down
            io.paywatch.jobs.testing.LiveRun.await(run, () -> LiveRunReference.sortedCompleteLines(alerts).size() > 10);

            TestServices.stopKafka();
            try {
                // the job notices the broker is gone (its clients say so) and keeps running
                io.paywatch.jobs.testing.LiveRun.await(run, () -> LiveRunReference.logSince(testLog, logFrom).contains("could not be established"));
            } finally {
                TestServices.startKafkaAgain();
            }
            KafkaTopics.produce(kafka, topic, lines.subList(half, lines.size()), null);
            for (int p = 0; p < 2; p++) {
                KafkaTopics.produceTo(kafka, topic, p, System.currentTimeMillis(), ref.sentinels.get(p));
            }
            io.paywatch.jobs.testing.LiveRun.await(run, () -> ref.complete(alerts, metrics));
            assertThat(run.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);

            // the input has stopped as a whole, longer than the idle timeout: each gate subtask
            // has been told that no other one reads, and none of the partitions counts as idle
            String gate = "flink_taskmanager_job_task_operator_paywatch_input_";
            List<String> scrapes = new java.util.ArrayList<>();
            PrometheusScrape silent = PrometheusScrape.until(run, promPort, scrapes,
                    x -> x.series(gate + "secondsSilent").size() == 2
                            && x.series(gate + "secondsSilent").stream().allMatch(e -> e.getValue() >= 22),
                    x -> "silent " + x.series(gate + "secondsSilent"));
            assertThat(silent.series(gate + "otherReadersActive")).hasSize(2)
                    .allSatisfy(e -> assertThat(e.getValue()).isZero());
            assertThat(silent.series(gate + "idlePartitions")).hasSize(2)
                    .allSatisfy(e -> assertThat(e.getValue()).isZero());

            // nothing lost, nothing twice, despite the broker restart
            try {
                LiveRunReference.assertSameLines("alerts file", LiveRunReference.sortedCompleteLines(alerts),
                        ref.expectedAlerts);
            } catch (AssertionError differs) {
                throw new AssertionError(differs.getMessage() + "\n"
                        + LiveRunReference.eventTimeReport(testLog, logFrom, dead), differs);
            }
            assertThat(Files.readAllLines(alerts)).doesNotHaveDuplicates();
            LiveRunReference.assertSameLines("alerts topic", LiveRunReference.readCommitted(kafka, alertsTopic, ref.expectedAlerts.size()),
                    ref.expectedAlerts);
            LiveRunReference.assertSameLines("metrics file",
                    LiveRunReference.metricsUpTo(metrics, LiveRunReference.REACHED), ref.expectedMetrics);

            // the receiver has been down all along: every page is held, none given up on
            Set<String> paged = pagedKeys(ref.expectedAlerts);
            assertThat(paged).isNotEmpty();
            try (WebhookReceiver receiver = new WebhookReceiver(hookPort, 0, 500, 0)) {
                io.paywatch.jobs.testing.LiveRun.await(run, () -> delivered(receiver).containsAll(paged));
                String secret = System.getenv("PAYWATCH_IT_WEBHOOK_SECRET");
                assertThat(receiver.requests).allSatisfy(r ->
                        assertThat(r.header(Signatures.HEADER)).isEqualTo(Signatures.sign(secret, r.body)));
                assertThat(delivered(receiver)).isEqualTo(paged);
                // once each: no retry left running by a task the broker restart replaced
                assertThat(receiver.requests).hasSize(paged.size());
                // the delivery metrics show the outage: pages that took more than one attempt
                io.paywatch.jobs.testing.LiveRun.await(run, () -> deliveryPoints(metrics, "delivered").size() >= paged.size());
                assertThat(deliveryPoints(metrics, "delivered")).anySatisfy(p ->
                        assertThat(p).containsPattern("attempts=([2-9]|\\d\\d+)i"));
                assertThat(deliveryPoints(metrics, "failed")).isEmpty();
                assertThat(Files.exists(dead) ? Files.readString(dead) : "").doesNotContain("delivery_failed");
            }
            assertThat(run.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
        } finally {
            run.cancel().get();
        }
        assertThat(LiveRunReference.logSince(testLog, logFrom))
                .contains("unavailable (no answer: ConnectException")
                .contains("holding pages and retrying for up to 10m")
                .contains("is back: delivering the pages it missed");
    }

    /** The idempotency keys ({@code alert_id:status:transition_at}) of the alerts that page. */
    private static Set<String> pagedKeys(List<String> alerts) throws Exception {
        Set<String> keys = new HashSet<>();
        for (String l : alerts) {
            JsonNode a = JSON.readTree(l);
            if (!a.has("inhibited_by") && !a.has("silenced") && !a.has("flapping")) {
                keys.add(a.path("alert_id").asText() + ":" + a.path("status").asText() + ":"
                        + java.time.Instant.parse(a.path("transition_at").asText()).toEpochMilli());
            }
        }
        return keys;
    }

    private static Set<String> delivered(WebhookReceiver receiver) {
        Set<String> keys = new HashSet<>();
        receiver.requests.forEach(r -> keys.add(r.header(WebhookDelivery.IDEMPOTENCY_HEADER)));
        return keys;
    }

    private static List<String> deliveryPoints(Path metrics, String outcome) {
        try {
            return Files.readAllLines(metrics).stream()
                    .filter(l -> l.startsWith("paywatch_delivery,") && l.contains("outcome=" + outcome))
                    .toList();
        } catch (java.io.IOException beingWritten) {
            return List.of();
        }
    }
}
