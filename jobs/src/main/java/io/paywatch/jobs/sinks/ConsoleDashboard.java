package io.paywatch.jobs.sinks;

import io.paywatch.jobs.rates.RateSnapshot;
import io.paywatch.model.Alert;
import io.paywatch.model.Timestamps;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * The demo's console: every few seconds a compact table of failure rates per channel and for
 * the worst merchants, and each alert as it fires and resolves. Runs at parallelism 1 in the
 * JVM of the command (embedded Flink).
 */
public class ConsoleDashboard implements Sink<ConsoleDashboard.Update> {
    private static final long serialVersionUID = 1L;

    /** A rate snapshot or an alert. */
    public static class Update {
        public RateSnapshot rate;
        public Alert alert;

        public Update() {}

        public static Update of(RateSnapshot r) {
            Update u = new Update();
            u.rate = r;
            return u;
        }

        public static Update of(Alert a) {
            Update u = new Update();
            u.alert = a;
            return u;
        }
    }

    private final long tableEveryMs;
    private final int worstMerchants;
    private final int minVolume;

    public ConsoleDashboard(long tableEveryMs, int worstMerchants, int minVolume) {
        this.tableEveryMs = tableEveryMs;
        this.worstMerchants = worstMerchants;
        this.minVolume = minVolume;
    }

    @Override
    public SinkWriter<Update> createWriter(WriterInitContext context) {
        return new Writer(System.out, tableEveryMs, worstMerchants, minVolume);
    }

    static final class Writer implements SinkWriter<Update> {
        private final PrintStream out;
        private final long tableEveryMs;
        private final int worstMerchants;
        private final int minVolume;
        private final Map<String, RateSnapshot> channels = new TreeMap<>();
        private final Map<String, RateSnapshot> merchants = new TreeMap<>();
        private long lastTable;
        private long latestTime;
        private long lastTableTime;

        Writer(PrintStream out, long tableEveryMs, int worstMerchants, int minVolume) {
            this.out = out;
            this.minVolume = minVolume;
            this.tableEveryMs = tableEveryMs;
            this.worstMerchants = worstMerchants;
            this.lastTable = System.currentTimeMillis();
        }

        @Override
        public void write(Update u, Context context) {
            if (u.alert != null) {
                out.println(AlertLine.format(u.alert));
            } else {
                RateSnapshot r = u.rate;
                latestTime = Math.max(latestTime, r.time);
                (RateSnapshot.CHANNEL.equals(r.scope) ? channels : merchants).put(r.key, r);
            }
            long now = System.currentTimeMillis();
            // a table when time has passed on both clocks: no repeats of the same evaluation
            if (now - lastTable >= tableEveryMs && latestTime > lastTableTime && !channels.isEmpty()) {
                lastTable = now;
                lastTableTime = latestTime;
                printTable();
            }
        }

        private void printTable() {
            // drop keys whose last evaluation is older than a minute of event time: they went quiet
            channels.values().removeIf(r -> r.time < latestTime - 60_000);
            merchants.values().removeIf(r -> r.time < latestTime - 60_000);
            StringBuilder b = new StringBuilder();
            b.append(String.format(Locale.ROOT, "%n── failure rates over %s, at %s ──%n",
                    io.paywatch.model.Durations.format(channels.values().iterator().next().windowMs),
                    Timestamps.rfc3339(latestTime)));
            b.append(String.format(Locale.ROOT, "  %-16s %7s %6s %8s %8s  %s%n",
                    "channel", "total", "failed", "fail%", "system%", "alert"));
            for (RateSnapshot r : channels.values()) {
                b.append(row(r.key, r));
            }
            List<RateSnapshot> worst = new ArrayList<>(merchants.values());
            // tiny merchants at 1 of 1 failed say nothing: rank those with enough volume to judge
            worst.removeIf(r -> r.counts.failed == 0 || r.counts.total < minVolume);
            worst.sort(Comparator.comparingDouble((RateSnapshot r) -> -r.counts.failureRate())
                    .thenComparing(r -> -r.counts.total));
            b.append(String.format(Locale.ROOT, "  %-16s %7s %6s %8s %8s  %s%n",
                    "worst merchants", "", "", "", "", "(at least " + minVolume + " payments)"));
            for (int i = 0; i < Math.min(worstMerchants, worst.size()); i++) {
                b.append(row(worst.get(i).key, worst.get(i)));
            }
            out.print(b);
            out.flush();
        }

        private static String row(String name, RateSnapshot r) {
            return String.format(Locale.ROOT, "  %-16s %7d %6d %7.1f%% %7.1f%%  %s%n", io.paywatch.model.PlainText.visible(name),
                    r.counts.total, r.counts.failed, r.counts.failureRate() * 100,
                    r.counts.systemFailureRate() * 100,
                    r.firingSeverity == null ? "" : "● " + r.firingSeverity.toUpperCase(Locale.ROOT));
        }

        @Override
        public void flush(boolean endOfInput) {
            out.flush();
        }

        @Override
        public void close() {}
    }
}
