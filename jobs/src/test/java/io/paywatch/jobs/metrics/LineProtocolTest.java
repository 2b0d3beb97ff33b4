package io.paywatch.jobs.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.influxdb.client.domain.WritePrecision;
import com.influxdb.client.write.Point;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link LineProtocol} writes what influxdb-client-java's {@link Point} writes, byte for byte:
 * random points with keys and values full of what line protocol escapes, repeated keys, empty
 * and missing values, and numbers of every magnitude.
 */
class LineProtocolTest {
    private static final String[] KEYS = {"scope", "channel", "merchant_id", "window", "run_id",
            "a", "b b", "c,c", "d=d", "e\\", "f\"", "g\nh", "é", "Z", "_", "total"};
    private static final String[] VALUES = {"", "m-1", "wx pay", "a,b", "k=v", "back\\", "back\\ slash",
            "quote\"", "line\nbreak", "tab\tcr\r", "中文", "<script>", "=", " ", ","};

    static double number(Random r) {
        switch (r.nextInt(12)) {
            case 0: return 0.0;
            case 1: return -0.0;
            case 2: return Double.NaN;
            case 3: return r.nextBoolean() ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
            case 4: return r.nextInt(1000) / 1000.0;
            case 5: return (double) r.nextInt(5000) / (1 + r.nextInt(5000));
            case 6: return Math.pow(10, r.nextInt(40) - 20) * r.nextDouble();
            case 7: return -Math.pow(10, r.nextInt(40) - 20) * r.nextDouble();
            case 8: return r.nextInt(100_000_000);
            case 9: return Double.MIN_VALUE * (1 + r.nextInt(10));
            case 10: return 1e-3 * (r.nextBoolean() ? 1 : 0.999999);
            default: return 1e7 * (r.nextBoolean() ? 1 : 0.9999999);
        }
    }

    @Test
    void writesWhatPointWrites() {
        Random r = new Random(20261202);
        for (int n = 0; n < 20_000; n++) {
            String measurement = r.nextBoolean() ? "paywatch_rate" : VALUES[1 + r.nextInt(VALUES.length - 1)];
            Point point = Point.measurement(measurement);
            LineProtocol line = LineProtocol.measurement(measurement);
            for (int i = r.nextInt(6); i > 0; i--) {
                String k = KEYS[r.nextInt(KEYS.length)];
                String v = r.nextInt(8) == 0 ? null : VALUES[r.nextInt(VALUES.length)];
                point.addTag(k, v);
                line.tag(k, v);
            }
            for (int i = r.nextInt(14); i > 0; i--) {
                String k = KEYS[1 + r.nextInt(KEYS.length - 1)];
                switch (r.nextInt(3)) {
                    case 0 -> {
                        long v = r.nextBoolean() ? r.nextInt(1000) : r.nextLong();
                        point.addField(k, v);
                        line.field(k, v);
                    }
                    case 1 -> {
                        double v = number(r);
                        point.addField(k, v);
                        line.field(k, v);
                    }
                    default -> {
                        String v = r.nextInt(8) == 0 ? null : VALUES[r.nextInt(VALUES.length)];
                        point.addField(k, v);
                        line.field(k, v);
                    }
                }
            }
            long time = r.nextBoolean() ? 1_764_633_600_000L + r.nextInt(1_000_000) : r.nextLong();
            assertEquals(point.time(time, WritePrecision.MS).toLineProtocol(), line.toLine(time),
                    "point " + n);
        }
    }

    @Test
    void writesNumbersAsPointDoes() {
        double[] edges = {0.0, -0.0, 1.0, 0.1, 0.001, 0.000999, 9_999_999.0, 10_000_000.0, 1e-5, 1.5e-7,
                123456789.123, 1e21, 1e300, Double.MAX_VALUE, Double.MIN_VALUE, 0.07142857142857142,
                2.0 / 3, -1e-4};
        for (double d : edges) {
            Point point = Point.measurement("m").addField("v", d).time(1L, WritePrecision.MS);
            assertEquals(point.toLineProtocol(), LineProtocol.measurement("m").field("v", d).toLine(1L),
                    "the number " + d);
        }
    }

    /**
     * Numbers written again come from the written-number cache: every ratio of counts up to 300
     * (45,000 numbers, so that they also evict each other in it), each twice, as {@code Point}
     * writes it.
     */
    @Test
    void numbersWrittenAgainAreWrittenAsPointWritesThem() {
        for (int pass = 0; pass < 2; pass++) {
            for (int n = 1; n <= 300; n++) {
                for (int k = 0; k <= n; k++) {
                    double d = k / (double) n * (k % 7 == 0 ? 1e-4 : 1); // some below 1e-3: the wide format
                    Point point = Point.measurement("m").addField("v", d).time(1L, WritePrecision.MS);
                    String line = LineProtocol.measurement("m").field("v", d).toLine(1L);
                    if (!point.toLineProtocol().equals(line)) {
                        assertEquals(point.toLineProtocol(), line, "the number " + d + " in pass " + pass);
                    }
                }
            }
        }
    }
}
