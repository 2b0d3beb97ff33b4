package io.paywatch.jobs.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.paywatch.jobs.PaymentMonitorJob;
import io.paywatch.jobs.PipelineSettings;
import io.paywatch.jobs.metrics.MetricLines;
import io.paywatch.jobs.testing.PartitionedLines;
import io.paywatch.jobs.testing.PartitionedLines.Line;
import io.paywatch.jobs.testing.RealisticHour;
import io.paywatch.model.AlertJson;
import io.paywatch.model.RuleSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A rates-only job (every pattern rule switched off) gives the same outputs whether its events
 * keep every field past the parser or only the rate rules' ({@link EventProjection#RATES}):
 * alerts, rate and input-health points and dead letters, line for line. On the realistic hour
 * and on a randomised stream over three partitions with redeliveries (often on another
 * partition), late and malformed records, records missing a field the projection drops, card
 * numbers in kept and dropped fields, and every kind of event.
 */
class ProjectionEquivalenceITCase {
    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    static final String RATES_ONLY = String.join("\n",
            "timeout_burst: {enabled: false}", "risk_block: {enabled: false}",
            "charged_unfulfilled: {enabled: false}", "failed_but_charged: {enabled: false}", "");

    static final String RATES_ONLY_ADAPTIVE = RATES_ONLY
            + "failure_rate_anomaly: {enabled: true}\ntraffic_drop: {enabled: true}\n";

    /** Every output of the job, one line each, sorted (subtasks interleave). */
    static List<String> outputs(List<RawRecord> records, SourcePartitions partitions, PipelineSettings settings)
            throws Exception {
        var raw = PartitionedLines.source(records);
        PaymentMonitorJob.Outputs o = PaymentMonitorJob.build(raw, partitions, settings);
        DataStream<String> all = o.alerts.map(a -> "alert " + AlertJson.toJson(a)).returns(Types.STRING)
                .union(o.rates.flatMap((io.paywatch.jobs.rates.RateSnapshot s, Collector<String> out) ->
                        MetricLines.of(s, null).forEach(l -> out.collect("rate " + l))).returns(Types.STRING),
                        o.inputHealth.map(h -> "input " + MetricLines.of(h, null)).returns(Types.STRING),
                        o.deadLetters.map(d -> "dead " + d.toJson()).returns(Types.STRING));
        List<String> out = new ArrayList<>();
        try (CloseableIterator<String> it = all.executeAndCollect()) {
            it.forEachRemaining(out::add);
        }
        out.sort(null);
        return out;
    }

    /** @param expected each is part of one of the outputs (the case is exercised) */
    static void sameWithAndWithoutTheProjection(List<RawRecord> records, SourcePartitions partitions,
            String rules, String... expected) throws Exception {
        PipelineSettings projected = PipelineSettings.defaults(RuleSettings.parseYaml(rules, "rules.yaml"));
        PipelineSettings whole = projected.withoutProjection();
        assertThat(projected.eventProjection()).isEqualTo(EventProjection.RATES);
        assertThat(whole.eventProjection()).isEqualTo(EventProjection.ALL);
        List<String> with = outputs(records, partitions, projected);
        List<String> without = outputs(records, partitions, whole);
        assertThat(with).hasSameSizeAs(without);
        assertThat(with).containsExactlyElementsOf(without);
        for (String part : expected) {
            assertThat(with).anyMatch(l -> l.contains(part));
        }
    }

    static List<RawRecord> hour() {
        List<RawRecord> records = new ArrayList<>();
        int line = 0;
        for (String l : new RealisticHour().lines) {
            records.add(RawRecord.ofText(l, "hour.jsonl:" + (++line)));
        }
        return records;
    }

    @Test
    void theRealisticHour() throws Exception {
        List<RawRecord> records = hour();
        sameWithAndWithoutTheProjection(records, SourcePartitions.single(), RATES_ONLY,
                "\"rule\":\"failure_rate\"", "rate paywatch_rate", "input ", "dead {\"reason\"");
        sameWithAndWithoutTheProjection(records, SourcePartitions.single(), RATES_ONLY_ADAPTIVE,
                "\"rule\":\"failure_rate\"", "rate paywatch_rate");
    }

    @Test
    void aRandomisedStreamOverThreePartitions() throws Exception {
        SplittableRandom rnd = new SplittableRandom(23);
        long t0 = RealisticHour.START;
        String[] codes = {"101", "202", "301", "302", "401", "999", "4111 1111 1111 1111"};
        String[] kinds = {"charge", "fulfilment", "refund"};
        List<Line> lines = new ArrayList<>();
        for (int n = 1; n <= 12_000; n++) {
            long at = t0 + n * 200L + rnd.nextLong(0, 3_000) / 1000 * 1000; // ties in event time
            // merchant m-1 fails most of its payments in minutes 10 to 20: a failure-rate alert
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
            long arrival = at + rnd.nextLong(0, 4_000);
            int partition = rnd.nextInt(3);
            if (rnd.nextInt(200) == 0) {
                arrival = at + rnd.nextLong(10_000, 900_000); // late: a dead letter at dedup or at the gate
            }
            lines.add(new Line(arrival, partition, json));
            if (rnd.nextInt(30) == 0) {
                // a redelivery, often on another partition; on time, as a late one could overtake its
                // original on the way to dedup (its own exchange), which no projection changes
                lines.add(new Line(arrival + rnd.nextLong(0, 1_000), rnd.nextInt(3), json));
            }
            if (rnd.nextInt(300) == 0) {
                lines.add(new Line(arrival, partition, json.substring(0, json.length() / 2)));
            }
            if (rnd.nextInt(300) == 0) {
                lines.add(new Line(arrival, partition, json.replace("\"payment_id\":\"p-" + n + "\",", "")));
            }
        }
        List<RawRecord> records = PartitionedLines.records(lines, 3);
        sameWithAndWithoutTheProjection(records, SourcePartitions.kafka("random", 3), RATES_ONLY,
                "\"rule\":\"failure_rate\"", "rate paywatch_rate", "dead {\"reason\":\"late\"",
                "dead {\"reason\":\"missing_field\"", "dead {\"reason\":\"invalid_json\"");
    }
}
