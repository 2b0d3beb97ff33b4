package io.paywatch.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paywatch.jobs.testing.InfluxQl;
import io.paywatch.jobs.testing.RealisticHour;
import io.paywatch.jobs.testing.TestServices;
import io.paywatch.jobs.testing.WebhookReceiver;
import io.paywatch.model.FailureRateSettings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Grafana cannot run here, so the boards are checked the way Grafana would use them: after a
 * replay of the realistic hour into the real InfluxDB, every panel's query, every annotation
 * query and every template variable query runs (with {@code $timeFilter}, {@code $__interval}
 * and the variables substituted) and must return data; and each dashboard must be a valid
 * Grafana dashboard model.
 */
class DashboardsITCase {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DB = "dashboards_it";
    private static final String TIME_FILTER =
            "time >= '2026-11-23T10:00:00Z' AND time <= '2026-11-23T11:00:00Z'";

    @TempDir
    static Path dir;

    static String influx;

    @BeforeAll
    static void replayTheHourIntoInfluxDb() throws Exception {
        influx = TestServices.influx();
        Path input = dir.resolve("hour.jsonl");
        Files.write(input, new RealisticHour().lines);
        // a webhook receiver too, for the delivery-health panels
        // the adaptive rules on, for the panels of current against usual
        Path rules = dir.resolve("rules.yaml");
        Files.writeString(rules, "failure_rate_anomaly: {enabled: true}\ntraffic_drop: {enabled: true}\n");
        try (WebhookReceiver receiver = new WebhookReceiver(0, 200, 0)) {
            int code = PayWatchCli.run(new String[] {"replay", "--input", input.toString(), "--rules", rules.toString(),
                    "--influx-url", influx, "--influx-db", DB, "--webhook-url", receiver.url(), "--quiet"},
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), System.err);
            assertThat(code).isZero();
            assertThat(receiver.requests).isNotEmpty();
        }
    }

    static List<Path> dashboards() throws Exception {
        try (Stream<Path> s = Files.list(TestServices.scripts().resolveSibling("grafana").resolve("dashboards"))) {
            return s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
    }

    /** The boards on InfluxDB (the job's own board is on Prometheus: PrometheusMetricsITCase runs its queries). */
    static List<Path> influxBoards() throws Exception {
        List<Path> influxBoards = new ArrayList<>();
        for (Path board : dashboards()) {
            if (!datasourceUid(board).equals(PROMETHEUS)) {
                influxBoards.add(board);
            }
        }
        return influxBoards;
    }

    private static final String PROMETHEUS = "paywatch-prometheus";

    private static String datasourceUid(Path board) throws Exception {
        return JSON.readTree(board.toFile()).path("panels").get(0).path("datasource").path("uid").asText();
    }

    private static String substitute(String query) {
        // sink health is stamped with the wall clock, not the hour's event time
        String timeFilter = query.contains("paywatch_sink") ? "time > now() - 1h" : TIME_FILTER;
        return query.replace("$timeFilter", timeFilter)
                .replace("$__interval", "1m")
                .replace("$merchant", "m-007")
                .replace("$channel", "wallet");
    }

    @Test
    void everyPanelAnnotationAndVariableQueryReturnsData() throws Exception {
        List<Path> boards = influxBoards();
        assertThat(boards).hasSize(3);
        int queries = 0;
        for (Path board : boards) {
            JsonNode d = JSON.readTree(board.toFile());
            List<String> all = new ArrayList<>();
            for (JsonNode p : d.path("panels")) {
                for (JsonNode t : p.path("targets")) {
                    assertThat(t.path("rawQuery").asBoolean()).as("%s: raw InfluxQL", board).isTrue();
                    all.add(t.path("query").asText());
                }
            }
            for (JsonNode a : d.path("annotations").path("list")) {
                all.add(a.path("query").asText());
            }
            for (JsonNode v : d.path("templating").path("list")) {
                all.add(v.path("query").asText());
            }
            for (String q : all) {
                String query = substitute(q);
                assertThat(InfluxQl.rows(influx, DB, query)).as("%s: %s", board.getFileName(), query)
                        .isNotEmpty();
                queries++;
            }
        }
        assertThat(queries).isGreaterThan(20);
    }

    @Test
    void dashboardsAreValidGrafanaModelsThatLinkToEachOther() throws Exception {
        Set<String> uids = new HashSet<>();
        FailureRateSettings defaults = FailureRateSettings.defaults();
        for (Path board : dashboards()) {
            JsonNode d = JSON.readTree(board.toFile());
            String datasource = datasourceUid(board);
            String queryField = datasource.equals(PROMETHEUS) ? "expr" : "query";
            assertThat(d.path("uid").asText()).isNotBlank();
            assertThat(uids.add(d.path("uid").asText())).isTrue();
            assertThat(d.path("title").asText()).startsWith("PayWatch");
            assertThat(d.path("schemaVersion").asInt()).isPositive();
            assertThat(d.path("tags").toString()).contains("paywatch");
            // the boards link to each other (the dashboards link of the shared tag)
            assertThat(d.path("links").get(0).path("tags").toString()).contains("paywatch");
            Set<Integer> ids = new HashSet<>();
            for (JsonNode p : d.path("panels")) {
                assertThat(ids.add(p.path("id").asInt())).as("%s: unique panel ids", board).isTrue();
                assertThat(p.path("type").asText()).isIn("timeseries", "table", "bargauge", "stat");
                assertThat(p.path("title").asText()).isNotBlank();
                JsonNode g = p.path("gridPos");
                assertThat(g.path("w").asInt()).isBetween(1, 24);
                assertThat(g.path("h").asInt()).isPositive();
                assertThat(g.path("x").asInt() + g.path("w").asInt()).isLessThanOrEqualTo(24);
                assertThat(g.has("y")).isTrue();
                assertThat(p.path("datasource").path("uid").asText()).isIn("paywatch-influxdb", PROMETHEUS)
                        .isEqualTo(datasource); // one datasource per board
                assertThat(p.path("targets").size()).isPositive();
                for (JsonNode t : p.path("targets")) {
                    assertThat(t.path("refId").asText()).isNotBlank();
                    assertThat(t.path(queryField).asText()).isNotBlank();
                    assertThat(t.path("datasource").path("uid").asText()).isEqualTo(datasource);
                }
                // thresholds drawn on failure-rate panels are the rule's defaults
                JsonNode steps = p.path("fieldConfig").path("defaults").path("thresholds").path("steps");
                if (p.path("fieldConfig").path("defaults").path("unit").asText().equals("percentunit")) {
                    assertThat(steps.size()).as("%s: thresholds", p.path("title").asText()).isEqualTo(3);
                    assertThat(steps.get(1).path("value").asDouble()).isEqualTo(defaults.warning);
                    assertThat(steps.get(2).path("value").asDouble()).isEqualTo(defaults.critical);
                }
            }
        }
        assertThat(uids).containsExactlyInAnyOrder("paywatch-overview", "paywatch-merchant", "paywatch-alerts",
                "paywatch-job");
        // the panel links point at boards that exist
        for (Path board : dashboards()) {
            for (JsonNode p : JSON.readTree(board.toFile()).path("panels")) {
                for (JsonNode l : p.path("links")) {
                    String url = l.path("url").asText();
                    assertThat(uids).anyMatch(u -> url.startsWith("/d/" + u + "/"));
                }
            }
        }
    }
}
