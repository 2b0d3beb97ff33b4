package io.paywatch.jobs.sinks;

import com.influxdb.client.InfluxDBClient;
import com.influxdb.client.InfluxDBClientFactory;
import com.influxdb.client.WriteApiBlocking;
import com.influxdb.client.domain.WritePrecision;
import com.influxdb.exceptions.InfluxException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * Writes batches of line protocol to InfluxDB. 1.x: {@code POST /write?db=…&precision=ms}
 * (influxdb-client-java's v1 path answers 404 on 1.x servers). 2.x/3.x: the client's blocking
 * write API — never its async {@code WriteApi}, which drops points under backpressure.
 */
public interface InfluxClient extends AutoCloseable {
    void write(List<String> lines) throws InfluxWriteException;

    /** Checks that the server answers and the database exists (creating it on 1.x). */
    void ensureReady() throws IOException;

    @Override
    void close();

    static InfluxClient create(InfluxTarget target) {
        return target.isV1() ? new V1(target) : new V2(target);
    }

    /** InfluxDB 1.x HTTP API. */
    final class V1 implements InfluxClient {
        private final InfluxTarget target;
        private final HttpClient http;
        private final String token;

        V1(InfluxTarget target) {
            this.target = target;
            this.token = target.token();
            this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        }

        private HttpRequest.Builder request(String pathAndQuery) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(target.url + pathAndQuery))
                    .timeout(Duration.ofSeconds(30));
            if (token != null) {
                b.header("Authorization", "Token " + token);
            }
            return b;
        }

        @Override
        public void write(List<String> lines) throws InfluxWriteException {
            StringBuilder body = new StringBuilder(lines.size() * 160);
            for (String l : lines) {
                body.append(l).append('\n');
            }
            HttpRequest req = request("/write?db=" + enc(target.database) + "&precision=ms")
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8))
                    .build();
            HttpResponse<String> resp;
            try {
                resp = http.send(req, HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                throw new InfluxWriteException("cannot reach InfluxDB at " + target.url + ": " + e, true);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InfluxWriteException("interrupted while writing to InfluxDB", true);
            }
            int code = resp.statusCode();
            if (code == 204 || code == 200) {
                return;
            }
            boolean retriable = code >= 500 || code == 408 || code == 429;
            throw new InfluxWriteException("InfluxDB " + target.describe() + " answered " + code + ": "
                    + abbreviate(resp.body()), retriable);
        }

        @Override
        public void ensureReady() throws IOException {
            try {
                HttpResponse<String> ping = http.send(request("/ping").GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                if (ping.statusCode() != 204 && ping.statusCode() != 200) {
                    throw new IOException("InfluxDB at " + target.url + " answered /ping with "
                            + ping.statusCode());
                }
                HttpResponse<String> create = http.send(
                        request("/query?q=" + enc("CREATE DATABASE \"" + target.database + "\""))
                                .POST(HttpRequest.BodyPublishers.noBody()).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (create.statusCode() != 200) {
                    throw new IOException("InfluxDB at " + target.url + " refused to create database "
                            + target.database + ": " + create.statusCode() + " "
                            + abbreviate(create.body()));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            } catch (IOException e) {
                if (e.getMessage() != null && e.getMessage().startsWith("InfluxDB")) {
                    throw e;
                }
                throw new IOException("cannot reach InfluxDB at " + target.url + " (" + e + ")");
            }
        }

        @Override
        public void close() {}
    }

    /** InfluxDB 2.x / 3.x through influxdb-client-java's blocking write API. */
    final class V2 implements InfluxClient {
        private final InfluxTarget target;
        private final InfluxDBClient client;
        private final WriteApiBlocking writes;

        V2(InfluxTarget target) {
            this.target = target;
            String token = target.token();
            this.client = InfluxDBClientFactory.create(target.url,
                    token == null ? new char[0] : token.toCharArray(), target.org, target.bucket);
            this.writes = client.getWriteApiBlocking();
        }

        @Override
        public void write(List<String> lines) throws InfluxWriteException {
            try {
                writes.writeRecords(target.bucket, target.org, WritePrecision.MS, lines);
            } catch (InfluxException e) {
                int code = e.status();
                boolean retriable = code == 0 || code >= 500 || code == 408 || code == 429;
                throw new InfluxWriteException("InfluxDB " + target.describe() + " write failed ("
                        + (code == 0 ? "unreachable" : String.valueOf(code)) + "): "
                        + abbreviate(e.getMessage()), retriable);
            } catch (RuntimeException e) {
                throw new InfluxWriteException("cannot reach InfluxDB at " + target.url + ": " + e, true);
            }
        }

        @Override
        public void ensureReady() throws IOException {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            try {
                HttpResponse<Void> ping = http.send(
                        HttpRequest.newBuilder(URI.create(target.url + "/ping")).GET().build(),
                        HttpResponse.BodyHandlers.discarding());
                if (ping.statusCode() >= 500) {
                    throw new IOException("InfluxDB at " + target.url + " answered /ping with "
                            + ping.statusCode());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            } catch (IOException e) {
                if (e.getMessage() != null && e.getMessage().startsWith("InfluxDB")) {
                    throw e;
                }
                throw new IOException("cannot reach InfluxDB at " + target.url + " (" + e + ")");
            }
        }

        @Override
        public void close() {
            client.close();
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String abbreviate(String s) {
        if (s == null) {
            return "";
        }
        s = s.strip();
        return s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }
}
