package io.paywatch.jobs.alerting;

import static org.assertj.core.api.Assertions.assertThat;

import io.paywatch.jobs.PaymentMonitorJob;
import io.paywatch.jobs.PipelineSettings;
import io.paywatch.jobs.ingest.RawRecord;
import io.paywatch.jobs.ingest.SourcePartitions;
import io.paywatch.jobs.testing.PartitionedLines;
import io.paywatch.jobs.testing.PartitionedLines.Line;
import io.paywatch.jobs.testing.RealisticHour;
import io.paywatch.model.Alert;
import io.paywatch.model.AlertJson;
import io.paywatch.model.RuleSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The whole job with and without the screens in front of the {@code charged_unfulfilled} and
 * {@code failed_but_charged} CEP operators gives the same alerts: on the realistic hour, and on
 * randomised streams spread over three partitions (ties in event time, out-of-order arrival,
 * resolvers before their charges, charges before and after their failures, at the edges of the
 * hold and of the windows).
 */
class ScreenEquivalenceITCase {
    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    static List<String> alerts(List<RawRecord> records, SourcePartitions partitions, PipelineSettings settings)
            throws Exception {
        return alerts(PartitionedLines.source(records), partitions, settings);
    }

    static List<String> alerts(org.apache.flink.streaming.api.datastream.DataStream<RawRecord> raw,
            SourcePartitions partitions, PipelineSettings settings) throws Exception {
        List<String> out = new ArrayList<>();
        try (CloseableIterator<Alert> it = PaymentMonitorJob.build(raw, partitions, settings).alerts
                .executeAndCollect()) {
            it.forEachRemaining(a -> out.add(AlertJson.toJson(a)));
        }
        out.sort(null);
        return out;
    }

    /** @param expectedTogether what one of the alerts holds, all of it (the case is exercised) */
    static void sameWithAndWithoutTheScreen(List<RawRecord> records, SourcePartitions partitions,
            String... expectedTogether) throws Exception {
        PipelineSettings screened = PipelineSettings.defaults(RuleSettings.defaults());
        List<String> with = alerts(records, partitions, screened);
        List<String> without = alerts(records, partitions, screened.withoutScreens());
        assertThat(with).isEqualTo(without);
        assertThat(with).anyMatch(a -> java.util.Arrays.stream(expectedTogether).allMatch(a::contains));
    }

    @Test
    void theRealisticHour() throws Exception {
        List<RawRecord> records = new ArrayList<>();
        int line = 0;
        for (String l : new RealisticHour().lines) {
            records.add(RawRecord.ofText(l, "hour.jsonl:" + (++line)));
        }
        sameWithAndWithoutTheScreen(records, SourcePartitions.single(), "\"rule\":\"charged_unfulfilled\"");
        sameWithAndWithoutTheScreen(records, SourcePartitions.single(), "\"rule\":\"failed_but_charged\"");
    }

    @Test
    void aRandomisedStreamOverThreePartitions() throws Exception {
        SplittableRandom rnd = new SplittableRandom(7);
        long t0 = RealisticHour.START;
        long within = RuleSettings.defaults().pattern(RuleSettings.CHARGED_UNFULFILLED).withinMs;
        long hold = OrderScreen.holdFor(within);
        long[] offsets = {0, 1, -1, hold - 1, hold, hold + 1, within - 1, within, within + 1, -hold};
        List<Line> lines = new ArrayList<>();
        int n = 0;
        for (int o = 0; o < 400; o++) {
            String merchant = "m-" + rnd.nextInt(5);
            long base = t0 + rnd.nextLong(0, 3 * within) / 1000 * 1000;
            int charges = 1 + rnd.nextInt(2);
            for (int c = 0; c < charges; c++) {
                long at = base + (c == 0 ? 0 : rnd.nextLong(0, within));
                lines.add(new Line(at + rnd.nextLong(0, 4_000), rnd.nextInt(3), json(++n, "charge", at, merchant, o)));
            }
            int resolvers = rnd.nextInt(3);
            for (int r = 0; r < resolvers; r++) {
                long at = base + (rnd.nextInt(3) == 0 ? rnd.nextLong(-within, 2 * within)
                        : offsets[rnd.nextInt(offsets.length)]);
                lines.add(new Line(at + rnd.nextLong(0, 4_000), rnd.nextInt(3),
                        json(++n, rnd.nextBoolean() ? "fulfilment" : "refund", at, merchant, o)));
            }
        }
        List<RawRecord> records = PartitionedLines.records(lines, 3);
        // resolved by a late fulfilment or refund: the screen sends the incidents only those
        sameWithAndWithoutTheScreen(records, SourcePartitions.kafka("random", 3), "\"rule\":\"charged_unfulfilled\"",
                "\"status\":\"resolved\"");
    }

