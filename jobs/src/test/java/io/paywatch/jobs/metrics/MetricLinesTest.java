package io.paywatch.jobs.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.influxdb.client.domain.WritePrecision;
import com.influxdb.client.write.Point;
import io.paywatch.jobs.rates.FailureCounts;
import io.paywatch.jobs.rates.RateSnapshot;
import io.paywatch.model.Category;
import io.paywatch.model.Durations;
import io.paywatch.model.ReturnCodeCatalog;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The rate and code points are what {@code Point} writes for the tags and fields of contract
 * section 5: random snapshots of both scopes, hostile keys, codes and run ids, baselines absent,
 * present or not finite.
 */
class MetricLinesTest {
    private static final String[] IDS = {"m-1", "wx pay", "a,b", "k=v", "back\\", "back\\ slash",
            "quote\"", "line\nbreak", "中文", "<script>", "", "101", "202"};

    @Test
    void ratePointsAreWhatPointWrites() {
        Random r = new Random(7);
        ReturnCodeCatalog catalog = ReturnCodeCatalog.defaultCatalog();
        for (int n = 0; n < 5_000; n++) {
            RateSnapshot s = new RateSnapshot();
            s.scope = r.nextBoolean() ? RateSnapshot.MERCHANT : RateSnapshot.CHANNEL;
            s.key = IDS[r.nextInt(IDS.length)];
            s.time = 1_764_633_600_000L + r.nextInt(1_000_000);
            s.windowMs = new long[] {60_000, 300_000, 90_000, 3_600_000}[r.nextInt(4)];
            FailureCounts c = new FailureCounts(s.time);
            c.total = r.nextInt(10_000);
            c.failed = c.total == 0 ? 0 : r.nextInt(c.total + 1);
            for (int i = 0; i < c.byCategory.length; i++) {
                c.byCategory[i] = r.nextInt(c.failed + 1);
            }
            int codes = r.nextInt(4);
            c.codes = new String[codes];
            c.codeCounts = new int[codes];
            c.codeCategories = new byte[codes];
            for (int i = 0; i < codes; i++) {
                c.codes[i] = IDS[r.nextInt(IDS.length)];
                c.codeCounts[i] = r.nextInt(100);
                c.codeCategories[i] = (byte) r.nextInt(Category.ALL.length);
            }
            s.counts = c;
            s.baselineFailureRate = r.nextInt(3) == 0 ? null : LineProtocolTest.number(r);
            s.baselineVolume = r.nextInt(3) == 0 ? null : LineProtocolTest.number(r);
            String runId = r.nextBoolean() ? null : IDS[r.nextInt(IDS.length)];

            List<String> expected = new ArrayList<>();
            Point rate = Point.measurement(MetricLines.RATE)
                    .addTag("scope", s.scope)
                    .addTag(s.scope.equals(RateSnapshot.MERCHANT) ? "merchant_id" : "channel", MetricLines.tag(s.key))
                    .addTag("window", Durations.format(s.windowMs))
                    .addTag("run_id", MetricLines.tag(runId))
                    .addField("total", (long) c.total)
                    .addField("failed", (long) c.failed)
                    .addField("failure_rate", c.failureRate())
                    .addField("system_failure_rate", c.systemFailureRate());
            for (Category cat : Category.ALL) {
                rate.addField(cat.wireName(), (long) c.count(cat));
            }
            if (s.baselineFailureRate != null) {
                rate.addField("baseline_failure_rate", s.baselineFailureRate);
            }
            if (s.baselineVolume != null) {
                rate.addField("baseline_volume", s.baselineVolume);
            }
            expected.add(rate.time(s.time, WritePrecision.MS).toLineProtocol());
            if (s.scope.equals(RateSnapshot.CHANNEL)) {
                for (int i = 0; i < codes; i++) {
                    expected.add(Point.measurement(MetricLines.CODE)
                            .addTag("scope", s.scope)
                            .addTag("channel", MetricLines.tag(s.key))
                            .addTag("code", MetricLines.tag(c.codes[i]))
                            .addTag("category", c.categoryOfCode(i).wireName())
                            .addTag("meaning", catalog.meaningOf(c.codes[i]))
                            .addTag("run_id", MetricLines.tag(runId))
                            .addField("count", (long) c.codeCounts[i])
                            .time(s.time, WritePrecision.MS).toLineProtocol());
                }
            }
            assertEquals(expected, MetricLines.of(s, runId), "snapshot " + n);
        }
    }
}
