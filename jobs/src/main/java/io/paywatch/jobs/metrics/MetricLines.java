package io.paywatch.jobs.metrics;

import io.paywatch.jobs.alerting.FailureRateAlerts;
import io.paywatch.jobs.ingest.InputHealth;
import io.paywatch.jobs.rates.FailureCounts;
import io.paywatch.jobs.rates.RateSnapshot;
import io.paywatch.model.Alert;
import io.paywatch.model.Category;
import io.paywatch.model.Durations;
import io.paywatch.model.PlainText;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Renders PayWatch's outputs as InfluxDB line protocol (contract section 5), escaped and
 * formatted exactly as influxdb-client-java's {@code Point} does ({@link LineProtocol}).
 * Event-time timestamps in ms; tags are low-cardinality only.
 */
public final class MetricLines {
    public static final String RATE = "paywatch_rate";
    public static final String CODE = "paywatch_code";
    public static final String ALERT = "paywatch_alert";
    public static final String INPUT = "paywatch_input";
    public static final String DELIVERY = "paywatch_delivery";
    public static final String SINK = "paywatch_sink";

    private static final io.paywatch.model.ReturnCodeCatalog CATALOG =
            io.paywatch.model.ReturnCodeCatalog.defaultCatalog();

    /** The rate point's fields: the counts, the rates, each category's count, the baselines. */
    private static final String[] RATE_FIELDS = rateFields();
    private static final int TOTAL = 0;
    private static final int FAILED = 1;
    private static final int FAILURE_RATE = 2;
    private static final int SYSTEM_FAILURE_RATE = 3;
    private static final int BASELINE_FAILURE_RATE = 4;
    private static final int BASELINE_VOLUME = 5;
    private static final int FIRST_CATEGORY = 6;
    /** Tags of the rate point: the scope, its key (merchant_id or channel), the window, the run. */
    private static final int SCOPE = 0;
    private static final int KEY = 1;
    private static final int WINDOW = 2;
    private static final int RUN_ID = 3;
    private static final LineTemplate MERCHANT_RATE = rateTemplate(RateSnapshot.MERCHANT);
    private static final LineTemplate CHANNEL_RATE = rateTemplate(RateSnapshot.CHANNEL);
    /** Tags of the code point, in the order of {@link #of(RateSnapshot, String)}'s code lines. */
    private static final LineTemplate CODE_COUNT = new LineTemplate(CODE,
            new String[] {"scope", "channel", "code", "category", "meaning", "run_id"},
            new String[] {"count"}, new byte[] {LineTemplate.INTEGER});

    private static String[] rateFields() {
        String[] fields = new String[FIRST_CATEGORY + Category.ALL.length];
        fields[TOTAL] = "total";
        fields[FAILED] = "failed";
        fields[FAILURE_RATE] = "failure_rate";
        fields[SYSTEM_FAILURE_RATE] = "system_failure_rate";
        fields[BASELINE_FAILURE_RATE] = "baseline_failure_rate";
        fields[BASELINE_VOLUME] = "baseline_volume";
        for (Category cat : Category.ALL) {
            fields[FIRST_CATEGORY + cat.ordinal()] = cat.wireName();
        }
        return fields;
    }

    private static LineTemplate rateTemplate(String scope) {
        byte[] kinds = new byte[RATE_FIELDS.length];
        java.util.Arrays.fill(kinds, LineTemplate.INTEGER);
        for (int f : new int[] {FAILURE_RATE, SYSTEM_FAILURE_RATE, BASELINE_FAILURE_RATE, BASELINE_VOLUME}) {
            kinds[f] = LineTemplate.DOUBLE;
        }
        return new LineTemplate(RATE, new String[] {"scope", FailureRateAlerts.scopeKey(scope), "window", "run_id"},
                RATE_FIELDS, kinds);
    }

    private MetricLines() {}

    /** A {@code paywatch_rate} point, plus {@code paywatch_code} points for channel scope. */
    public static List<String> of(RateSnapshot s, String runId) {
        FailureCounts c = s.counts;
        // the scope key as FailureRateAlerts.scopeKey names it: merchant_id for merchant, else channel
        LineTemplate.Line p = (RateSnapshot.MERCHANT.equals(s.scope) ? MERCHANT_RATE : CHANNEL_RATE).line()
                .tag(SCOPE, s.scope)
                .tag(KEY, tag(s.key))
                .tag(WINDOW, Durations.format(s.windowMs))
                .tag(RUN_ID, tag(runId))
                .field(TOTAL, (long) c.total)
                .field(FAILED, (long) c.failed)
                .field(FAILURE_RATE, c.failureRate())
                .field(SYSTEM_FAILURE_RATE, c.systemFailureRate());
        for (Category cat : Category.ALL) {
            p.field(FIRST_CATEGORY + cat.ordinal(), (long) c.count(cat));
        }
        // the adaptive rules' baselines, where the key has one (contract section 3b)
        if (s.baselineFailureRate != null) {
            p.field(BASELINE_FAILURE_RATE, (double) s.baselineFailureRate);
        }
        if (s.baselineVolume != null) {
            p.field(BASELINE_VOLUME, (double) s.baselineVolume);
        }
        if (!RateSnapshot.CHANNEL.equals(s.scope)) {
            return List.of(p.toLine(s.time));
        }
        List<String> lines = new ArrayList<>(1 + c.codes.length);
        lines.add(p.toLine(s.time));
        for (int i = 0; i < c.codes.length; i++) {
            lines.add(CODE_COUNT.line()
                    .tag(0, s.scope)
                    .tag(1, tag(s.key))
                    .tag(2, tag(c.codes[i]))
                    .tag(3, c.categoryOfCode(i).wireName())
                    // one meaning per code: low cardinality, and boards can show it
                    .tag(4, CATALOG.meaningOf(c.codes[i]))
                    .tag(5, tag(runId))
                    .field(0, (long) c.codeCounts[i]).toLine(s.time));
        }
        return lines;
    }