    @Test
    void aRandomisedStreamOfFailuresAndChargesOverThreePartitions() throws Exception {
        SplittableRandom rnd = new SplittableRandom(11);
        long t0 = RealisticHour.START;
        long within = RuleSettings.defaults().pattern(RuleSettings.FAILED_BUT_CHARGED).withinMs;
        long[] offsets = {0, 1, -1, within - 1, within, within + 1, 2 * within, -within, -within + 1};
        List<Line> lines = new ArrayList<>();
        int n = 0;
        for (int p = 0; p < 400; p++) {
            String merchant = "m-" + rnd.nextInt(5);
            long base = t0 + rnd.nextLong(0, 3 * within) / 1000 * 1000;
            int events = 1 + rnd.nextInt(3);
            for (int i = 0; i < events; i++) {
                long at = base + (i == 0 ? 0 : rnd.nextInt(3) == 0 ? rnd.nextLong(-within, 2 * within)
                        : offsets[rnd.nextInt(offsets.length)]);
                String json = rnd.nextBoolean() ? json(++n, "charge", at, merchant, p)
                        : String.format(Locale.ROOT, "{\"event_id\":\"e-%d\",\"event_time\":%d,\"kind\":\"payment\","
                                + "\"payment_id\":\"p-%d\",\"order_id\":\"o-%d\",\"merchant_id\":\"%s\","
                                + "\"channel\":\"card\",\"status\":\"failed\",\"code\":\"202\","
                                + "\"amount_minor\":100,\"currency\":\"CNY\"}", ++n, at, p, p, merchant);
                lines.add(new Line(at + rnd.nextLong(0, 4_000), rnd.nextInt(3), json));
            }
        }
        List<RawRecord> records = PartitionedLines.records(lines, 3);
        sameWithAndWithoutTheScreen(records, SourcePartitions.kafka("random", 3), "\"rule\":\"failed_but_charged\"");
    }

    /**
     * Two gates ending twenty minutes apart, as when one reader's partitions end earlier than the
     * other's: with the screens, the charges of the last fourteen minutes, still held when the
     * input ends and due beyond both cutoffs, stop in front of CEP ({@link ChargesDueBeyondInput}).
     * Which of them do depends on when the end of input reaches CEP's task; the alerts do not
     * (that the operator is built is {@link ChargesDueBeyondInputTest}'s). Nothing that can alert
     * or resolve lies between the two cutoffs, only charges fulfilled within seconds: whether a
     * deadline there is judged depends on how the gates' last watermarks interleave, with or
     * without the screens.
     */
    @Test
    void twoGatesEndingAtDifferentCutoffs() throws Exception {
        SplittableRandom rnd = new SplittableRandom(13);
        long t0 = RealisticHour.START;
        long minute = 60_000;
        long within = RuleSettings.defaults().pattern(RuleSettings.CHARGED_UNFULFILLED).withinMs;
        List<Line> lines = new ArrayList<>();
        int n = 0;
        int order = 0;
        // orders of the first twenty minutes on both partitions: unfulfilled, fulfilled in time,
        // fulfilled or refunded after their deadline (resolved), all of it before either cutoff
        for (; order < 300; order++) {
            String merchant = "m-" + rnd.nextInt(4);
            long at = t0 + rnd.nextLong(0, 20 * minute);
            lines.add(new Line(at + rnd.nextLong(0, 4_000), rnd.nextInt(2), json(++n, "charge", at, merchant, order)));
            int outcome = rnd.nextInt(4);
            if (outcome > 0) {
                long done = outcome == 1 ? at + rnd.nextLong(0, within)
                        : at + within + rnd.nextLong(0, t0 + 35 * minute - at - within + 1);
                lines.add(new Line(done + rnd.nextLong(0, 4_000), rnd.nextInt(2),
                        json(++n, rnd.nextBoolean() ? "fulfilment" : "refund", done, merchant, order)));
            }
        }
        // traffic fulfilled within seconds moves each partition on: partition 1 to minute 40,
        // partition 0 to minute 60
        for (long at = t0 + 20 * minute; at < t0 + 60 * minute; at += 2_000) {
            int partition = at < t0 + 40 * minute && rnd.nextBoolean() ? 1 : 0;
            String merchant = "m-" + rnd.nextInt(4);
            lines.add(new Line(at, partition, json(++n, "charge", at, merchant, ++order)));
            lines.add(new Line(at + 1_500, partition, json(++n, "fulfilment", at + 1_000, merchant, order)));
        }
        // charges of partition 0's last fourteen minutes, never fulfilled: due beyond the input
        for (int i = 0; i < 300; i++) {
            long at = t0 + 46 * minute + rnd.nextLong(0, 14 * minute);
            lines.add(new Line(at + rnd.nextLong(0, 4_000), 0, json(++n, "charge", at, "m-" + rnd.nextInt(4), ++order)));
        }
        List<RawRecord> records = PartitionedLines.records(lines, 2);
        SourcePartitions partitions = SourcePartitions.kafka("two-readers", 2);
        // a replay's partitions are never idle: the gates wait for each other, whatever the pace
        PipelineSettings screened = new PipelineSettings(RuleSettings.defaults(),
                PipelineSettings.DEFAULT_OUT_OF_ORDERNESS_MS, PipelineSettings.DEFAULT_DEDUP_HORIZON_MS, 0);
        List<String> with = alerts(PartitionedLines.sourcePerReader(records, partitions), partitions, screened);
        List<String> without = alerts(PartitionedLines.sourcePerReader(records, partitions), partitions,
                screened.withoutScreens());
        assertThat(with).isEqualTo(without);
        assertThat(with).anyMatch(a -> a.contains("\"rule\":\"charged_unfulfilled\"") && a.contains("\"status\":\"firing\""));
        assertThat(with).anyMatch(a -> a.contains("\"rule\":\"charged_unfulfilled\"") && a.contains("\"status\":\"resolved\""));
    }

    private static String json(int n, String kind, long time, String merchant, int order) {
        return String.format(Locale.ROOT, "{\"event_id\":\"e-%d\",\"event_time\":%d,\"kind\":\"%s\","
                        + "\"payment_id\":\"p-%d\",\"order_id\":\"o-%d\",\"merchant_id\":\"%s\",\"channel\":\"card\","
                        + "\"amount_minor\":100,\"currency\":\"CNY\"}",
                n, time, kind, order, order, merchant);
    }
}
