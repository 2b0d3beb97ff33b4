package io.paywatch.jobs.metrics;

import org.apache.flink.metrics.MetricGroup;

/**
 * Where PayWatch's own Flink metrics live, so that every reporter (Prometheus, JMX, …) shows them
 * under one name each. Everything sits in a group {@code paywatch} below the operator's group, with
 * one key/value group for what the metric is about; Flink's Prometheus reporter turns the key into
 * part of the name and the value into a label:
 *
 * <pre>
 * flink_taskmanager_job_task_operator_paywatch_input_accepted{input="payments",…}
 * flink_taskmanager_job_task_operator_paywatch_rule_fired{rule="failure_rate",…}
 * flink_taskmanager_job_task_operator_paywatch_sink_buffered{sink="influxdb",…}
 * flink_taskmanager_job_task_operator_paywatch_eventTimeLagMs{…}
 * </pre>
 *
 * Label values are names PayWatch chooses (input, rule, sink), never identifiers from events, so
 * the number of series stays small and nobody's merchant id reaches the metrics system.
 */
public final class JobMetrics {
    public static final String GROUP = "paywatch";

    private JobMetrics() {}

    /** PayWatch's group below an operator's metric group. */
    public static MetricGroup of(MetricGroup operator) {
        return operator.addGroup(GROUP);
    }

    /** The metrics about one input (the topic or the files a job reads). */
    public static MetricGroup input(MetricGroup operator, String input) {
        return of(operator).addGroup("input", label(input));
    }

    /** The metrics about one rule's alerts. */
    public static MetricGroup rule(MetricGroup operator, String rule) {
        return of(operator).addGroup("rule", label(rule));
    }

    /** The metrics about one sink: influxdb, alertmanager, webhook_1, … */
    public static MetricGroup sink(MetricGroup operator, String sink) {
        return of(operator).addGroup("sink", label(sink));
    }

    /**
     * A label value as Prometheus keeps it: letters, digits, {@code _} and {@code :}, anything else
     * {@code _} (what Flink's reporter would do anyway; done here so that every reporter and the
     * README agree on the value).
     */
    public static String label(String value) {
        StringBuilder b = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            b.append(c < 128 && (Character.isLetterOrDigit(c) || c == '_' || c == ':') ? c : '_');
        }
        return b.length() == 0 ? "_" : b.toString();
    }
}
