package io.paywatch.jobs.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * Realistic payment traffic as contract JSON lines, deterministic for a seed: a few large
 * merchants and a long tail, five channels, about 4% background failures with the catalogue's
 * codes, charges and fulfilments following successful payments, and injected incidents. It
 * also produces what real feeds contain: a little out-of-order delivery, redeliveries
 * (duplicates), late events and malformed lines, some with card numbers in them.
 *
 * <p>Used by {@code ./paywatch demo} (rate-limited, live), {@code ./paywatch generate} (a replay
 * file) and the tests.
 */
public final class TrafficGenerator {
    public static final String[] CHANNELS = {"card", "wallet", "bank_transfer", "qr", "bnpl"};
    private static final double[] CHANNEL_SHARE = {0.40, 0.30, 0.10, 0.15, 0.05};
    private static final String[] USER_CODES = {"101", "102", "103", "104"};
    private static final String[] SYSTEM_CODES = {"201", "203", "204"};
    private static final String[] RISK_CODES = {"301", "302", "303"};
    /** Luhn-valid test card numbers planted in messages; outputs must never show them. */
    public static final String[] PLANTED_CARD_NUMBERS = {"4111111111111111", "5500005555555559",
            "4012 8888 8888 1881"};

    /** Options of the noise a real feed carries. */
    public static final class Noise {
        public double malformed = 0.002;
        public double duplicates = 0.005;
        public double late = 0.001;
        public double outOfOrder = 0.10;
        public long maxOutOfOrderMs = 2_000;
        /** Late deliveries only from this event time on (the demo's history has none). */
        public long lateFrom = Long.MIN_VALUE;

        public static Noise none() {
            Noise n = new Noise();
            n.malformed = 0;
            n.duplicates = 0;
            n.late = 0;
            n.outOfOrder = 0;
            return n;
        }
    }

    private static final class Scheduled implements Comparable<Scheduled> {
        final long arrival;
        final long seq;
        final String line;

        Scheduled(long arrival, long seq, String line) {
            this.arrival = arrival;
            this.seq = seq;
            this.line = line;
        }

        @Override
        public int compareTo(Scheduled o) {
            return arrival != o.arrival ? Long.compare(arrival, o.arrival) : Long.compare(seq, o.seq);
        }
    }

    private final SplittableRandom random;
    private final long startMs;
    private final double paymentsPerSecond;
    private final int merchants;
    private final double[] merchantCumulative;
    private final List<Incident> incidents;
    private final Noise noise;
    private final PriorityQueue<Scheduled> pending = new PriorityQueue<>();
    private long payments;
    private long seq;
    private long eventCounter;
    /** Malformed lines emitted so far (for tests that count dead letters). */
    public long malformedEmitted;

    public TrafficGenerator(long seed, long startMs, double paymentsPerSecond, int merchants,
            List<Incident> incidents, Noise noise) {
        this.random = new SplittableRandom(seed);
        this.startMs = startMs;
        this.paymentsPerSecond = paymentsPerSecond;
        this.merchants = merchants;
        this.incidents = new ArrayList<>(incidents);
        this.noise = noise;
        // Zipf-like volumes: merchant i gets weight 1/(i+1)^0.9
        merchantCumulative = new double[merchants];
        double sum = 0;
        for (int i = 0; i < merchants; i++) {
            sum += 1.0 / Math.pow(i + 1, 0.9);
            merchantCumulative[i] = sum;
        }
        for (int i = 0; i < merchants; i++) {
            merchantCumulative[i] /= sum;
        }
    }

    /** The payment id of a line, for the Kafka key (the contract's producers key by it); null if none. */
    public static String paymentIdOf(String line) {
        int i = line.indexOf("\"payment_id\":\"");
        if (i < 0) {
            return null;
        }
        int from = i + 14;
        int to = line.indexOf('"', from);
        return to < 0 ? null : line.substring(from, to);
    }

    public static String merchantId(int index) {
        return String.format(Locale.ROOT, "m-%03d", index + 1);
    }

    /** The next line in arrival order; the stream is endless. */
    public String next() {
        while (pending.isEmpty() || pending.peek().arrival > nextPaymentTime()) {
            schedulePayment();
        }
        return pending.poll().line;
    }

    /** Arrival (≈ event) time of the line {@link #next()} will return. */
    public long peekTime() {
        while (pending.isEmpty() || pending.peek().arrival > nextPaymentTime()) {
            schedulePayment();
        }
        return pending.peek().arrival;
    }

