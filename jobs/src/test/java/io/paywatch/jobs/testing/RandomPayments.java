package io.paywatch.jobs.testing;

import io.paywatch.jobs.testing.PartitionedLines.Line;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A randomised stream of 40 minutes over three partitions: payments (6 % failed, merchant {@code
 * m-1} failing half of its payments in minutes 10 to 20) and charges, fulfilments and refunds;
 * ties in event time and up to 4 s out of order; redeliveries of one event in 30, often on another
 * partition and up to a minute after the original, so often late on their own partition; one event
 * in 200 late by 10 s to 15 min; truncated records and records missing {@code payment_id}; card
 * numbers in the event id, the code and the message.
 */
public final class RandomPayments {
    public static final int PARTITIONS = 3;

    public final List<Line> lines = new ArrayList<>();
    /** The redeliveries of events that arrived on time: each must be counted as a duplicate. */
    public int redeliveriesOfOnTimeEvents;

    public RandomPayments(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        long t0 = RealisticHour.START;
        String[] codes = {"101", "202", "301", "302", "401", "999", "4111111111111111"};
        String[] kinds = {"charge", "fulfilment", "refund"};
        for (int n = 1; n <= 12_000; n++) {
            long at = t0 + n * 200L + rnd.nextLong(0, 3_000) / 1000 * 1000; // ties in event time
            String merchant = rnd.nextInt(3) == 0 ? "m-1" : "m-" + rnd.nextInt(6);
            boolean incident = merchant.equals("m-1") && at >= t0 + 600_000 && at < t0 + 1_200_000;
            boolean failed = rnd.nextInt(incident ? 2 : 20) == 0 || (incident && rnd.nextBoolean());
            String id = rnd.nextInt(50) == 0 ? "e-5500 0000 0000 " + String.format(Locale.ROOT, "%04d", n) : "e-" + n;
            String json;
            if (rnd.nextInt(6) == 0) {
                json = String.format(Locale.ROOT, "{\"event_id\":\"%s\",\"event_time\":%d,\"kind\":\"%s\","
                                + "\"payment_id\":\"p-%d\",\"order_id\":\"o-%d\",\"merchant_id\":\"%s\","
                                + "\"channel\":\"card\",\"amount_minor\":%d,\"currency\":\"CNY\"}",
                        id, at, kinds[rnd.nextInt(kinds.length)], n, n / 2, merchant, 100 + n);
            } else {
                json = String.format(Locale.ROOT, "{\"event_id\":\"%s\",\"event_time\":%d,\"kind\":\"payment\","
                                + "\"payment_id\":\"p-%d\",\"order_id\":\"o-%d\",\"merchant_id\":\"%s\","
                                + "\"channel\":\"%s\",\"status\":\"%s\"%s,\"amount_minor\":%d,\"currency\":\"CNY\","
                                + "\"message\":\"card 4111-1111-1111-1111 declined\",\"user_id\":\"u-%d\","
                                + "\"card_fingerprint\":\"fp-%d\",\"device_id\":\"d-%d\",\"latency_ms\":%d}",
                        id, at, n, n / 2, merchant, rnd.nextBoolean() ? "card" : "wallet-" + rnd.nextInt(3),
                        failed ? "failed" : "succeeded",
                        failed ? ",\"code\":\"" + codes[rnd.nextInt(codes.length)] + "\"" : "",
                        100 + n, rnd.nextInt(40), rnd.nextInt(40), rnd.nextInt(40), rnd.nextInt(3_000));
            }
            long arrival = at + rnd.nextLong(0, 4_000); // on time: within the 5 s bound of every partition
            int partition = rnd.nextInt(PARTITIONS);
            boolean late = rnd.nextInt(200) == 0;
            if (late) {
                arrival = at + rnd.nextLong(10_000, 900_000); // a dead letter at dedup or at the gate
            }
            lines.add(new Line(arrival, partition, json));
            if (rnd.nextInt(30) == 0) {
                lines.add(new Line(arrival + rnd.nextLong(0, 60_000), rnd.nextInt(PARTITIONS), json));
                redeliveriesOfOnTimeEvents += late ? 0 : 1;
            }
            if (rnd.nextInt(300) == 0) {
                lines.add(new Line(arrival, partition, json.substring(0, json.length() / 2)));
            }
            if (rnd.nextInt(300) == 0) {
                lines.add(new Line(arrival, partition, json.replace("\"payment_id\":\"p-" + n + "\",", "")));
            }
        }
    }
}
