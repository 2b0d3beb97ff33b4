package io.paywatch.jobs.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.core.execution.JobClient;

/** One scrape of a Prometheus endpoint in its text format: metric name → its series (labels, value). */
public final class PrometheusScrape {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Pattern LINE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)\\})? (\\S+)$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"([^\"]*)\"");

    private final Map<String, List<Map.Entry<Map<String, String>, Double>>> byName = new HashMap<>();

    public PrometheusScrape(String text) {
        for (String line : text.split("\n")) {
            Matcher m = LINE.matcher(line);
            if (line.startsWith("#") || !m.matches()) {
                continue;
            }
            Map<String, String> labels = new HashMap<>();
            if (m.group(3) != null) {
                Matcher l = LABEL.matcher(m.group(3));
                while (l.find()) {
                    labels.put(l.group(1), l.group(2));
                }
            }
            byName.computeIfAbsent(m.group(1), k -> new ArrayList<>())
                    .add(Map.entry(labels, Double.parseDouble(m.group(4))));
        }
    }

    public List<Map.Entry<Map<String, String>, Double>> series(String name) {
        return byName.getOrDefault(name, List.of());
    }

    /** The sum over the series of {@code name} whose label {@code label} is {@code value} (null: all). */
    public double sum(String name, String label, String value) {
        return series(name).stream().filter(e -> label == null || value.equals(e.getKey().get(label)))
                .mapToDouble(Map.Entry::getValue).sum();
    }

    /** The sum over the series of {@code name} whose labels pass {@code labels}. */
    public double sumWhere(String name, Predicate<Map<String, String>> labels) {
        return series(name).stream().filter(e -> labels.test(e.getKey())).mapToDouble(Map.Entry::getValue).sum();
    }

    /**
     * Scrapes {@code http://127.0.0.1:port/metrics} while the job runs (keeping each scrape in
     * {@code scrapes}) until {@code done}; fails after 3 min with what the last scrape said.
     */
    public static PrometheusScrape until(JobClient run, int port, List<String> scrapes,
            Predicate<PrometheusScrape> done, Function<PrometheusScrape, String> describe) throws Exception {
        PrometheusScrape[] last = new PrometheusScrape[1];
        try {
            LiveRun.await(run, () -> {
                String text = get("http://127.0.0.1:" + port + "/metrics");
                if (text == null) {
                    return false;
                }
                scrapes.add(text);
                last[0] = new PrometheusScrape(text);
                return done.test(last[0]);
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; the last scrape: "
                    + (last[0] == null ? "none" : describe.apply(last[0])), e);
        }
        return last[0];
    }

    /** The body of a GET that answered 200, or null (not up yet, refused). */
    public static String get(String url) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? r.body() : null;
        } catch (Exception notYet) {
            return null;
        }
    }
}
