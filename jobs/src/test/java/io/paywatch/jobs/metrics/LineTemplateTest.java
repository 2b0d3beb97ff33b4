package io.paywatch.jobs.metrics;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.influxdb.client.domain.WritePrecision;
import com.influxdb.client.write.Point;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A {@link LineTemplate}'s lines are what {@code Point} writes for the same keys and values:
 * random templates over keys full of what line protocol escapes, random values, tags left empty
 * or null and fields left unset or not finite.
 */
class LineTemplateTest {
    private static final String[] KEYS = {"scope", "channel", "merchant_id", "window", "run_id",
            "a", "b b", "c,c", "d=d", "e\\", "f\"", "g\nh", "é", "Z", "_", "total", "failed"};
    private static final String[] VALUES = {"", "m-1", "wx pay", "a,b", "k=v", "back\\", "back\\ slash",
            "quote\"", "line\nbreak", "tab\tcr\r", "中文", "<script>", "=", " ", ","};

    @Test
    void writesWhatPointWrites() {
        Random r = new Random(20261207);
        for (int n = 0; n < 5_000; n++) {
            List<String> keys = new ArrayList<>(List.of(KEYS));
            Collections.shuffle(keys, r);
            String[] tagKeys = keys.subList(0, r.nextInt(6)).toArray(new String[0]);
            Collections.shuffle(keys, r);
            String[] fieldKeys = keys.subList(0, 1 + r.nextInt(12)).toArray(new String[0]);
            byte[] kinds = new byte[fieldKeys.length];
            for (int i = 0; i < kinds.length; i++) {
                kinds[i] = r.nextBoolean() ? LineTemplate.INTEGER : LineTemplate.DOUBLE;
            }
            String measurement = r.nextBoolean() ? "paywatch_rate" : VALUES[1 + r.nextInt(VALUES.length - 1)];
            LineTemplate template = new LineTemplate(measurement, tagKeys, fieldKeys, kinds);
            for (int m = 0; m < 4; m++) {
                Point point = Point.measurement(measurement);
                LineTemplate.Line line = template.line();
                for (int i = 0; i < tagKeys.length; i++) {
                    String v = r.nextInt(6) == 0 ? null : VALUES[r.nextInt(VALUES.length)];
                    point.addTag(tagKeys[i], v);
                    line.tag(i, v);
                }
                for (int i = 0; i < fieldKeys.length; i++) {
                    if (r.nextInt(5) == 0) {
                        continue; // never set
                    }
                    if (kinds[i] == LineTemplate.INTEGER) {
                        long v = r.nextBoolean() ? r.nextInt(1000) : r.nextLong();
                        point.addField(fieldKeys[i], v);
                        line.field(i, v);
                    } else {
                        double v = LineProtocolTest.number(r);
                        point.addField(fieldKeys[i], v);
                        line.field(i, v);
                    }
                }
                long time = r.nextBoolean() ? 1_764_633_600_000L + r.nextInt(1_000_000) : r.nextLong();
                assertEquals(point.time(time, WritePrecision.MS).toLineProtocol(), line.toLine(time),
                        "line " + n + "/" + m);
            }
        }
    }

    /**
     * Each thread writes its lines in a builder of its own, reused: a line far longer than the
     * others (which grows the builder past what is kept) and the short ones after it, written by
     * two threads at once, are each what {@code Point} writes.
     */
    @Test
    void longLinesAndLinesOfTwoThreadsAtOnceAreEachWhatPointWrites() throws Exception {
        LineTemplate template = new LineTemplate("paywatch_rate", new String[] {"scope", "merchant_id"},
                new String[] {"total", "failure_rate"}, new byte[] {LineTemplate.INTEGER, LineTemplate.DOUBLE});
        java.util.concurrent.Callable<Void> writer = () -> {
            Random r = new Random(Thread.currentThread().getId());
            for (int n = 0; n < 2_000; n++) {
                String merchant = (n % 100 == 7 ? "long, " : "m=") .repeat(n % 100 == 7 ? 3_000 + r.nextInt(3_000) : 1 + r.nextInt(5));
                long total = r.nextInt(1_000);
                double rate = r.nextDouble();
                Point point = Point.measurement("paywatch_rate").addTag("scope", "merchant")
                        .addTag("merchant_id", merchant).addField("total", total).addField("failure_rate", rate)
                        .time(1_764_633_600_000L + n, WritePrecision.MS);
                String line = template.line().tag(0, "merchant").tag(1, merchant).field(0, total).field(1, rate)
                        .toLine(1_764_633_600_000L + n);
                assertEquals(point.toLineProtocol(), line, "line " + n);
            }
            return null;
        };
        java.util.concurrent.ExecutorService two = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            for (java.util.concurrent.Future<Void> f : two.invokeAll(List.of(writer, writer))) {
                f.get();
            }
        } finally {
            two.shutdownNow();
        }
    }

    @Test
    void refusesKeysItCouldNotWriteAsPointDoes() {
        byte[] one = {LineTemplate.INTEGER};
        assertThatThrownBy(() -> new LineTemplate("m", new String[] {"a", "a"}, new String[] {"v"}, one))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LineTemplate("m", new String[] {""}, new String[] {"v"}, one))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LineTemplate("m", new String[0], new String[] {"v", "w"}, one))
                .isInstanceOf(IllegalArgumentException.class);
        LineTemplate t = new LineTemplate("m", new String[0], new String[] {"v"}, one);
        assertThatThrownBy(() -> t.line().field(0, 0.5)).isInstanceOf(IllegalArgumentException.class);
    }
}
