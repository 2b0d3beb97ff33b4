package io.paywatch.jobs.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.paywatch.jobs.testing.WebhookReceiver;
import io.paywatch.model.Alert;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.groups.OperatorMetricGroup;
import org.apache.flink.runtime.metrics.groups.UnregisteredMetricGroups;
import org.apache.flink.streaming.api.functions.async.CollectionSupplier;
import org.apache.flink.streaming.util.MockStreamingRuntimeContext;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import io.paywatch.jobs.metrics.SinkHealth;
import org.junit.jupiter.api.Test;

/** Webhook delivery against real HTTP servers on loopback, without Flink. */
class WebhookDeliveryTest {
    private static final RetryPolicy FAST = new RetryPolicy(4, 10, 50);

    /** The gauges the function registered, by name. */
    private final Map<String, Gauge<?>> gauges = new HashMap<>();

    private DeliveryOutcome deliver(String url, long timeoutMs) throws Exception {
        return deliver(opened(url, timeoutMs, FAST), url, timeoutMs);
    }

    private WebhookDelivery opened(String url, long timeoutMs, RetryPolicy policy) {
        WebhookTarget target = new WebhookTarget(url, WebhookFormat.GENERIC, "PATH", timeoutMs);
        WebhookDelivery delivery = new WebhookDelivery(List.of(target), policy);
        delivery.setRuntimeContext(new MockStreamingRuntimeContext(false, 1, 0) {
            @Override
            public OperatorMetricGroup getMetricGroup() {
                return new UnregisteredMetricGroups.UnregisteredOperatorMetricGroup() {
                    @Override
                    public <T, G extends Gauge<T>> G gauge(String name, G gauge) {
                        gauges.put(name, gauge);
                        return gauge;
                    }
                };
            }
        });
        delivery.open(null);
        return delivery;
    }

    private static DeliveryOutcome deliver(WebhookDelivery delivery, String url, long timeoutMs) throws Exception {
        WebhookTarget target = new WebhookTarget(url, WebhookFormat.GENERIC, "PATH", timeoutMs);
        DeliveryRequest r = new DeliveryRequests(List.of(target)).toRequests(WebhookFormatTest.alert(Alert.FIRING)).get(0);
        CompletableFuture<DeliveryOutcome> done = new CompletableFuture<>();
        delivery.asyncInvoke(r, new ResultFuture<>() {
            @Override
            public void complete(Collection<DeliveryOutcome> result) {
                done.complete(result.iterator().next());
            }

            @Override
            public void completeExceptionally(Throwable error) {
                done.completeExceptionally(error);
            }

            @Override
            public void complete(CollectionSupplier<DeliveryOutcome> supplier) {
                try {
                    complete(supplier.get());
                } catch (Exception e) {
                    done.completeExceptionally(e);
                }
            }
        });
        return done.get(30, TimeUnit.SECONDS);
    }

    @Test
    void aReceiverThatFailsFirstGetsTheSameSignedRequestUntilItTakesIt() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver(2, 503, 0)) {
            DeliveryOutcome o = deliver(receiver.url(), 2_000);
            assertThat(o.delivered).isTrue();
            assertThat(o.attempts).isEqualTo(3);
            assertThat(o.httpStatus).isEqualTo(200);
            assertThat(o.receiver).doesNotContain("secret-token"); // query strings carry tokens
            assertThat(receiver.requests).hasSize(3);
            String body = receiver.requests.get(0).body;
            String key = receiver.requests.get(0).header(WebhookDelivery.IDEMPOTENCY_HEADER);
            for (WebhookReceiver.Received r : receiver.requests) {
                assertThat(r.body).isEqualTo(body);
                assertThat(r.header(WebhookDelivery.IDEMPOTENCY_HEADER)).isEqualTo(key);
                assertThat(r.header(Signatures.HEADER)).isEqualTo(Signatures.sign(System.getenv("PATH"), body));
                assertThat(r.header("Content-Type")).startsWith("application/json");
            }
        }
    }

    @Test
    void throttlingIsRetriedAfterRetryAfter() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver(1, 429, 0)) {
            DeliveryOutcome o = deliver(receiver.url(), 2_000);
            assertThat(o.delivered).isTrue();
            assertThat(o.attempts).isEqualTo(2);
        }
    }

    @Test
    void aClientErrorIsNotRetriedAndEndsAsAFailedOutcome() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver(-1, 400, 0)) {
            DeliveryOutcome o = deliver(receiver.url(), 2_000);
            assertThat(o.delivered).isFalse();
            assertThat(o.attempts).isEqualTo(1);
            assertThat(o.httpStatus).isEqualTo(400);
            assertThat(o.reason).startsWith("not retried: HTTP 400");
            assertThat(o.body).isNotBlank();
            assertThat(receiver.requests).hasSize(1);
        }
    }

    @Test
    void aSlowReceiverTimesOutAndIsRetriedUpToTheBudget() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver(-1, 200, 1_500)) {
            DeliveryOutcome o = deliver(receiver.url(), 300);
            assertThat(o.delivered).isFalse();
            assertThat(o.attempts).isEqualTo(FAST.maxAttempts);
            assertThat(o.reason).startsWith("gave up after 4 attempts, last: no answer: HttpTimeoutException");
        }
    }

    @Test
    void anUnreachableReceiverIsRetriedThenReported() throws Exception {
        int port = io.paywatch.jobs.testing.TestServices.freePort();
        DeliveryOutcome o = deliver("http://127.0.0.1:" + port + "/hook", 500);
        assertThat(o.delivered).isFalse();
        assertThat(o.attempts).isEqualTo(FAST.maxAttempts);
        assertThat(o.reason).contains("ConnectException");
    }

    @Test
    void duringAnOutageAPageIsRetriedForTheRetryPeriodAndTheGaugesShowTheReceiverDown() throws Exception {
        int port = io.paywatch.jobs.testing.TestServices.freePort();
        String url = "http://127.0.0.1:" + port + "/hook";
        WebhookDelivery delivery = opened(url, 500, RetryPolicy.retryFor(400, 10, 40));
        DeliveryOutcome lost = deliver(delivery, url, 500);
        assertThat(lost.delivered).isFalse();
        assertThat(lost.attempts).isGreaterThan(FAST.maxAttempts); // bounded by time, not count
        assertThat(lost.latencyMs).isGreaterThanOrEqualTo(400);
        assertThat(gauges.get("webhookReceiversDown").getValue()).isEqualTo(1);
        assertThat(gauges.get("webhookPagesAwaitingRetry").getValue()).isEqualTo(0);
        SinkHealth health = delivery.health(0);
        assertThat(health.sink()).isEqualTo("webhook_1");
        assertThat(health.down()).isTrue();
        assertThat(health.failures()).isEqualTo(lost.attempts);
        assertThat(health.retries()).isEqualTo(lost.attempts - 1);
        assertThat(health.delivered()).isZero();
        try (WebhookReceiver receiver = new WebhookReceiver(port, 0, 500, 0)) {
            DeliveryOutcome back = deliver(delivery, url, 500);
            assertThat(back.delivered).isTrue();
            assertThat(gauges.get("webhookReceiversDown").getValue()).isEqualTo(0);
            assertThat(health.down()).isFalse();
            assertThat(health.delivered()).isEqualTo(1);
            assertThat(health.buffered()).isZero();
        }
    }
}
