package io.paywatch.jobs.alerting;

import static io.paywatch.jobs.testing.Events.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.paywatch.jobs.testing.Events;
import io.paywatch.jobs.testing.PatternHarness;
import io.paywatch.model.Alert;
import io.paywatch.model.EventKind;
import io.paywatch.model.PaymentEvent;
import io.paywatch.model.RuleSettings;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Each pattern rule on hand-made event sequences, end to end on a MiniCluster. */
class PatternRulesTest {
    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    private static final long S = 1_000;
    private static final long M = 60_000;
    private static final RuleSettings RULES = RuleSettings.defaults();

    static PaymentEvent of(EventKind kind, long time, String merchant, String order) {
        PaymentEvent e = Events.ok(time, merchant, "card");
        e.kind = kind;
        e.orderId = order;
        e.paymentId = "p-" + order;
        return e;
    }

    private static List<String> transitions(List<Alert> alerts) {
        List<String> out = new ArrayList<>();
        for (Alert a : alerts) {
            out.add(a.rule + " " + a.status + " " + a.scope + " " + (a.transitionTime() - T0) / 1000);
        }
        return out;
    }

    @Test
    void chargedUnfulfilledFiresAtTheDeadlineAndALateFulfilmentResolvesIt() throws Exception {
        List<PaymentEvent> events = new ArrayList<>();
        events.add(of(EventKind.CHARGE, T0, "m-1", "o-ok"));
        events.add(of(EventKind.FULFILMENT, T0 + 14 * M, "m-1", "o-ok")); // in time: nothing
        events.add(of(EventKind.CHARGE, T0 + S, "m-1", "o-refunded"));
        events.add(of(EventKind.REFUND, T0 + 13 * M, "m-1", "o-refunded")); // in time: nothing
        events.add(of(EventKind.CHARGE, T0 + 2 * S, "m-1", "o-late"));
        events.add(of(EventKind.FULFILMENT, T0 + 2 * S + 15 * M + S, "m-1", "o-late")); // 1 s late
        events.add(of(EventKind.CHARGE, T0 + 3 * S, "m-1", "o-never"));
        events.add(of(EventKind.CHARGE, T0 + 4 * S, "m-1", "o-just"));
        events.add(of(EventKind.FULFILMENT, T0 + 4 * S + 15 * M - S, "m-1", "o-just")); // 1 s early
        events.sort(java.util.Comparator.comparingLong(e -> e.eventTime));
        List<Alert> alerts = PatternHarness.run(events, RULES);
        assertThat(transitions(alerts)).containsExactly(
                "charged_unfulfilled firing {merchant_id=m-1, order_id=o-late} 902",
                "charged_unfulfilled firing {merchant_id=m-1, order_id=o-never} 903",
                "charged_unfulfilled resolved {merchant_id=m-1, order_id=o-late} 903");
        assertThat(alerts.get(0).severity).isEqualTo("critical");
        assertThat(alerts.get(0).recommendedAction).contains("refund");
        assertThat(alerts.get(0).alertId).isEqualTo(alerts.get(2).alertId);
    }
}