    public static String of(Alert a, String runId) {
        LineProtocol p = LineProtocol.measurement(ALERT)
                .tag("rule", a.rule)
                .tag("severity", a.severity)
                .tag("status", a.status);
        boolean highCardinalityScope = false;
        for (Map.Entry<String, String> e : a.scope.entrySet()) {
            // only low-cardinality scope keys become tags; the rest stay in the summary
            if (e.getKey().equals("merchant_id") || e.getKey().equals("channel")) {
                p.tag(e.getKey(), tag(e.getValue()));
            } else {
                highCardinalityScope = true;
            }
        }
        if (a.silencedBy != null) {
            p.tag("silenced", "true");
        }
        if (a.flapping) {
            p.tag("flapping", "true");
        }
        if (highCardinalityScope) {
            // two cards or orders alerting in the same millisecond must not overwrite each
            // other's point: 256 shards by alert id keep series few and collisions unlikely
            p.tag("shard", a.alertId.substring(a.alertId.length() - 2));
        }
        p.field("value", a.value == null ? 0.0 : a.value)
                // 1 while firing, 0 once resolved: "firing now" is the last value per alert group
                .field("firing", Alert.FIRING.equals(a.status) ? 1L : 0L)
                .field("threshold", a.threshold == null ? 0.0 : a.threshold)
                .field("alert_id", a.alertId)
                .field("summary", text(a.summary));
        return finish(p, a.transitionTime(), runId);
    }

    /** {@code paywatch_delivery}: one point per webhook delivery, at the alert's event time. */
    public static String of(io.paywatch.jobs.delivery.DeliveryOutcome o, String runId) {
        return finish(LineProtocol.measurement(DELIVERY)
                .tag("receiver", tag(o.receiver))
                .tag("format", o.format)
                .tag("outcome", o.delivered ? "delivered" : "failed")
                .field("attempts", (long) o.attempts)
                .field("http_status", (long) o.httpStatus)
                .field("latency_ms", o.latencyMs)
                .field("alert_id", text(o.alertId)), o.transitionAt, runId);
    }

    /**
     * {@code paywatch_sink}: how one sink is doing, at {@code now} on the wall clock (a sink's
     * health is about the machines, not the events: a replay of last month writes it now).
     */
    public static String of(SinkHealth.Snapshot s, long now, String runId) {
        return finish(LineProtocol.measurement(SINK)
                .tag("sink", s.sink)
                .field("buffered", s.buffered)
                .field("delivered", s.delivered)
                .field("failures", s.failures)
                .field("retries", s.retries)
                .field("seconds_down", s.secondsDown)
                .field("seconds_since_last_success", s.secondsSinceLastSuccess), now, runId);
    }

    public static String of(InputHealth h, String runId) {
        return finish(LineProtocol.measurement(INPUT)
                .field("accepted", h.accepted)
                .field("rejected", h.rejected)
                .field("duplicates", h.duplicates)
                .field("late", h.late), h.time, runId);
    }

    /**
     * A tag value from outside. {@code Point} escapes commas, equals signs and spaces with a
     * backslash and leaves backslashes alone, so a backslash that ends a value or stands before
     * one of those characters would escape the wrong thing (a value ending in {@code \} swallows
     * the next tag). InfluxDB 1.x has no escape for such a backslash at all (it refuses a tag
     * ending in one, and keeps {@code \\} as two), so it is written as the full-width reverse
     * solidus U+FF3C, the same in every server; any other backslash is written as it is. The
     * alert JSON keeps the identifier exactly.
     */
    public static String tag(String s) {
        if (s == null || s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ambiguous = c == '\\' && (i + 1 == s.length() || ",= \\".indexOf(s.charAt(i + 1)) >= 0);
            b.append(ambiguous ? '\uFF3C' : c);
        }
        return b.toString();
    }

    /**
     * A string field's value. {@code Point} escapes quotes and backslashes in string fields (and
     * everything a tag needs) but writes a newline as it is, which ends the line for any reader of
     * {@code --metrics-out}: the one place line protocol makes control characters visible.
     */
    static String text(String s) {
        return PlainText.visible(s);
    }

    private static String finish(LineProtocol p, long time, String runId) {
        if (runId != null) {
            p.tag("run_id", tag(runId));
        }
        return p.toLine(time);
    }
}