    private long nextPaymentTime() {
        return startMs + (long) (payments * 1000.0 / paymentsPerSecond);
    }

    private void schedulePayment() {
        long t = nextPaymentTime();
        payments++;
        int m = pickMerchant();
        String merchant = merchantId(m);
        String channel = pickChannel(m);
        String paymentId = "p-" + Long.toString(payments, 36);
        String orderId = "o-" + Long.toString(payments, 36);
        String user = "u-" + random.nextInt(50_000);
        String card = "fp-" + Integer.toHexString(random.nextInt(1 << 20));
        String device = "d-" + random.nextInt(30_000);

        if (!arrives(merchant, channel, t)) {
            return; // a traffic drop: this payment never happens
        }
        String code = null;
        Incident incident = activeIncident(merchant, channel, t);
        if (incident != null && random.nextDouble() < incident.failureRate) {
            code = incident.code;
        } else if (incident == null || !incident.replacesBackground) {
            double r = random.nextDouble();
            if (r < 0.030) {
                code = USER_CODES[random.nextInt(USER_CODES.length)];
            } else if (r < 0.035) {
                code = "202";
            } else if (r < 0.038) {
                code = SYSTEM_CODES[random.nextInt(SYSTEM_CODES.length)];
            } else if (r < 0.040) {
                code = RISK_CODES[random.nextInt(RISK_CODES.length)];
            } else if (r < 0.0405) {
                code = "999";
            }
        }
        long amount = 100 + random.nextInt(50_000);
        String message = null;
        if (code != null && random.nextDouble() < 0.01) {
            // a provider echoing the card number in its message: must be masked downstream
            message = "declined for card " + PLANTED_CARD_NUMBERS[random.nextInt(PLANTED_CARD_NUMBERS.length)];
        }
        emit(t, payment(t, paymentId, orderId, merchant, channel, code, message, amount, user, card,
                device));
        if (code == null) {
            long chargeAt = t + 200 + random.nextInt(1_300);
            emit(chargeAt, simple("charge", chargeAt, paymentId, orderId, merchant, channel, amount));
            long fulfilAt = chargeAt + 1_000 + random.nextInt(180_000);
            if (random.nextDouble() < 0.97) {
                emit(fulfilAt, simple("fulfilment", fulfilAt, paymentId, orderId, merchant, channel, -1));
            } else {
                emit(fulfilAt, simple("refund", fulfilAt, paymentId, orderId, merchant, channel, amount));
            }
        }
        if (random.nextDouble() < noise.malformed) {
            malformedEmitted++;
            emitRaw(t, malformed(t, merchant, channel));
        }
    }

    private void emit(long time, String line) {
        long eventTime = time;
        double r = random.nextDouble();
        if (r < noise.late && time >= noise.lateFrom) {
            // delivered now, but it happened minutes ago: the watermark has passed it
            eventTime = time - 30_000 - random.nextInt(90_000);
        } else if (r < noise.late + noise.outOfOrder) {
            eventTime = time - random.nextInt((int) noise.maxOutOfOrderMs + 1);
        }
        String withTime = line.replace("\"event_time\":" + time, "\"event_time\":" + eventTime);
        emitRaw(time, withTime);
        if (random.nextDouble() < noise.duplicates) {
            // at-least-once producers redeliver: the same line again, a little later
            emitRaw(time + 1 + random.nextInt(3_000), withTime);
        }
    }

    /** Adds a line of its own (a scripted pattern incident) to arrive at {@code arrival}. */
    public void schedule(long arrival, String line) {
        emitRaw(arrival, line);
    }

    private void emitRaw(long arrival, String line) {
        pending.add(new Scheduled(arrival, seq++, line));
    }

    /** Whether a payment arrives despite the traffic incidents covering it. */
    private boolean arrives(String merchant, String channel, long t) {
        for (Incident i : incidents) {
            if (i.changesVolume() && i.covers(merchant, channel, t) && random.nextDouble() >= i.volume) {
                return false;
            }
        }
        return true;
    }

    private Incident activeIncident(String merchant, String channel, long t) {
        for (Incident i : incidents) {
            if (!i.changesVolume() && i.covers(merchant, channel, t)) {
                return i;
            }
        }
        return null;
    }

