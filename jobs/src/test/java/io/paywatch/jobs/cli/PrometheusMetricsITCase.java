package io.paywatch.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paywatch.jobs.testing.Events;
import io.paywatch.jobs.testing.InfluxQl;
import io.paywatch.jobs.testing.KafkaTopics;
import io.paywatch.jobs.testing.PrometheusScrape;
import io.paywatch.jobs.testing.TestServices;
import io.paywatch.jobs.testing.WebhookReceiver;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.core.execution.JobClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./paywatch run --prometheus-port} from a real broker, with every kind of sink (InfluxDB,
 * a webhook receiver, the real Alertmanager, the alerts topic) and a control topic: the endpoint
 * is scraped with a plain HTTP GET while the job runs, and each of PayWatch's metrics is there
 * with the value the input and the alerts imply (exact counts of accepted, rejected, duplicate
 * and late events; alerts fired and resolved; deliveries per sink; the event-time lag of an hour
 * old stream). The scrapes then go into the real VictoriaMetrics, which speaks PromQL, and every
 * query of the board {@code grafana/dashboards/job-health.json} returns data there.
 */
class PrometheusMetricsITCase {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String P = "flink_taskmanager_job_task_operator_paywatch_";
    private static final int SECONDS = 480;
    private static final int FAILING_UNTIL = 90;

    @TempDir
    Path dir;

    @Test
    void theJobsOwnMetricsAreScrapedWithSensibleValuesAndTheBoardsQueriesAnswer() throws Exception {
        String kafka = TestServices.kafka();
        String am = TestServices.alertmanager();
        String influx = TestServices.influx();
        String victoria = TestServices.victoria();
        String topic = "payments-prom-it";
        String input = "payments_prom_it"; // the topic as a Prometheus label value
        KafkaTopics.create(kafka, topic, 1);
        KafkaTopics.create(kafka, "alerts-prom-it", 1);
        KafkaTopics.create(kafka, "control-prom-it", 1);
        long start = (System.currentTimeMillis() - 3_600_000) / 60_000 * 60_000;

        // the stream: clean traffic, with 5 redeliveries right after their originals, 3 records
        // that are not events, and at the end 2 new events from 6 minutes back (late)
        List<String> clean = Events.cardTraffic(start, 0, SECONDS, List.of("m-prom"), FAILING_UNTIL);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < clean.size(); i++) {
            lines.add(clean.get(i));
            if (i % 1000 == 7) {
                lines.add(clean.get(i));
            }
            if (i == 2_000) {
                lines.add("this is not json");
                lines.add("{\"event_id\":\"e-no-fields\"}");
                lines.add(Events.cardPaymentLine(start + 200_000, "bad\u0007", "m-healthy-1", false));
            }
        }
        long duplicates = lines.size() - clean.size() - 3;
        assertThat(duplicates).isEqualTo(6);
        lines.add(Events.cardPaymentLine(start + (SECONDS - 360) * 1000L, "late-1", "m-healthy-2", false));
        lines.add(Events.cardPaymentLine(start + (SECONDS - 360) * 1000L + 1, "late-2", "m-healthy-3", false));

