package io.paywatch.jobs.backtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.paywatch.jobs.metrics.LinePoint;
import io.paywatch.model.ReturnCodeCatalog;
import io.paywatch.model.Timestamps;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The replay report: one self-contained HTML file (Chart.js inlined, data embedded) with the time
 * range, input counts, failure-rate charts per channel and for the worst merchants with the alerts
 * marked, the top failure codes with their catalogue meaning, and the alert table. Built from the
 * replay's own outputs (alerts JSONL and metrics line protocol).
 */
public final class ReplayReport {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int WORST_MERCHANTS = 5;

    private ReplayReport() {}

    /** The HTML of the report. {@code minVolume}: merchants need this many payments to rank. */
    public static String html(String title, List<String> alertLines, List<String> metricLines,
            int minVolume, int bucketsPerWindow) {
        ObjectNode data = JSON.createObjectNode();
        data.put("title", title);
        Map<String, ArrayNode> channelSeries = new TreeMap<>();
        // the adaptive rules' usual failure rate per channel, where learned (dashed in the chart)
        Map<String, ArrayNode> channelBaselines = new TreeMap<>();
        Map<String, List<double[]>> merchantSeries = new HashMap<>();
        Map<String, Double> merchantPeak = new HashMap<>();
        Map<String, long[]> codes = new TreeMap<>();
        long[] input = new long[4];
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (String line : metricLines) {
            LinePoint p = LinePoint.parse(line);
            if (p == null) {
                continue;
            }
            switch (p.measurement) {
                case "paywatch_rate":
                    first = Math.min(first, p.time);
                    last = Math.max(last, p.time);
                    double rate = p.num("failure_rate");
                    if ("channel".equals(p.tags.get("scope"))) {
                        channelSeries.computeIfAbsent(p.tags.get("channel"), k -> JSON.createArrayNode())
                                .add(JSON.createArrayNode().add(p.time).add(round(rate)));
                        if (p.fields.containsKey("baseline_failure_rate")) {
                            channelBaselines.computeIfAbsent(p.tags.get("channel"), k -> JSON.createArrayNode())
                                    .add(JSON.createArrayNode().add(p.time).add(round(p.num("baseline_failure_rate"))));
                        }
                    } else if (p.num("total") >= minVolume) {
                        String m = p.tags.get("merchant_id");
                        merchantSeries.computeIfAbsent(m, k -> new ArrayList<>()).add(new double[] {p.time, rate});
                        merchantPeak.merge(m, rate, Math::max);
                    }
                    break;
                case "paywatch_code":
                    codes.computeIfAbsent(p.tags.get("code"), k -> new long[1])[0] += (long) p.num("count");
                    break;
                case "paywatch_input":
                    input[0] += (long) p.num("accepted");
                    input[1] += (long) p.num("rejected");
                    input[2] += (long) p.num("duplicates");
                    input[3] += (long) p.num("late");
                    break;
                default:
                    break;
            }
        }
        data.put("from", first == Long.MAX_VALUE ? "-" : Timestamps.rfc3339(first));
        data.put("to", last == Long.MIN_VALUE ? "-" : Timestamps.rfc3339(last));
        ObjectNode counts = data.putObject("counts");
        counts.put("accepted", input[0]).put("rejected", input[1]).put("duplicates", input[2]).put("late", input[3]);
        ObjectNode channels = data.putObject("channels");
        channelSeries.forEach(channels::set);
        ObjectNode baselines = data.putObject("channelBaselines");
        channelBaselines.forEach(baselines::set);
        ObjectNode merchants = data.putObject("merchants");
        merchantPeak.entrySet().stream()
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(WORST_MERCHANTS)
                .forEach(e -> {
                    ArrayNode s = merchants.putArray(e.getKey());
                    for (double[] pt : merchantSeries.get(e.getKey())) {
                        s.add(JSON.createArrayNode().add((long) pt[0]).add(round(pt[1])));
                    }
                });
        ArrayNode codeRows = data.putArray("codes");
        ReturnCodeCatalog catalog = ReturnCodeCatalog.defaultCatalog();
        codes.entrySet().stream()
                .sorted(Comparator.comparingLong((Map.Entry<String, long[]> e) -> -e.getValue()[0])
                        .thenComparing(Map.Entry::getKey))
                .limit(15)
                .forEach(e -> codeRows.addObject()
                        .put("code", e.getKey())
                        .put("failures", Math.round((double) e.getValue()[0] / bucketsPerWindow))
                        .put("category", catalog.categoryOf(e.getKey()).wireName())
                        .put("meaning", catalog.meaningOf(e.getKey()))
                        .put("action", catalog.actionFor(e.getKey())));
        ArrayNode alerts = data.putArray("alerts");
        for (String line : alertLines) {
            try {
                JsonNode a = JSON.readTree(line);
                ObjectNode row = alerts.addObject();
                row.put("time", a.path("transition_at").asText());
                row.put("t", java.time.Instant.parse(a.path("transition_at").asText()).toEpochMilli());
                for (String f : new String[] {"rule", "status", "severity", "summary", "alert_id"}) {
                    row.put(f, a.path(f).asText());
                }
                row.set("scope", a.path("scope"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        String template = resource("/report/report.html");
        return template
                .replace("/*CHART_JS*/", resource("/report/chart.umd.js"))
                .replace("\"__DATA__\"", safeJson(data))
                .replace("__TITLE__", escape(title));
    }

    private static double round(double d) {
        return Math.round(d * 10_000) / 10_000.0;
    }

    /** JSON inside a script element: no closing tag can end it early. */
    private static String safeJson(ObjectNode data) {
        try {
            return JSON.writeValueAsString(data).replace("</", "<\\/");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static String resource(String name) {
        try (InputStream in = ReplayReport.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
