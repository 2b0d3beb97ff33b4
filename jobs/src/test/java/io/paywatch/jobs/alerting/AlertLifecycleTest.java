package io.paywatch.jobs.alerting;

import static org.assertj.core.api.Assertions.assertThat;

import io.paywatch.model.Alert;
import io.paywatch.model.AlertIds;
import io.paywatch.model.NotificationSettings;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Flapping detection and the re-notify interval, as plain logic over alerts in event-time order. */
class AlertLifecycleTest {
    private static final long MIN = 60_000;
    /** 6 changes within 30 min is flapping; stable for 30 min ends it. */
    private static final NotificationSettings FLAPPING = new NotificationSettings(0, 6, 30 * MIN);
    private static final NotificationSettings RENOTIFY = new NotificationSettings(60 * MIN, 0, 30 * MIN);

    private static Alert alert(String status, long start, long at) {
        Alert a = new Alert();
        a.rule = "timeout_burst";
        a.status = status;
        a.severity = "critical";
        a.scope.put("merchant_id", "m-1");
        a.scope.put("channel", "wallet");
        a.startsAt = start;
        a.transitionAt = at;
        if (status.equals(Alert.RESOLVED)) {
            a.endsAt = at;
        }
        a.alertId = AlertIds.of(a.rule, a.scope, start);
        a.summary = "burst";
        return a;
    }

    /** Incidents of 2 min every 4 min, starting at {@code from}: firing, resolved, firing, … */
    private static List<Alert> flappingIncidents(long from, int incidents) {
        List<Alert> out = new ArrayList<>();
        for (int i = 0; i < incidents; i++) {
            long start = from + i * 4 * MIN;
            out.add(alert(Alert.FIRING, start, start));
            out.add(alert(Alert.RESOLVED, start, start + 2 * MIN));
        }
        return out;
    }

    @Test
    void anAlertThatChangesStateTooOftenIsHeldThenSettlesToItsState() {
        Flapping f = new Flapping();
        List<Alert> routed = new ArrayList<>();
        for (Alert a : flappingIncidents(0, 5)) {
            routed.add(f.apply(a, FLAPPING));
        }
        // the first 5 changes page; from the 6th (third incident's resolve) on, they are held
        assertThat(routed).extracting(a -> a.flapping)
                .containsExactly(false, false, false, false, false, true, true, true, true, true);
        // the third incident's firing paged, its resolve was held: receivers think it fires
        long lastChange = routed.get(9).transitionTime();
        assertThat(f.nextSettle(FLAPPING)).isEqualTo(lastChange + 30 * MIN);
        assertThat(f.settle(lastChange + 29 * MIN, FLAPPING)).isEmpty();
        List<Alert> settled = f.settle(lastChange + 30 * MIN, FLAPPING);
        // stable (resolved) for a window: the held resolve of the incident receivers saw firing
        assertThat(settled).singleElement().satisfies(a -> {
            assertThat(a.status).isEqualTo(Alert.RESOLVED);
            assertThat(a.alertId).isEqualTo(routed.get(4).alertId);
            assertThat(a.flapping).isFalse();
            assertThat(a.transitionTime()).isEqualTo(lastChange + 30 * MIN);
            assertThat(a.summary).startsWith("Stable again after flapping");
        });
        assertThat(f.isEmpty()).isTrue();
        // afterwards the alert pages normally again
        Alert next = f.apply(alert(Alert.FIRING, lastChange + 40 * MIN, lastChange + 40 * MIN), FLAPPING);
        assertThat(next.flapping).isFalse();
    }

    @Test
    void settlingWhileFiringPagesTheCurrentIncidentOnce() {
        Flapping f = new Flapping();
        List<Alert> in = flappingIncidents(0, 3);
        in.add(alert(Alert.FIRING, 12 * MIN, 12 * MIN)); // the 7th change: held, still firing
        in.forEach(a -> f.apply(a, FLAPPING));
        List<Alert> settled = f.settle(42 * MIN, FLAPPING);
        // receivers saw the third incident fire (paged) and not resolve: its resolve, then the current
        assertThat(settled).extracting(a -> a.status + "@" + a.startsAt / MIN)
                .containsExactly("resolved@8", "firing@12");
        assertThat(f.isEmpty()).isFalse(); // it keeps following the open incident
        Alert end = f.apply(alert(Alert.RESOLVED, 12 * MIN, 50 * MIN), FLAPPING);
        assertThat(end.flapping).isFalse();
    }

    @Test
    void offByDefaultAndInfoAlertsAreNeverHeld() {
        Flapping f = new Flapping();
        for (Alert a : flappingIncidents(0, 10)) {
            assertThat(f.apply(a, NotificationSettings.OFF).flapping).isFalse();
        }
        assertThat(f.isEmpty()).isTrue();
    }

    @Test
    void aLongIncidentIsSentAgainEveryIntervalUntilItResolves() {
        Renotification r = new Renotification();
        Alert firing = alert(Alert.FIRING, 0, 0);
        r.track(firing, RENOTIFY);
        assertThat(r.nextDue()).isEqualTo(60 * MIN);
        assertThat(r.due(59 * MIN, RENOTIFY)).isEmpty();
        List<Alert> repeats = r.due(130 * MIN, RENOTIFY);
        assertThat(repeats).extracting(a -> a.renotification + "@" + a.transitionTime() / MIN)
                .containsExactly("1@60", "2@120");
        assertThat(repeats).allSatisfy(a -> {
            assertThat(a.alertId).isEqualTo(firing.alertId);
            assertThat(a.status).isEqualTo(Alert.FIRING);
            assertThat(a.startsAt).isZero();
        });
        // a severity change restarts the interval from its own time
        Alert change = alert(Alert.FIRING, 0, 150 * MIN);
        change.severity = "warning";
        r.track(change, RENOTIFY);
        assertThat(r.nextDue()).isEqualTo(210 * MIN);
        r.track(alert(Alert.RESOLVED, 0, 200 * MIN), RENOTIFY);
        assertThat(r.due(1_000 * MIN, RENOTIFY)).isEmpty();
        assertThat(r.isEmpty()).isTrue();
    }

    @Test
    void silencedInhibitedOrHeldIncidentsAreNotSentAgain() {
        Renotification r = new Renotification();
        Alert silenced = alert(Alert.FIRING, 0, 0);
        silenced.silencedBy = "maintenance";
        r.track(silenced, RENOTIFY);
        Alert held = alert(Alert.FIRING, 5, 5);
        held.flapping = true;
        r.track(held, RENOTIFY);
        assertThat(r.due(1_000 * MIN, RENOTIFY)).isEmpty();
        assertThat(r.nextDue()).isEqualTo(Long.MAX_VALUE);
    }
}