        int port = TestServices.freePort();
        try (WebhookReceiver receiver = new WebhookReceiver(-1, 200, 0)) {
            ByteArrayOutputStream console = new ByteArrayOutputStream();
            JobCommand command = new JobCommand("run", new String[] {"run",
                    "--bootstrap-servers", kafka, "--topic", topic, "--group-id", "prom-it",
                    "--starting-offsets", "earliest", "--idle-advance", "0",
                    "--prometheus-port", String.valueOf(port),
                    "--webhook-url", receiver.url(), "--alertmanager-url", am, "--alertmanager-resend", "2s",
                    "--influx-url", influx, "--influx-db", "prometheus_it",
                    "--alerts-topic", "alerts-prom-it", "--control-topic", "control-prom-it",
                    "--checkpoint-dir", dir.resolve("cp").toString(), "--checkpoint-interval", "1s",
                    "--state", "heap", "--parallelism", "1", "--quiet"},
                    new PrintStream(console, true, StandardCharsets.UTF_8));
            JobClient run = command.prepare().env.executeAsync("paywatch-prometheus-it");
            try {
                assertThat(console.toString(StandardCharsets.UTF_8))
                        .contains("Prometheus metrics on http://localhost:" + port + "/metrics");
                KafkaTopics.produce(kafka, topic, lines, null);
                KafkaTopics.produceSigned(kafka, "control-prom-it",
                        "{\"change_id\":\"chg-prom-1\",\"failure_rate\":{\"overrides\":{\"merchant_id\":"
                                + "{\"m-other\":{\"warning\":0.5}}}}}", "unused", "k1");
                KafkaTopics.produceSigned(kafka, "control-prom-it",
                        "{\"change_id\":\"chg-prom-2\",\"failure_rate\":{\"warning\":7}}", "unused", "k1");

                List<String> scrapes = new ArrayList<>();
                // the alerts topic's writer, by Flink's operator name
                java.util.function.Predicate<java.util.Map<String, String>> alertsTopic =
                        l -> l.getOrDefault("operator_name", "").startsWith("alerts_topic");
                PrometheusScrape s = PrometheusScrape.until(run, port, scrapes, x -> x.sum(P + "input_accepted", "input", input) == clean.size()
                        && x.sum(P + "input_late", "input", input) == 2
                        && x.sum(P + "rule_resolved", "rule", "failure_rate") >= 1
                        && x.sum(P + "sink_delivered", "sink", "webhook_1") >= 2
                        && x.sum(P + "sink_delivered", "sink", "webhook_1") == receiver.requests.size()
                        && x.sum(P + "sink_delivered", "sink", "alertmanager") >= 2
                        && x.sum(P + "sink_delivered", "sink", "influxdb") > 0
                        && x.sum(P + "input_rejected", "input", "control") == 1
                        && x.sum(P + "sink_delivered", "sink", "alerts_topic") >= 2
                        && x.sum(P + "sink_delivered", "sink", "alerts_topic")
                                == x.sumWhere("flink_taskmanager_job_task_operator_numRecordsSend", alertsTopic),
                        x -> String.join(", ", "accepted " + x.sum(P + "input_accepted", "input", input) + " of " + clean.size(),
                                "late " + x.sum(P + "input_late", "input", input),
                                "resolved " + x.sum(P + "rule_resolved", "rule", "failure_rate"),
                                "webhook " + x.sum(P + "sink_delivered", "sink", "webhook_1") + " of " + receiver.requests.size(),
                                "alertmanager " + x.sum(P + "sink_delivered", "sink", "alertmanager"),
                                "influxdb " + x.sum(P + "sink_delivered", "sink", "influxdb"),
                                "alerts topic " + x.sum(P + "sink_delivered", "sink", "alerts_topic") + " of "
                                        + x.sumWhere("flink_taskmanager_job_task_operator_numRecordsSend", alertsTopic),
                                "control rejected " + x.sum(P + "input_rejected", "input", "control")));
                // input: exact counts per outcome
                assertThat(s.sum(P + "input_accepted", "input", input)).isEqualTo(clean.size());
                assertThat(s.sum(P + "input_duplicates", "input", input)).isEqualTo(duplicates);
                assertThat(s.sum(P + "input_rejected", "input", input)).isEqualTo(3);
                assertThat(s.sum(P + "input_late", "input", input)).isEqualTo(2);
                assertThat(s.sum(P + "input_accepted", "input", "control")).isEqualTo(1);
                // alerts: the merchant fired and resolved; series of the quiet rules exist at 0
                assertThat(s.sum(P + "rule_fired", "rule", "failure_rate")).isGreaterThanOrEqualTo(1);
                assertThat(s.sum(P + "rule_fired", "rule", "charged_unfulfilled")).isZero();
                assertThat(s.series(P + "rule_fired")).hasSizeGreaterThanOrEqualTo(6);
                // sinks: healthy, nothing waiting, no failure
                for (String sink : List.of("influxdb", "webhook_1", "alertmanager", "alerts_topic")) {
                    assertThat(s.sum(P + "sink_secondsDown", "sink", sink)).as(sink).isZero();
                    assertThat(s.sum(P + "sink_failures", "sink", sink)).as(sink).isZero();
                    assertThat(s.sum(P + "sink_secondsSinceLastSuccess", "sink", sink)).as(sink).isLessThan(600);
                }
                assertThat(s.sum(P + "sink_delivered", "sink", "webhook_1"))
                        .isEqualTo(receiver.requests.size());
                // the alerts topic: Flink's sink metrics of the Kafka connector's writer
                assertThat(s.sumWhere("flink_taskmanager_job_task_operator_numRecordsSend", alertsTopic))
                        .isGreaterThanOrEqualTo(s.sum(P + "rule_fired", "rule", "failure_rate")
                                + s.sum(P + "rule_resolved", "rule", "failure_rate"));
                assertThat(s.series("flink_taskmanager_job_task_operator_numRecordsSendErrors")
                        .stream().filter(e -> alertsTopic.test(e.getKey()))).hasSize(1);
                assertThat(s.sumWhere("flink_taskmanager_job_task_operator_numRecordsSendErrors", alertsTopic)).isZero();
                // and PayWatch's gauges of it: every record sent was acknowledged, none waits
                assertThat(s.sum(P + "sink_delivered", "sink", "alerts_topic"))
                        .isEqualTo(s.sumWhere("flink_taskmanager_job_task_operator_numRecordsSend", alertsTopic));
                assertThat(s.sum(P + "sink_buffered", "sink", "alerts_topic")).isZero();
                // the stream is an hour old: so is the watermark
                double lagMs = s.sum(P + "eventTimeLagMs", null, null);
                assertThat(lagMs).isBetween(3_000_000.0, 4_000_000.0);
                assertThat(s.sum(P + "processedEventTime", null, null))
                        .isBetween((double) start, (double) start + SECONDS * 1000L);
                // Flink's own metrics ride along (the board reads some)
                assertThat(s.series("flink_jobmanager_job_uptime")).isNotEmpty();

                // the board's queries, in PromQL, against the scrapes in VictoriaMetrics
                int imported = 0;
                for (String scrape : scrapes.subList(Math.max(0, scrapes.size() - 30), scrapes.size())) {
                    importInto(victoria, scrape);
                    Thread.sleep(1_000); // samples a second apart, for rate(); not synchronisation
                    imported++;
                }
                // a run that met its conditions within a few scrapes still gives rate() the
                // samples it needs (a fresh-clone CI run once had too few for the sinks' series)
                for (; imported < 5; imported++) {
                    importInto(victoria, PrometheusScrape.get("http://127.0.0.1:" + port + "/metrics"));
                    Thread.sleep(1_000);
                }
                importInto(victoria, PrometheusScrape.get("http://127.0.0.1:" + port + "/metrics"));
                HTTP.send(HttpRequest.newBuilder(URI.create(victoria + "/internal/force_flush")).GET().build(),
                        HttpResponse.BodyHandlers.discarding());
                int queries = 0;
                JsonNode board = JSON.readTree(TestServices.scripts().resolveSibling("grafana")
                        .resolve("dashboards").resolve("job-health.json").toFile());
                for (JsonNode panel : board.path("panels")) {
                    assertThat(panel.path("datasource").path("uid").asText()).isEqualTo("paywatch-prometheus");
                    for (JsonNode t : panel.path("targets")) {
                        String expr = t.path("expr").asText().replace("$__rate_interval", "1m");
                        JsonNode r = JSON.readTree(PrometheusScrape.get(victoria + "/api/v1/query?query="
                                + URLEncoder.encode(expr, StandardCharsets.UTF_8)));
                        assertThat(r.path("status").asText()).as(expr + ": " + r).isEqualTo("success");
                        assertThat(r.path("data").path("result").size()).as(panel.path("title") + ": " + expr)
                                .isPositive();
                        queries++;
                    }
                }
                assertThat(queries).isGreaterThanOrEqualTo(14);
                // the same health as paywatch_sink points in InfluxDB (every 10 s), the alerts
                // topic's among them
                io.paywatch.jobs.testing.LiveRun.await(run, () -> alertsTopicPoint(influx) > 0);
            } finally {
                run.cancel().get();
            }
        }
    }

    /** The alerts topic's delivered alerts in its latest paywatch_sink point (0 before the first). */
    private static long alertsTopicPoint(String influx) {
        var rows = InfluxQl.rows(influx, "prometheus_it",
                "SELECT last(delivered) FROM paywatch_sink WHERE sink = 'alerts_topic'");
        return rows.isEmpty() ? 0 : rows.get(0).get(1).asLong();
    }

    private static void importInto(String victoria, String exposition) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(victoria + "/api/v1/import/prometheus"))
                .POST(HttpRequest.BodyPublishers.ofString(exposition)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
    }
}
