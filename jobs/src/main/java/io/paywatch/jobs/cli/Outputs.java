package io.paywatch.jobs.cli;

import io.paywatch.jobs.PaymentMonitorJob;
import io.paywatch.jobs.delivery.DeliveryOutcome;
import io.paywatch.jobs.delivery.DeliveryRequests;
import io.paywatch.jobs.delivery.RetryPolicy;
import io.paywatch.jobs.delivery.WebhookDelivery;
import io.paywatch.jobs.metrics.MetricLines;
import java.util.concurrent.TimeUnit;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import io.paywatch.jobs.sinks.AlertLine;
import io.paywatch.jobs.sinks.ConsoleDashboard;
import io.paywatch.jobs.sinks.InfluxSink;
import io.paywatch.jobs.sinks.InfluxTarget;
import io.paywatch.jobs.sinks.LineFileSink;
import io.paywatch.model.Alert;
import io.paywatch.model.AlertJson;
import java.util.concurrent.atomic.LongAdder;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.util.Collector;

/** Attaches the sinks the command line asked for to the pipeline's output streams. */
public final class Outputs {
    /** Alert transitions seen by this JVM (embedded runs), for the summary line. */
    static final LongAdder ALERT_COUNT = new LongAdder();

    /** What to write where. */
    public static final class Options {
        public OutputFiles files = new OutputFiles(null, null, null);
        public InfluxTarget influx;
        public String runId;
        public boolean consoleTable;
        public boolean consoleAlerts;
        public int minVolume = 20;
        public java.util.List<io.paywatch.jobs.delivery.WebhookTarget> webhooks = java.util.List.of();
        public RetryPolicy webhookRetry = RetryPolicy.defaults();
        /** Kafka alerts topic, its bootstrap servers, and whether to write it transactionally. */
        public String alertsTopic;
        public String alertsBootstrapServers;
        public boolean alertsExactlyOnce;
        public String transactionalIdPrefix = "paywatch-alerts";
        public java.util.Properties kafkaConfig = new java.util.Properties();
        /** Alertmanager to post alerts to, and how often firing ones are sent again. */
        public String alertmanagerUrl;
        public long alertmanagerResendMs = 60_000;
        /** Alertmanager's inhibit rules decide: inhibited alerts are sent to it too. */
        public boolean alertmanagerInhibits;
        /** Where the compared rule set's alerts go (backtesting), or null. */
        public String compareAlertsFile;
    }

    private Outputs() {}

