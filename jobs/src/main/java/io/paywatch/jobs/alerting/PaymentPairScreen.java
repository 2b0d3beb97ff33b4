package io.paywatch.jobs.alerting;

import io.paywatch.model.EventKind;
import io.paywatch.model.PaymentEvent;
import java.util.function.Consumer;

/**
 * What the {@code failed_but_charged} CEP operator needs to see of one payment, decided without
 * delaying any alert. Nearly every payment gives that operator one event (its charge, or its
 * failure), and each one was a partial match that CEP buffered, timed and carried through every
 * watermark for the rule's {@code within} (10 minutes): the largest cost of the job. A match
 * needs a failure and a charge of the same payment, so the screen holds a payment's events
 * until the other half arrives, and only then hands them to CEP.
 *
 * <p>The pattern ({@code first, followedBy(complement), within}, skip past the last event) does
 * this for one key: each event opens a partial match; an event of the other kind completes the
 * earliest open one that is less than {@code within} old, and the match discards every other
 * partial match (all started before it). So the open partial matches are always of one kind, and
 * the screen keeps exactly them ("held"), deciding each event at its event time, in CEP's order
 * (time, then arrival). Two states per key:
 * <ul>
 *   <li><b>closed</b> (CEP holds nothing live for the key): an event with no held complement is
 *       held; one with a held complement is forwarded together with the held events — all
 *       stamped with its time, in their order, so CEP opens the same partial matches in the same
 *       order, completes the same earliest one with it, and discards the rest, as without the
 *       screen. Their {@code within} is checked here, against their own times, before they
 *       go.</li>
 *   <li><b>open</b> (for {@code within} after the last event forwarded, plus one millisecond):
 *       every event goes to CEP unchanged, which then sees exactly what it sees without the
 *       screen, with its own state. Past that, every partial match CEP holds has timed out, so
 *       the key is closed again with nothing held.</li>
 * </ul>
 * The forwarded stamps are the time of the timer that decides them, never behind CEP's watermark
 * (the timer fires before the watermark passes). The signal CEP builds reads the events' own
 * times, so the alerts are the same; tested against CEP alone on randomised streams.
 */
public final class PaymentPairScreen {
    private final long withinMs;

    public PaymentPairScreen(long withinMs) {
        if (withinMs <= 0) {
            throw new IllegalArgumentException("within must be positive");
        }
        this.withinMs = withinMs;
    }

    /**
     * One payment's state: events not yet decided (in arrival order), the held ones, and until
     * when the key is open. A Flink POJO of arrays (no Kryo); a payment holds one or two events.
     */
    public static class Track implements MerchantKeyedScreen.Track {
        public PaymentEvent[] arrived = new PaymentEvent[0];
        public PaymentEvent[] held = new PaymentEvent[0];
        /** The key is open while event time is below this; {@link Long#MIN_VALUE} when closed. */
        public long openUntil = Long.MIN_VALUE;

        public Track() {}

        @Override
        public boolean isEmpty() {
            return arrived.length == 0 && held.length == 0 && openUntil == Long.MIN_VALUE;
        }
    }

    /**
     * An event arrives: it is decided when event time reaches it. The first event of a payment
     * with nothing else in its track needs no timer of its own: decided alone at its time it would
     * be held (there is nothing to complete and the key is closed), which forwards nothing, so
     * the decision may wait for the next timer of the track (they decide what is due in time
     * order). It gets only the timer at which it times out, which it needs anyway. Should another
     * event of the payment arrive, every undecided one gets its timer at its own time then: one in
     * the past fires at the next watermark, before any timer of an event that can still arrive.
     * Most payments have one such event, so this saves a timer for each of them.
     */
    public void onEvent(Track t, PaymentEvent e, OrderScreen.Timers timers) {
        boolean alone = t.isEmpty();
        t.arrived = plus(t.arrived, e);
        if (alone) {
            timers.at(e.eventTime + withinMs);
            return;
        }
        for (PaymentEvent a : t.arrived) {
            timers.at(a.eventTime); // the timer service keeps one per payment and time
        }
    }

    /** Event time has reached {@code time}: decides the events due, forgets what has timed out. */
    public void onTime(Track t, long time, Consumer<PaymentEvent> forward, OrderScreen.Timers timers) {
        int due = 0;
        for (PaymentEvent e : t.arrived) {
            if (e.eventTime <= time) {
                due++;
            }
        }
        if (due > 0) {
            PaymentEvent[] now = new PaymentEvent[due];
            PaymentEvent[] later = new PaymentEvent[t.arrived.length - due];
            int i = 0;
            int j = 0;
            for (PaymentEvent e : t.arrived) {
                if (e.eventTime <= time) {
                    now[i++] = e;
                } else {
                    later[j++] = e;
                }
            }
            t.arrived = later;
            // earlier ones were due at their own timers; a stable sort keeps arrival order on ties
            java.util.Arrays.sort(now, java.util.Comparator.comparingLong(e -> e.eventTime));
            for (PaymentEvent e : now) {
                decide(t, e, forward);
            }
        }
        t.held = unexpired(t.held, time);
        if (t.openUntil != Long.MIN_VALUE && t.openUntil <= time) {
            t.openUntil = Long.MIN_VALUE;
        }
        if (t.held.length > 0) {
            timers.at(t.held[0].eventTime + withinMs); // when the oldest held one times out
        }
        if (t.openUntil != Long.MIN_VALUE) {
            timers.at(t.openUntil);
        }
    }

    private void decide(Track t, PaymentEvent e, Consumer<PaymentEvent> forward) {
        long time = e.eventTime;
        if (t.openUntil != Long.MIN_VALUE && time < t.openUntil) {
            forward.accept(e);
            t.openUntil = time + withinMs + 1;
            return;
        }
        t.openUntil = Long.MIN_VALUE;
        t.held = unexpired(t.held, time);
        if (t.held.length > 0 && completes(t.held[0], e)) {
            for (PaymentEvent h : t.held) {
                forward.accept(h);
            }
            forward.accept(e);
            t.held = new PaymentEvent[0];
            t.openUntil = time + withinMs + 1;
        } else {
            t.held = plus(t.held, e);
        }
    }

    /** The pattern's second step: a failure after a charge, a charge after a failure. */
    static boolean completes(PaymentEvent first, PaymentEvent second) {
        return first.kind == EventKind.CHARGE ? second.isFailedPayment() : second.kind == EventKind.CHARGE;
    }

    /** CEP times a partial match out once {@code time − start ≥ within}. */
    private PaymentEvent[] unexpired(PaymentEvent[] held, long time) {
        int from = 0;
        while (from < held.length && time - held[from].eventTime >= withinMs) {
            from++;
        }
        return from == 0 ? held : java.util.Arrays.copyOfRange(held, from, held.length);
    }

    private static PaymentEvent[] plus(PaymentEvent[] a, PaymentEvent e) {
        PaymentEvent[] b = java.util.Arrays.copyOf(a, a.length + 1);
        b[a.length] = e;
        return b;
    }
}
