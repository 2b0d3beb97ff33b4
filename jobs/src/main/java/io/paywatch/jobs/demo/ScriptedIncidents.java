package io.paywatch.jobs.demo;

import java.util.ArrayList;
import java.util.List;

/**
 * The pattern incidents of the realistic hour, and their near misses, as explicit events: a
 * timeout burst, card testing across merchants, charges left unfulfilled, failed payments that
 * were charged — and 9 timeouts in a minute, 2 blocks, blocks 11 minutes apart, a fulfilment
 * after 14 minutes, a refund after 13, a burst delivered twice.
 */
public final class ScriptedIncidents {
    /** A line and when it arrives (= its event time). */
    public static final class Line {
        public final long time;
        public final String json;

        Line(long time, String json) {
            this.time = time;
            this.json = json;
        }
    }

    private static final long S = 1_000;
    private static final long M = 60_000;

    private final List<Line> lines = new ArrayList<>();
    private int seq;

    private ScriptedIncidents() {}

    public static List<Line> realisticHour(long start) {
        ScriptedIncidents s = new ScriptedIncidents();
        // timeout_burst: 25 timeouts 2 s apart on m-033/card from 10:08 → one incident
        for (int i = 0; i < 25; i++) {
            s.payment(start + 8 * M + i * 2 * S, "m-033", "card", "202", null, "p-tb-" + i);
        }
        // near miss: 9 timeouts within a minute on m-034/wallet at 10:22
        for (int i = 0; i < 9; i++) {
            s.payment(start + 22 * M + i * 6 * S, "m-034", "wallet", "202", null, "p-tn-" + i);
        }
        // near miss: 6 timeouts on m-035/card at 10:26, each delivered twice (duplicates)
        for (int i = 0; i < 6; i++) {
            String line = s.payment(start + 26 * M + i * 5 * S, "m-035", "card", "202", null, "p-td-" + i);
            s.lines.add(new Line(start + 26 * M + i * 5 * S + S, line));
        }
        // risk_block: card fp-card-test-1 blocked at three merchants within 3 minutes, from 10:15
        s.payment(start + 15 * M, "m-050", "card", "301", "fp-card-test-1", "p-rb-1");
        s.payment(start + 16 * M, "m-051", "card", "303", "fp-card-test-1", "p-rb-2");
        s.payment(start + 17 * M + 30 * S, "m-052", "card", "303", "fp-card-test-1", "p-rb-3");
        s.payment(start + 18 * M, "m-050", "card", "302", "fp-card-test-1", "p-rb-4");
        // near misses: two blocks; three blocks 11 minutes apart
        s.payment(start + 20 * M, "m-050", "card", "301", "fp-near-two", "p-rn-1");
        s.payment(start + 21 * M, "m-051", "card", "301", "fp-near-two", "p-rn-2");
        s.payment(start + 5 * M, "m-050", "card", "301", "fp-near-slow", "p-rs-1");
        s.payment(start + 16 * M, "m-051", "card", "301", "fp-near-slow", "p-rs-2");
        s.payment(start + 27 * M, "m-052", "card", "301", "fp-near-slow", "p-rs-3");
        // charged_unfulfilled: charged at 10:05:01, never fulfilled → fires at 10:20:01
        s.payment(start + 5 * M, "m-060", "card", null, null, "p-cu-1");
        s.simple("charge", start + 5 * M + S, "m-060", "p-cu-1");
        // charged at 10:25, fulfilled 20 minutes later → fires at 10:40, resolves at 10:45
        s.payment(start + 25 * M - S, "m-061", "card", null, null, "p-cu-2");
        s.simple("charge", start + 25 * M, "m-061", "p-cu-2");
        s.simple("fulfilment", start + 45 * M, "m-061", "p-cu-2");
        // near misses: fulfilled after 14 minutes; refunded after 13
        s.payment(start + 10 * M - S, "m-062", "card", null, null, "p-cu-3");
        s.simple("charge", start + 10 * M, "m-062", "p-cu-3");
        s.simple("fulfilment", start + 24 * M, "m-062", "p-cu-3");
        s.payment(start + 12 * M - S, "m-063", "card", null, null, "p-cu-4");
        s.simple("charge", start + 12 * M, "m-063", "p-cu-4");
        s.simple("refund", start + 25 * M, "m-063", "p-cu-4");
        // failed_but_charged: failed at 10:30, charged at 10:32, refunded at 10:50
        s.payment(start + 30 * M, "m-070", "card", "204", null, "p-fc-a");
        s.simple("charge", start + 32 * M, "m-070", "p-fc-a");
        s.simple("refund", start + 50 * M, "m-070", "p-fc-a");
        // charge first (10:36), failure after (10:37); never refunded
        s.simple("charge", start + 36 * M, "m-071", "p-fc-b");
        s.payment(start + 37 * M, "m-071", "card", "202", null, "p-fc-b");
        // near miss: the charge 11 minutes after the failure (and fulfilled)
        s.payment(start + 40 * M, "m-072", "card", "204", null, "p-fc-c");
        s.simple("charge", start + 51 * M, "m-072", "p-fc-c");
        s.simple("fulfilment", start + 52 * M, "m-072", "p-fc-c");
        return s.lines;
    }

    private String payment(long t, String merchant, String channel, String code, String card,
            String paymentId) {
        String line = "{\"event_id\":\"s-" + (++seq) + "\",\"event_time\":" + t
                + ",\"kind\":\"payment\",\"payment_id\":\"" + paymentId + "\",\"order_id\":\"o"
                + paymentId.substring(1) + "\",\"merchant_id\":\"" + merchant + "\",\"channel\":\""
                + channel + "\",\"status\":\"" + (code == null ? "succeeded" : "failed") + "\""
                + (code == null ? "" : ",\"code\":\"" + code + "\"")
                + ",\"amount_minor\":9900,\"currency\":\"CNY\""
                + (card == null ? "" : ",\"card_fingerprint\":\"" + card + "\"") + "}";
        lines.add(new Line(t, line));
        return line;
    }

    private void simple(String kind, long t, String merchant, String paymentId) {
        String line = "{\"event_id\":\"s-" + (++seq) + "\",\"event_time\":" + t
                + ",\"kind\":\"" + kind + "\",\"payment_id\":\"" + paymentId + "\",\"order_id\":\"o"
                + paymentId.substring(1) + "\",\"merchant_id\":\"" + merchant + "\",\"channel\":\"card\""
                + (kind.equals("fulfilment") ? "" : ",\"amount_minor\":9900,\"currency\":\"CNY\"") + "}";
        lines.add(new Line(t, line));
    }
}
