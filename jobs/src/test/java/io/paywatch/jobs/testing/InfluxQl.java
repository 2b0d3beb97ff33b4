package io.paywatch.jobs.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Runs InfluxQL against a real InfluxDB 1.x, as a dashboard would. */
public final class InfluxQl {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private InfluxQl() {}

    /** The rows of the first series of the result (each row: the values, time first). */
    public static List<List<JsonNode>> rows(String url, String db, String query) {
        JsonNode result = query(url, db, query);
        List<List<JsonNode>> rows = new ArrayList<>();
        JsonNode series = result.path("results").path(0).path("series");
        for (JsonNode s : series) {
            for (JsonNode v : s.path("values")) {
                List<JsonNode> row = new ArrayList<>();
                v.forEach(row::add);
                rows.add(row);
            }
        }
        return rows;
    }

    public static JsonNode query(String url, String db, String query) {
        String u = url + "/query?epoch=ms&db=" + URLEncoder.encode(db, StandardCharsets.UTF_8)
                + "&q=" + URLEncoder.encode(query, StandardCharsets.UTF_8);
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(u)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("InfluxQL " + query + " → " + r.statusCode() + " " + r.body());
            }
            JsonNode n = JSON.readTree(r.body());
            JsonNode err = n.path("results").path(0).path("error");
            if (!err.isMissingNode()) {
                throw new IllegalStateException("InfluxQL " + query + " → " + err.asText());
            }
            return n;
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
