package io.paywatch.jobs.rates;

import static io.paywatch.jobs.testing.Events.T0;
import static io.paywatch.jobs.testing.Events.failed;
import static io.paywatch.jobs.testing.Events.ok;
import static org.assertj.core.api.Assertions.assertThat;

import io.paywatch.model.EventKind;
import io.paywatch.model.PaymentEvent;
import io.paywatch.model.RuleSettings;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * Counting on the heap per bucket and adding the partials up gives the buckets that counting
 * payment by payment gives ({@link OpenBuckets}, {@link BucketRing#add(BucketRing.Store,
 * FailureCounts)}), and {@link RateBuckets} sends each bucket on ahead of the watermark that
 * closes it and everything open before a checkpoint.
 */
class RateBucketsTest {
    private static final long BUCKET_MS = 10_000;

    /** Every field a bucket has, for comparing buckets. */
    private static String describe(FailureCounts c) {
        return c.start + " total=" + c.total + " failed=" + c.failed + " categories="
                + Arrays.toString(c.byCategory) + " codes=" + c.byCode() + " channels=" + c.byChannel()
                + " samples=" + Arrays.toString(c.sampleIds) + Arrays.toString(c.sampleTimes);
    }

    private static List<String> describe(BucketRingTest.MapStore store) {
        List<String> out = new ArrayList<>();
        store.slots.forEach((i, c) -> out.add(i + ": " + describe(c)));
        return out;
    }