    private int pickMerchant() {
        double r = random.nextDouble();
        int lo = 0;
        int hi = merchants - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (merchantCumulative[mid] < r) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private String pickChannel(int merchant) {
        // each merchant leans on its own channels, so channel outages hit merchants unevenly
        double r = random.nextDouble();
        if (r < 0.5) {
            return CHANNELS[merchant % CHANNELS.length];
        }
        double x = random.nextDouble();
        double acc = 0;
        for (int i = 0; i < CHANNELS.length; i++) {
            acc += CHANNEL_SHARE[i];
            if (x < acc) {
                return CHANNELS[i];
            }
        }
        return CHANNELS[0];
    }

    private String nextEventId() {
        return "e-" + Long.toString(++eventCounter, 36);
    }

    private String payment(long t, String paymentId, String orderId, String merchant, String channel,
            String code, String message, long amount, String user, String card, String device) {
        StringBuilder b = new StringBuilder(320);
        b.append("{\"event_id\":\"").append(nextEventId()).append("\",\"event_time\":").append(t)
                .append(",\"kind\":\"payment\",\"payment_id\":\"").append(paymentId)
                .append("\",\"order_id\":\"").append(orderId)
                .append("\",\"merchant_id\":\"").append(merchant)
                .append("\",\"channel\":\"").append(channel)
                .append("\",\"status\":\"").append(code == null ? "succeeded" : "failed").append('"');
        if (code != null) {
            b.append(",\"code\":\"").append(code).append('"');
        }
        if (message != null) {
            b.append(",\"message\":\"").append(message).append('"');
        }
        b.append(",\"amount_minor\":").append(amount)
                .append(",\"currency\":\"CNY\",\"user_id\":\"").append(user)
                .append("\",\"card_fingerprint\":\"").append(card)
                .append("\",\"device_id\":\"").append(device)
                .append("\",\"latency_ms\":").append(code != null && code.equals("202")
                        ? 30_000 : 80 + random.nextInt(900))
                .append('}');
        return b.toString();
    }

    private String simple(String kind, long t, String paymentId, String orderId, String merchant,
            String channel, long amount) {
        StringBuilder b = new StringBuilder(220);
        b.append("{\"event_id\":\"").append(nextEventId()).append("\",\"event_time\":").append(t)
                .append(",\"kind\":\"").append(kind)
                .append("\",\"payment_id\":\"").append(paymentId)
                .append("\",\"order_id\":\"").append(orderId)
                .append("\",\"merchant_id\":\"").append(merchant)
                .append("\",\"channel\":\"").append(channel).append('"');
        if (amount >= 0) {
            b.append(",\"amount_minor\":").append(amount).append(",\"currency\":\"CNY\"");
        }
        return b.append('}').toString();
    }

    private String malformed(long t, String merchant, String channel) {
        switch (random.nextInt(7)) {
            case 0:
                return "{\"event_id\":\"bad-" + seq + "\",\"event_time\":" + t + ",\"kind\":\"paym";
            case 1:
                return "{\"event_id\":\"bad-" + seq + "\",\"kind\":\"payment\",\"payment_id\":\"x\","
                        + "\"order_id\":\"y\",\"merchant_id\":\"" + merchant + "\",\"channel\":\""
                        + channel + "\",\"status\":\"succeeded\",\"amount_minor\":1,\"currency\":\"CNY\"}";
            case 2:
                return "{\"event_id\":\"bad-" + seq + "\",\"event_time\":\"yesterday\",\"kind\":\"payment\"}";
            case 3:
                return "{\"event_id\":\"bad-" + seq + "\",\"event_time\":" + t + ",\"kind\":\"chargeback\","
                        + "\"payment_id\":\"x\",\"order_id\":\"y\",\"merchant_id\":\"" + merchant
                        + "\",\"channel\":\"" + channel + "\"}";
            case 4:
                return "card " + PLANTED_CARD_NUMBERS[0] + " declined";
            case 5:
                return "{\"event_id\":\"bad-" + seq + "\",\"event_time\":" + t + ",\"kind\":\"payment\","
                        + "\"payment_id\":\"x\",\"order_id\":\"y\",\"merchant_id\":\"" + merchant
                        + "\",\"channel\":\"" + channel + "\",\"status\":\"failed\",\"amount_minor\":\"12\","
                        + "\"currency\":\"CNY\",\"code\":\"101\",\"message\":\"card "
                        + PLANTED_CARD_NUMBERS[1] + "\"}";
            default:
                return "[1,2,3]";
        }
    }
}