    public static void attach(PaymentMonitorJob.Outputs o, Options opt) {
        ALERT_COUNT.reset();
        DataStream<Alert> alerts = o.alerts;
        if (opt.files.alerts != null) {
            alerts.map(AlertJson::toJson).name("alert json").uid("alert-json")
                    .sinkTo(new LineFileSink(opt.files.alerts)).name("alerts file").uid("alerts-file")
                    .setParallelism(1);
        }
        if (opt.compareAlertsFile != null && o.compareAlerts != null) {
            o.compareAlerts.map(AlertJson::toJson).name("compared alert json").uid("compare-alert-json")
                    .sinkTo(new LineFileSink(opt.compareAlertsFile)).name("compared alerts file")
                    .uid("compare-alerts-file").setParallelism(1);
        }
        // pages go out for alerts that are neither inhibited, silenced nor held as flapping;
        // files, InfluxDB and Kafka keep them all, marked
        DataStream<Alert> pages = alerts.filter(io.paywatch.jobs.alerting.Flapping::pages)
                .name("pages").uid("pages");
        if (opt.alertmanagerUrl != null) {
            DataStream<Alert> toAlertmanager = !opt.alertmanagerInhibits ? pages
                    : alerts.filter(io.paywatch.jobs.alerting.Flapping::pagesUnlessInhibited)
                            .name("pages and inhibited alerts").uid("alertmanager-alerts");
            toAlertmanager.sinkTo(new io.paywatch.jobs.delivery.AlertmanagerSink(opt.alertmanagerUrl,
                    opt.alertmanagerResendMs)).name("alertmanager").uid("alertmanager").setParallelism(1);
        }
        if (opt.alertsTopic != null) {
            alerts.sinkTo(io.paywatch.jobs.sinks.KafkaAlerts.sink(opt.alertsBootstrapServers,
                            opt.alertsTopic, opt.alertsExactlyOnce, opt.transactionalIdPrefix,
                            opt.kafkaConfig))
                    .name("alerts topic " + opt.alertsTopic).uid("alerts-topic");
        }
        DataStream<io.paywatch.jobs.ingest.DeadLetter> deadLetters = o.deadLetters;
        String runId = opt.runId;
        // rate points chained to each rate operator: snapshots are not sent anywhere to be written
        FlatMapFunction<io.paywatch.jobs.rates.RateSnapshot, String> ratePoints =
                (r, out) -> MetricLines.of(r, runId).forEach(out::collect);
        DataStream<String> lines = o.merchantRates.flatMap(ratePoints)
                .returns(Types.STRING).name("rate points").uid("rate-points")
                .union(o.channelRates.flatMap(ratePoints).returns(Types.STRING)
                                .name("channel rate points").uid("rate-points-channel"),
                        alerts.map(a -> MetricLines.of(a, runId)).name("alert points")
                                .uid("alert-points"),
                        o.inputHealth.map(h -> MetricLines.of(h, runId)).name("input points")
                                .uid("input-points"));
        if (!opt.webhooks.isEmpty()) {
            WebhookDelivery delivery = new WebhookDelivery(opt.webhooks, opt.webhookRetry);
            // the bound on pages held while a receiver is down (they are in the checkpoints);
            // past it the job slows down (backpressure up through alert routing to the
            // sources) rather than dropping pages
            DataStream<DeliveryOutcome> outcomes = AsyncDataStream.unorderedWait(
                    pages.flatMap(new DeliveryRequests(opt.webhooks)).name("webhook requests")
                            .uid("webhook-requests"),
                    delivery, delivery.operatorTimeoutMs(), TimeUnit.MILLISECONDS, 1_000)
                    .name("webhook delivery").uid("webhook-delivery");
            lines = lines.union(outcomes.map(d -> MetricLines.of(d, runId))
                    .name("delivery points").uid("delivery-points"));
            deadLetters = deadLetters.union(outcomes.filter(d -> !d.delivered)
                    .map(Outputs::undelivered).name("undelivered alerts").uid("undelivered-alerts"));
        }
        if (opt.files.deadLetters != null) {
            deadLetters.map(d -> d.toJson()).name("dead letter json").uid("dead-letter-json")
                    .sinkTo(new LineFileSink(opt.files.deadLetters)).name("dead letter file")
                    .uid("dead-letter-file").setParallelism(1);
        }
        if (opt.files.metrics != null) {
            lines.sinkTo(new LineFileSink(opt.files.metrics)).name("metrics file")
                    .uid("metrics-file").setParallelism(1);
        }
        if (opt.influx != null) {
            lines.sinkTo(new InfluxSink(opt.influx).withSinkHealthPoints(runId)).name("influxdb").uid("influxdb");
        }
        if (opt.consoleTable) {
            o.rates.map(ConsoleDashboard.Update::of).name("console rates").uid("console-rates")
                    .union(alerts.map(ConsoleDashboard.Update::of).name("console alerts")
                            .uid("console-alerts"))
                    .sinkTo(new ConsoleDashboard(5_000, 5, opt.minVolume)).name("console").uid("console")
                    .setParallelism(1);
            alerts.flatMap(new AlertPrinter(false)).name("alert counter").uid("alert-counter")
                    .setParallelism(1);
        } else if (opt.consoleAlerts) {
            alerts.flatMap(new AlertPrinter()).name("console alerts").uid("console-alerts")
                    .setParallelism(1);
        } else {
            alerts.flatMap(new AlertPrinter(false)).name("alert counter").uid("alert-counter")
                    .setParallelism(1);
        }
    }

    static io.paywatch.jobs.ingest.DeadLetter undelivered(DeliveryOutcome d) {
        io.paywatch.jobs.ingest.DeadLetter dl = new io.paywatch.jobs.ingest.DeadLetter();
        dl.reason = "delivery_failed";
        dl.detail = d.reason;
        dl.source = d.receiver;
        dl.input = d.body;
        return dl;
    }

    /** Prints alerts on the console as they happen (embedded runs) and counts them. */
    static final class AlertPrinter implements FlatMapFunction<Alert, Void> {
        private static final long serialVersionUID = 1L;
        private final boolean print;

        AlertPrinter() {
            this(true);
        }

        AlertPrinter(boolean print) {
            this.print = print;
        }

        @Override
        public void flatMap(Alert a, Collector<Void> out) {
            ALERT_COUNT.increment();
            if (print) {
                System.out.println(AlertLine.format(a));
            }
        }
    }
}
