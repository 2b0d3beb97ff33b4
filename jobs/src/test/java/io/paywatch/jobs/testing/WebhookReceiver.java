package io.paywatch.jobs.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP receiver on loopback for webhook tests: answers {@code failFirst} requests with
 * {@code failStatus}, then 200 (or always {@code failStatus} when {@code failFirst} is negative);
 * can be slow. Records every request it gets.
 */
public final class WebhookReceiver implements AutoCloseable {
    /** One request as received. */
    public static final class Received {
        public final String body;
        public final Map<String, List<String>> headers;

        Received(String body, Map<String, List<String>> headers) {
            this.body = body;
            this.headers = headers;
        }

        public String header(String name) {
            for (Map.Entry<String, List<String>> e : headers.entrySet()) {
                if (e.getKey() != null && e.getKey().equalsIgnoreCase(name)) {
                    return e.getValue().get(0);
                }
            }
            return null;
        }
    }

    public final List<Received> requests = new CopyOnWriteArrayList<>();
    private final HttpServer server;
    private final AtomicInteger seen = new AtomicInteger();

    public WebhookReceiver(int failFirst, int failStatus, long delayMs) throws IOException {
        this(0, failFirst, failStatus, delayMs);
    }

    /** A receiver on a given loopback port: one that comes up after its senders started. */
    public WebhookReceiver(int port, int failFirst, int failStatus, long delayMs) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
        server.createContext("/", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                requests.add(new Received(body, exchange.getRequestHeaders()));
                int n = seen.incrementAndGet();
                if (delayMs > 0) {
                    try {
                        Thread.sleep(delayMs); // a slow receiver, as seen by the client
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                int status = failFirst < 0 || n <= failFirst ? failStatus : 200;
                if (status == 429) {
                    exchange.getResponseHeaders().add("Retry-After", "0");
                }
                exchange.sendResponseHeaders(status, -1);
            } finally {
                exchange.close();
            }
        });
        server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook?token=secret-token";
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
