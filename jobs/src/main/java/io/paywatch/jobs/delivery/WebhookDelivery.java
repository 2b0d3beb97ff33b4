package io.paywatch.jobs.delivery;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import io.paywatch.jobs.metrics.SinkHealth;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts alerts to webhook receivers without holding the pipeline: Flink async I/O with a bounded
 * number of requests in flight, per-receiver timeouts, retries with exponential backoff and
 * jitter on 5xx/408/429/timeouts/connection errors ({@code Retry-After} honoured), no retry on
 * other 4xx. Each request carries an idempotency key (alert id, status, transition time) so that
 * a receiver can drop the repeats that at-least-once delivery across a restart may send. A request
 * still failing after the retry budget becomes a failed {@link DeliveryOutcome}: a dead letter and
 * a {@code paywatch_delivery} point, never silent.
 */
public class WebhookDelivery extends RichAsyncFunction<DeliveryRequest, DeliveryOutcome> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(WebhookDelivery.class);
    public static final String IDEMPOTENCY_HEADER = "X-PayWatch-Idempotency-Key";

    private final List<WebhookTarget> targets;
    private final RetryPolicy retry;
    private transient HttpClient http;
    private transient String[] secrets;
    /** Per receiver: whether its last attempt failed in a retriable way (an outage, for the logs). */
    private transient AtomicBoolean[] down;
    /** Pages waiting for their next attempt: what an outage holds back. */
    private transient AtomicInteger waiting;
    /** Per receiver: its metrics (sink {@code webhook_1}, … in the order of --webhook-url). */
    private transient SinkHealth[] health;
    private transient AtomicInteger[] waitingFor;
    /** Runs the retries; stopped on close so a cancelled or failed-over task stops posting. */
    private transient ScheduledExecutorService retries;
    private transient volatile boolean closed;

    public WebhookDelivery(List<WebhookTarget> targets, RetryPolicy retry) {
        this.targets = targets;
        this.retry = retry;
    }

    /** The async operator's timeout: every attempt of the retry budget, plus a margin. */
    public long operatorTimeoutMs() {
        long max = 0;
        for (WebhookTarget t : targets) {
            max = Math.max(max, retry.budgetMs(t.timeoutMs));
        }
        return max + 5_000;
    }

    @Override
    public void open(OpenContext openContext) {
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        retries = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "webhook-retries");
            t.setDaemon(true);
            return t;
        });
        closed = false;
        secrets = new String[targets.size()];
        for (int i = 0; i < targets.size(); i++) {
            String env = targets.get(i).secretEnv;
            secrets[i] = env == null ? null : System.getenv(env);
        }
        down = new AtomicBoolean[targets.size()];
        Arrays.setAll(down, i -> new AtomicBoolean());
        waiting = new AtomicInteger();
        // for Flink's metric reporters: an outage shows as receivers down and pages waiting
        getRuntimeContext().getMetricGroup().gauge("webhookReceiversDown",
                () -> (int) Arrays.stream(down).filter(AtomicBoolean::get).count());
        getRuntimeContext().getMetricGroup().gauge("webhookPagesAwaitingRetry", waiting::get);
        health = new SinkHealth[targets.size()];
        waitingFor = new AtomicInteger[targets.size()];
        for (int i = 0; i < targets.size(); i++) {
            AtomicInteger w = waitingFor[i] = new AtomicInteger();
            health[i] = new SinkHealth(sinkName(i)).buffered(w::get).register(getRuntimeContext().getMetricGroup());
        }
    }

    /** The receiver's name in metrics: {@code webhook_1} for the first --webhook-url, … */
    public static String sinkName(int target) {
        return "webhook_" + (target + 1);
    }

    /** The metrics of receiver {@code target} (tests). */
    SinkHealth health(int target) {
        return health[target];
    }

    @Override
    public void asyncInvoke(DeliveryRequest request, ResultFuture<DeliveryOutcome> result) {
        attempt(request, result, 1, System.nanoTime());
    }

    private void attempt(DeliveryRequest r, ResultFuture<DeliveryOutcome> result, int attempt, long started) {
        WebhookTarget t = targets.get(r.target);
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(t.url))
                .timeout(Duration.ofMillis(t.timeoutMs))
                .header("Content-Type", "application/json; charset=utf-8")
                .header("User-Agent", "PayWatch")
                .header(IDEMPOTENCY_HEADER, r.idempotencyKey())
                .header("Idempotency-Key", r.idempotencyKey())
                .POST(HttpRequest.BodyPublishers.ofString(r.body, StandardCharsets.UTF_8));
        if (secrets[r.target] != null) {
            b.header(Signatures.HEADER, Signatures.sign(secrets[r.target], r.body));
        }
        http.sendAsync(b.build(), HttpResponse.BodyHandlers.discarding()).whenComplete((resp, error) -> {
            if (error == null && resp.statusCode() / 100 == 2) {
                health[r.target].succeeded(1);
                if (down[r.target].compareAndSet(true, false)) {
                    LOG.warn("webhook {} is back: delivering the pages it missed", t.displayName());
                }
                result.complete(List.of(outcome(r, t, true, attempt, resp.statusCode(), started, null)));
                return;
            }
            int status = error == null ? resp.statusCode() : 0;
            String reason = error == null ? "HTTP " + status : "no answer: " + rootCause(error);
            boolean retriable = error != null || RetryPolicy.retriable(status);
            long elapsedMs = (System.nanoTime() - started) / 1_000_000;
            health[r.target].failed(retriable);
            if (retriable && retry.again(attempt, elapsedMs)) {
                if (down[r.target].compareAndSet(false, true)) {
                    LOG.warn("webhook {} unavailable ({}): holding pages and retrying {}", t.displayName(),
                            reason, retry.describe());
                }
                long delay = retry.delayMs(attempt, error == null
                        ? resp.headers().firstValue("Retry-After") : java.util.Optional.empty());
                if (closed) {
                    return; // the task is gone: its restored successor sends this page
                }
                waiting.incrementAndGet();
                waitingFor[r.target].incrementAndGet();
                health[r.target].retried();
                try {
                    retries.schedule(() -> {
                        waiting.decrementAndGet();
                        waitingFor[r.target].decrementAndGet();
                        if (!closed) {
                            attempt(r, result, attempt + 1, started);
                        }
                    }, delay, TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.RejectedExecutionException shutDown) {
                    waiting.decrementAndGet();
                    waitingFor[r.target].decrementAndGet();
                }
                return;
            }
            LOG.warn("webhook {} failed for alert {} after {} attempt(s): {}", t.displayName(),
                    r.alertId, attempt, reason);
            result.complete(List.of(outcome(r, t, false, attempt, status, started,
                    (retriable ? "gave up after " + attempt + " attempts, last: " : "not retried: ")
                            + reason)));
        });
    }

    @Override
    public void close() throws Exception {
        // pending retries belong to this task: after a cancel or failover the restored
        // operator retries the same pages, so these must not go on posting for minutes
        closed = true;
        if (health != null) {
            for (SinkHealth h : health) {
                h.unregister();
            }
        }
        if (retries != null) {
            retries.shutdownNow();
        }
        super.close();
    }

    @Override
    public void timeout(DeliveryRequest r, ResultFuture<DeliveryOutcome> result) {
        WebhookTarget t = targets.get(r.target);
        LOG.warn("webhook {} timed out for alert {}", t.displayName(), r.alertId);
        health[r.target].failed();
        DeliveryOutcome o = outcome(r, t, false, 0, 0, System.nanoTime(), "retry budget exhausted");
        result.complete(List.of(o));
    }

    private static DeliveryOutcome outcome(DeliveryRequest r, WebhookTarget t, boolean delivered,
            int attempts, int status, long started, String reason) {
        DeliveryOutcome o = new DeliveryOutcome();
        o.receiver = t.displayName();
        o.format = t.format.wireName();
        o.alertId = r.alertId;
        o.status = r.status;
        o.transitionAt = r.transitionAt;
        o.delivered = delivered;
        o.attempts = attempts;
        o.httpStatus = status;
        o.latencyMs = (System.nanoTime() - started) / 1_000_000;
        o.reason = reason;
        o.body = delivered ? null : r.body;
        return o;
    }

    /** The failure without the future's wrappers: ConnectException, HttpTimeoutException, … */
    private static String rootCause(Throwable t) {
        while ((t instanceof java.util.concurrent.CompletionException
                || t instanceof java.util.concurrent.ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }
}
