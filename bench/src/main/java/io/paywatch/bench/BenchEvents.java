package io.paywatch.bench;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The benchmark's event set, pre-serialised in the contract's JSON: a realistic key distribution
 * (a few large merchants and a long tail, Zipf over {@link #MERCHANTS}), 5 channels, 6% of the
 * payments failed with catalogue codes, and a third of the successful payments followed by their
 * charge and fulfilment (work for the CEP rules). Event time advances {@link #EVENTS_PER_SECOND}
 * events per second; deterministic for a seed.
 */
public final class BenchEvents {
    public static final long T0 = 1_795_428_000_000L; // 2026-11-23T10:00:00Z
    public static final int MERCHANTS = 2_000;
    public static final int EVENTS_PER_SECOND = 500;
    public static final String[] CHANNELS = {"card", "wallet", "bank_transfer", "qr", "bnpl"};
    private static final String[] CODES = {"101", "101", "101", "102", "103", "104", "201", "202",
        "202", "203", "204", "301", "302", "303"};

    /** The events a measurement reads; set once before the runs (embedded Flink, same JVM). */
    static volatile byte[][] current;

    public final byte[][] lines;
    /** Event time of the newest event. */
    public final long newest;

    private BenchEvents(byte[][] lines, long newest) {
        this.lines = lines;
        this.newest = newest;
    }

    /** {@code count} events (rounded up to even: two source subtasks read one half each). */
    public static BenchEvents generate(int count, long seed) {
        return generate(count, seed, EVENTS_PER_SECOND);
    }

    /** The same mix at {@code eventsPerSecond} of event time (a slower pace spans more time). */
    public static BenchEvents generate(int count, long seed, int eventsPerSecond) {
        return generate(count, seed, eventsPerSecond, false);
    }

    /** Slowest fulfilment of {@code --fulfilment slow}: 10 min after its charge, like physical goods. */
    static final long SLOW_MAX_MS = 600_000;
    static final long SLOW_MIN_MS = 5_000;

    /**
     * @param slowFulfilment fulfilments spread evenly over 5 s to 10 min after their charges
     *     (placed in the stream at their own time); by default a fulfilment shares its charge's
     *     millisecond
     */
    public static BenchEvents generate(int count, long seed, int eventsPerSecond, boolean slowFulfilment) {
        int n = count + (count & 1);
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] cumulative = zipf(MERCHANTS, 1.1);
        List<byte[]> out = new ArrayList<>(n);
        // slow fulfilments wait here for their time: {time, sequence} -> line
        java.util.TreeMap<long[], byte[]> later = new java.util.TreeMap<>(
                java.util.Comparator.comparingLong((long[] k) -> k[0]).thenComparingLong(k -> k[1]));
        long p = 0;
        long t = T0;
        while (out.size() < n) {
            t = T0 + out.size() * 1000L / eventsPerSecond;
            if (!later.isEmpty() && later.firstKey()[0] <= t) {
                out.add(later.pollFirstEntry().getValue());
                continue;
            }
            int merchant = pick(cumulative, rnd.nextDouble());
            String channel = CHANNELS[rnd.nextInt(CHANNELS.length)];
            String pid = "p-" + (++p);
            boolean failed = rnd.nextDouble() < 0.06;
            String m = String.format(Locale.ROOT, "m-%04d", merchant + 1);
            out.add(line(String.format(Locale.ROOT,
                    "{\"event_id\":\"e-%d-p\",\"event_time\":%d,\"kind\":\"payment\",\"payment_id\":\"%s\","
                            + "\"order_id\":\"o-%d\",\"merchant_id\":\"%s\",\"channel\":\"%s\",\"status\":\"%s\"%s,"
                            + "\"amount_minor\":%d,\"currency\":\"CNY\",\"user_id\":\"u-%d\","
                            + "\"card_fingerprint\":\"fp-%d\",\"latency_ms\":%d}",
                    p, t, pid, p, m, channel, failed ? "failed" : "succeeded",
                    failed ? ",\"code\":\"" + CODES[rnd.nextInt(CODES.length)] + "\"" : "",
                    100 + rnd.nextInt(100_000), rnd.nextInt(200_000), rnd.nextInt(300_000),
                    50 + rnd.nextInt(2_000))));
            if (!failed && rnd.nextInt(3) == 0 && out.size() + 2 + later.size() <= n) {
                for (String kind : new String[] {"charge", "fulfilment"}) {
                    long at = t;
                    if (slowFulfilment && kind.equals("fulfilment")) {
                        at = t + SLOW_MIN_MS + rnd.nextLong(SLOW_MAX_MS - SLOW_MIN_MS);
                    }
                    byte[] l = line(String.format(Locale.ROOT,
                            "{\"event_id\":\"e-%d-%s\",\"event_time\":%d,\"kind\":\"%s\",\"payment_id\":\"%s\","
                                    + "\"order_id\":\"o-%d\",\"merchant_id\":\"%s\",\"channel\":\"%s\","
                                    + "\"amount_minor\":1000,\"currency\":\"CNY\"}",
                            p, kind, at, kind, pid, p, m, channel));
                    if (at == t) {
                        out.add(l);
                    } else {
                        later.put(new long[] {at, p}, l);
                    }
                }
            }
        }
        return new BenchEvents(out.toArray(new byte[0][]), t);
    }

    private static byte[] line(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static double[] zipf(int n, double s) {
        double[] c = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += 1.0 / Math.pow(i + 1, s);
            c[i] = sum;
        }
        for (int i = 0; i < n; i++) {
            c[i] /= sum;
        }
        return c;
    }

    private static int pick(double[] cumulative, double u) {
        int i = java.util.Arrays.binarySearch(cumulative, u);
        return Math.min(i >= 0 ? i : -i - 1, cumulative.length - 1);
    }

    /**
     * Merchant-channel pairs with payments in the last {@code windowMs} of event time: the keys
     * whose rule state is live at the end of the set.
     */
    public int activeMerchantChannels(long windowMs) {
        java.util.Set<String> pairs = new java.util.HashSet<>();
        for (int i = lines.length - 1; i >= 0; i--) {
            String l = new String(lines[i], StandardCharsets.UTF_8);
            if (time(l) <= newest - windowMs) {
                break;
            }
            if (l.contains("\"kind\":\"payment\"")) {
                pairs.add(field(l, "merchant_id") + "/" + field(l, "channel"));
            }
        }
        return pairs.size();
    }

    private static long time(String line) {
        int at = line.indexOf("\"event_time\":") + 13;
        return Long.parseLong(line.substring(at, line.indexOf(',', at)));
    }

    private static String field(String line, String name) {
        int at = line.indexOf("\"" + name + "\":\"") + name.length() + 4;
        return line.substring(at, line.indexOf('"', at));
    }

    public long bytes() {
        long b = 0;
        for (byte[] l : lines) {
            b += l.length + 1;
        }
        return b;
    }
}