    /** Random payments of one key: ties in event time, out of order, many codes and channels. */
    private static List<PaymentEvent> randomPayments(Random r, int n) {
        List<PaymentEvent> events = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long t = T0 + r.nextInt(120) * 500L; // 500 ms steps: ties within and across buckets
            String channel = "ch-" + r.nextInt(4);
            PaymentEvent e = r.nextInt(3) == 0 ? ok(t, "m", channel)
                    : failed(t, "m", channel, String.valueOf(100 + r.nextInt(12)));
            e.eventId = "e-" + r.nextInt(1_000_000);
            events.add(e);
        }
        return events;
    }

    @Test
    void partialsAddUpToTheBucketsOfCountingEachPayment() throws Exception {
        BucketRing ring = new BucketRing(BUCKET_MS, 30);
        for (int seed = 0; seed < 50; seed++) {
            Random r = new Random(seed);
            List<PaymentEvent> events = randomPayments(r, 200 + r.nextInt(400));
            BucketRingTest.MapStore perPayment = new BucketRingTest.MapStore();
            for (PaymentEvent e : events) {
                ring.add(perPayment, e);
            }
            // the same payments split over three subtasks, drained at random points (watermarks,
            // checkpoints), the partials added in an order unrelated to time
            BucketRingTest.MapStore fromPartials = new BucketRingTest.MapStore();
            List<FailureCounts> partials = new ArrayList<>();
            OpenBuckets[] subtasks = {new OpenBuckets(), new OpenBuckets(), new OpenBuckets()};
            for (PaymentEvent e : events) {
                subtasks[r.nextInt(3)].add("m", BUCKET_MS, e);
                if (r.nextInt(50) == 0) {
                    subtasks[r.nextInt(3)].drainAll((k, end, c) -> partials.add(c));
                }
                if (r.nextInt(20) == 0) {
                    subtasks[r.nextInt(3)].drainClosed(e.eventTime - 5_000, (k, end, c) -> partials.add(c));
                }
            }
            for (OpenBuckets s : subtasks) {
                s.drainAll((k, end, c) -> partials.add(c));
                assertThat(s.isEmpty()).isTrue();
            }
            java.util.Collections.shuffle(partials, r);
            for (FailureCounts c : partials) {
                ring.add(fromPartials, c);
            }
            assertThat(describe(fromPartials)).as("seed " + seed).isEqualTo(describe(perPayment));
        }
    }

    @Test
    void drainingHandsOverClosedBucketsOldestFirstAndKeepsTheOpenOnes() throws Exception {
        OpenBuckets open = new OpenBuckets();
        open.add("a", BUCKET_MS, ok(T0 + 25_000, "a", "card"));
        open.add("a", BUCKET_MS, failed(T0 + 1_000, "a", "card", "101"));
        open.add("b", BUCKET_MS, ok(T0 + 9_999, "b", "card"));
        open.add("a", BUCKET_MS, ok(T0 + 10_000, "a", "card"));
        List<String> out = new ArrayList<>();
        open.drainClosed(T0 + 9_998, (k, end, c) -> out.add(k + "@" + (end - T0) + ":" + c.total));
        assertThat(out).isEmpty(); // the first bucket's last millisecond is not passed yet
        open.drainClosed(T0 + 9_999, (k, end, c) -> out.add(k + "@" + (end - T0) + ":" + c.total));
        assertThat(out).containsExactlyInAnyOrder("a@10000:1", "b@10000:1");
        out.clear();
        open.drainClosed(T0 + 20_000, (k, end, c) -> out.add(k + "@" + (end - T0) + ":" + c.total));
        assertThat(out).containsExactly("a@20000:1");
        out.clear();
        open.add("a", BUCKET_MS, ok(T0 + 26_000, "a", "card")); // into the still open bucket
        open.drainAll((k, end, c) -> out.add(k + "@" + (end - T0) + ":" + c.total));
        assertThat(out).containsExactly("a@30000:2");
        assertThat(open.isEmpty()).isTrue();
    }

    private static OneInputStreamOperatorTestHarness<PaymentEvent, RatePartial> harness(String scope) throws Exception {
        var h = new OneInputStreamOperatorTestHarness<>(new RateBuckets(scope, RuleSettings.parseYaml(
                "failure_rate:\n  overrides:\n    channel:\n      qr: {window: 2m, every: 1m}\n", "t")));
        h.getExecutionConfig().enableObjectReuse();
        h.open();
        return h;
    }

    private static void send(OneInputStreamOperatorTestHarness<PaymentEvent, RatePartial> h, PaymentEvent e)
            throws Exception {
        h.processElement(new StreamRecord<>(e, e.eventTime));
    }

    /** The output as text: partials with their timestamp, and watermarks, in order. */
    private static List<String> output(OneInputStreamOperatorTestHarness<PaymentEvent, RatePartial> h) {
        List<String> out = new ArrayList<>();
        for (Object o : h.getOutput()) {
            if (o instanceof Watermark w) {
                out.add("wm " + (w.getTimestamp() - T0));
            } else {
                @SuppressWarnings("unchecked")
                StreamRecord<RatePartial> r = (StreamRecord<RatePartial>) o;
                out.add(r.getValue().key + " " + (r.getValue().counts.start - T0) + " total="
                        + r.getValue().counts.total + " failed=" + r.getValue().counts.failed
                        + " @" + (r.getTimestamp() - T0));
            }
        }
        return out;
    }

    @Test
    void aBucketLeavesBeforeTheWatermarkThatClosesItStampedWithItsLastMillisecond() throws Exception {
        var h = harness(RateSnapshot.CHANNEL);
        send(h, ok(T0 + 1_000, "m1", "card"));
        send(h, failed(T0 + 2_000, "m2", "card", "202"));
        send(h, ok(T0 + 12_000, "m1", "card"));
        send(h, failed(T0 + 3_000, "m1", "qr", "101")); // qr's buckets are a minute (override)
        PaymentEvent refund = ok(T0 + 4_000, "m1", "card");
        refund.kind = EventKind.REFUND; // not a payment: no part of failure rates
        send(h, refund);
        h.processWatermark(new Watermark(T0 + 9_998));
        assertThat(output(h)).containsExactly("wm 9998");
        h.processWatermark(new Watermark(T0 + 9_999));
        assertThat(output(h)).containsExactly("wm 9998", "card 0 total=2 failed=1 @9999", "wm 9999");
        h.processWatermark(new Watermark(T0 + 60_000));
        assertThat(output(h)).containsExactly("wm 9998", "card 0 total=2 failed=1 @9999", "wm 9999",
                "card 10000 total=1 failed=0 @19999", "qr 0 total=1 failed=1 @59999", "wm 60000");
        h.close();
    }

    @Test
    void beforeACheckpointEveryOpenBucketLeavesAheadOfTheWatermarkAndNothingIsKept() throws Exception {
        var h = harness(RateSnapshot.MERCHANT);
        send(h, ok(T0 + 1_000, "m1", "card"));
        send(h, ok(T0 + 15_000, "m1", "qr"));
        h.processWatermark(new Watermark(T0 + 500));
        h.prepareSnapshotPreBarrier(1);
        assertThat(output(h)).containsExactly("wm 500", "m1 0 total=1 failed=0 @9999",
                "m1 10000 total=1 failed=0 @19999");
        assertThat(h.snapshot(1, 1).getManagedKeyedState()).isEmpty();
        // the bucket goes on filling; its second partial leaves when the watermark closes it
        send(h, failed(T0 + 2_000, "m1", "card", "101"));
        h.processWatermark(new Watermark(T0 + 10_000));
        assertThat(output(h)).endsWith("m1 0 total=1 failed=1 @9999", "wm 10000");
        h.close();
    }
}
