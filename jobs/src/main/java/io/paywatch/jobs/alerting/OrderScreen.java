package io.paywatch.jobs.alerting;

import io.paywatch.model.PaymentEvent;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * What the {@code charged_unfulfilled} CEP operator needs to see of one order, decided before it
 * sees anything: most charges are fulfilled within seconds, and CEP's cost is per buffered
 * event. The screen holds each charge for {@code hold} (less than the rule's {@code within}) and
 * drops it when a fulfilment or refund of the order falls in {@code [charge, charge + hold]}:
 * such a charge can never match, and CEP would only have buffered, sorted and discarded it.
 * Every other charge goes on to CEP stamped {@code charge + hold}, and CEP runs the pattern with
 * {@code within − hold}: its deadline is still {@code charge + within}.
 *
 * <p>Why CEP's alerts are unchanged (the pattern is {@code charge, notFollowedBy(resolver),
 * within}, charges first among events of one millisecond):
 * <ul>
 *   <li>A dropped charge has a resolver at or after it and less than {@code within} after it,
 *       so CEP would never have matched it; it is never part of a match, so no skip strategy
 *       depends on it.</li>
 *   <li>A forwarded charge has no resolver in {@code [charge, charge + hold]}, so "no resolver in
 *       {@code [charge + hold, charge + within)}" — what CEP checks on the shifted charge — is
 *       "no resolver in {@code [charge, charge + within)}", the original condition.</li>
 *   <li>A resolver is forwarded, with its own time, when a forwarded charge is at most
 *       {@code within} before it: the only resolvers that can end a forwarded charge's partial
 *       match. Any resolver forwarded is a real one, so it ends no match the original stream
 *       would not end.</li>
 * </ul>
 * Decisions are made on event-time timers (a charge at {@code charge + hold}, a resolver at its
 * own time), when every event up to that time has arrived, so they do not depend on arrival
 * order; a resolver that arrives while a charge it completes is held drops the charge at once.
 * A timer's output carries the timer's time, which is exactly the stamp each forwarded event
 * needs, and it is never behind CEP's watermark (the timer fires before the watermark passes).
 */
public final class OrderScreen {
    private final long holdMs;
    private final long withinMs;

    public OrderScreen(long holdMs, long withinMs) {
        if (holdMs < 0 || holdMs >= withinMs) {
            throw new IllegalArgumentException("hold must be at least 0 and less than within");
        }
        this.holdMs = holdMs;
        this.withinMs = withinMs;
    }

    /** The part of a rule's window that CEP decides: its last second (see {@link #holdFor}). */
    public static final long CEP_SHARE_MS = 1_000;

    /**
     * The hold for a rule's {@code within}: all of it but CEP's share, {@link #CEP_SHARE_MS} (half
     * of a window shorter than two seconds, at least 1 ms). A held charge costs the screen a track
     * and a timer; the same charge in CEP costs a keyed NFA state, a shared-buffer entry and a
     * timer re-registered at every watermark until its window ends. So the later CEP takes over,
     * the fewer charges it buffers, whatever the fulfilments' delays: it sees the charges still
     * unfulfilled a second before their deadline, and the fulfilments or refunds that may end them.
     * Any hold gives the same alerts at the same times (the class comment).
     */
    public static long holdFor(long withinMs) {
        return withinMs - Math.max(1, Math.min(CEP_SHARE_MS, withinMs / 2));
    }

    public long holdMs() {
        return holdMs;
    }

    /**
     * One order's state: held charges, resolvers not yet past, forwarded charges still open. A
     * Flink POJO of arrays (Flink's own serialisers, no Kryo); an order holds one or two of each.
     */
    public static class Track implements MerchantKeyedScreen.Track {
        public PaymentEvent[] heldCharges = new PaymentEvent[0];
        public PaymentEvent[] resolvers = new PaymentEvent[0];
        public long[] forwardedChargeTimes = new long[0];
        /** Forwarded charges (by time, one entry each) that a resolver ended within the rule's window. */
        public long[] answeredChargeTimes = new long[0];
        /**
         * Forwarded charges whose window passed without a resolver: CEP matched each at
         * {@code charge + within}, and a later resolver may resolve that incident.
         */
        public long[] incidentChargeTimes = new long[0];

        public Track() {}

        @Override
        public boolean isEmpty() {
            return heldCharges.length == 0 && resolvers.length == 0 && forwardedChargeTimes.length == 0
                    && answered().length == 0 && incidents().length == 0;
        }

        /** (A track restored from a build before these fields has none of them.) */
        long[] answered() {
            return answeredChargeTimes == null ? answeredChargeTimes = new long[0] : answeredChargeTimes;
        }

        long[] incidents() {
            return incidentChargeTimes == null ? incidentChargeTimes = new long[0] : incidentChargeTimes;
        }
    }

    /** Where a decision goes: the timers of the order to register, and to delete. */
    public interface Timers {
        void at(long time);

        /** The order's timer at {@code time} will decide nothing: delete it. */
        void cancel(long time);
    }

    /** A charge arrives: dropped when a known resolver completes it, else held until charge + hold. */
    public boolean onCharge(Track t, PaymentEvent charge, Timers timers) {
        if (completedByAResolver(t, charge)) {
            return false;
        }
        t.heldCharges = plus(t.heldCharges, charge);
        timers.at(charge.eventTime + holdMs);
        return true;
    }

    /**
     * A fulfilment or refund arrives: held charges it completes are dropped; it is decided at its
     * time. A dropped charge's timer is deleted unless something else of the order is decided at
     * the same time: most charges are fulfilled within seconds, and their timers would otherwise
     * wait out the hold in the timer queue (the largest part of its cost) to decide nothing.
     */
    public void onResolver(Track t, PaymentEvent resolver, Timers timers) {
        PaymentEvent[] held = t.heldCharges;
        t.heldCharges = keep(held, c -> !completes(resolver.eventTime, c.eventTime), c -> { });
        t.resolvers = plus(t.resolvers, resolver);
        timers.at(resolver.eventTime);
        if (t.heldCharges != held) {
            for (PaymentEvent c : held) {
                long due = c.eventTime + holdMs;
                if (completes(resolver.eventTime, c.eventTime) && !decidesAt(t, due)) {
                    timers.cancel(due);
                }
            }
        }
    }

    /**
     * Whether anything of the order is decided at {@code time}: the timers {@link #onCharge},
     * {@link #onResolver} and {@link #onTime} registered for what the track still holds. (A
     * decision at a time processes everything due by then, but what is due earlier has timers of
     * its own, which fire first.)
     */
    private boolean decidesAt(Track t, long time) {
        for (PaymentEvent c : t.heldCharges) {
            if (c.eventTime + holdMs == time) {
                return true;
            }
        }
        for (PaymentEvent r : t.resolvers) {
            if (r.eventTime == time) {
                return true;
            }
        }
        for (long c : t.forwardedChargeTimes) {
            if (c + withinMs == time) {
                return true;
            }
        }
        for (long c : t.incidents()) {
            if (c + withinMs + PatternIncidentFunction.EXPIRE_MS + 1 == time) {
                return true;
            }
        }
        return false;
    }

    private boolean completedByAResolver(Track t, PaymentEvent charge) {
        for (PaymentEvent r : t.resolvers) {
            if (completes(r.eventTime, charge.eventTime)) {
                return true;
            }
        }
        return false;
    }

    /** A resolver at {@code r} completes a charge at {@code c} within the hold: charge first on ties. */
    private boolean completes(long r, long c) {
        return c <= r && r <= c + holdMs;
    }

    /**
     * Event time has reached {@code time}: forwards the charges due now (to be stamped
     * {@code time}) and the resolvers of this millisecond that a forwarded charge needs; sends to
     * {@code resolving} the resolvers of this millisecond that may resolve an incident of the
     * order (see {@link #mayResolve}).
     */
    public void onTime(Track t, long time, Consumer<PaymentEvent> forward, Consumer<PaymentEvent> resolving,
            Timers timers) {
        if (t.heldCharges.length > 0 && t.resolvers.length > 0) {
            // a resolver drops the held charges it completes when either arrives, so this drops
            // none, unless a build with a shorter hold (restored) kept a pair this hold completes
            t.heldCharges = keep(t.heldCharges, c -> !completedByAResolver(t, c), c -> { });
        }
        t.heldCharges = keep(t.heldCharges, c -> c.eventTime + holdMs > time, c -> {
            forward.accept(c);
            t.forwardedChargeTimes = append(t.forwardedChargeTimes, c.eventTime);
            timers.at(c.eventTime + withinMs); // forgotten once no resolver can end it
        });
        for (PaymentEvent c : t.heldCharges) {
            // a charge held by a build with a shorter hold (restored) had its timer at that hold's
            // end: it gets one at this one's (otherwise the timer is there, and this changes nothing)
            timers.at(c.eventTime + holdMs);
        }
        // past its time no charge a resolver completes can arrive (none is behind the watermark)
        t.resolvers = keep(t.resolvers, r -> r.eventTime > time, r -> {
            boolean needed = false;
            for (long c : t.forwardedChargeTimes) {
                if (c + holdMs <= r.eventTime && r.eventTime < c + withinMs) {
                    needed = true;
                    // CEP's partial match of c ends here: one entry per forwarded charge of that time
                    if (count(t.answered(), c) < count(t.forwardedChargeTimes, c)) {
                        t.answeredChargeTimes = append(t.answered(), c);
                    }
                }
            }
            if (needed) {
                forward.accept(r);
            }
            if (mayResolve(t, r.eventTime)) {
                resolving.accept(r);
            }
        });
        int open = 0;
        for (long c : t.forwardedChargeTimes) {
            if (c + withinMs > time) {
                open++;
            }
        }
        if (open < t.forwardedChargeTimes.length) {
            long[] kept = new long[open];
            int i = 0;
            for (long c : t.forwardedChargeTimes) {
                if (c + withinMs > time) {
                    kept[i++] = c;
                } else if (!removeOne(t, c)) {
                    // no resolver in its window: CEP matched it; its incident may be resolved until it expires
                    t.incidentChargeTimes = append(t.incidents(), c);
                    timers.at(c + withinMs + PatternIncidentFunction.EXPIRE_MS + 1);
                }
            }
            t.forwardedChargeTimes = kept;
        }
        long[] incidents = t.incidents();
        int live = 0;
        for (long c : incidents) {
            if (c + withinMs + PatternIncidentFunction.EXPIRE_MS >= time) {
                live++;
            }
        }
        if (live < incidents.length) {
            long[] kept = new long[live];
            int i = 0;
            for (long c : incidents) {
                if (c + withinMs + PatternIncidentFunction.EXPIRE_MS >= time) {
                    kept[i++] = c;
                }
            }
            t.incidentChargeTimes = kept;
        }
    }

    /**
     * Whether a resolver at {@code r} may resolve an incident of the order: one opens only where
     * CEP matched a forwarded charge {@code c}, at {@code c + within}, and lasts at most
     * {@link PatternIncidentFunction#EXPIRE_MS} from there. Any other resolver finds no incident
     * open and changes nothing (sending it anyway would be harmless, but it is most of them).
     */
    private boolean mayResolve(Track t, long r) {
        for (long c : t.incidents()) {
            if (c + withinMs <= r && r <= c + withinMs + PatternIncidentFunction.EXPIRE_MS) {
                return true;
            }
        }
        // a charge whose window ends at this very millisecond: matched unless a resolver ended it
        for (long c : t.forwardedChargeTimes) {
            if (c + withinMs <= r && count(t.forwardedChargeTimes, c) > count(t.answered(), c)) {
                return true;
            }
        }
        return false;
    }

    private static int count(long[] a, long v) {
        int n = 0;
        for (long x : a) {
            if (x == v) {
                n++;
            }
        }
        return n;
    }

    /** Removes one entry {@code c} from the answered charges; whether there was one. */
    private static boolean removeOne(Track t, long c) {
        long[] a = t.answered();
        for (int i = 0; i < a.length; i++) {
            if (a[i] == c) {
                long[] b = new long[a.length - 1];
                System.arraycopy(a, 0, b, 0, i);
                System.arraycopy(a, i + 1, b, i, a.length - i - 1);
                t.answeredChargeTimes = b;
                return true;
            }
        }
        return false;
    }

    /**
     * The events of {@code a} that {@code kept} accepts, in order; each other one goes to
     * {@code removed}. The same array when nothing is removed (the common case: no copy per event).
     */
    private static PaymentEvent[] keep(PaymentEvent[] a, Predicate<PaymentEvent> kept,
            Consumer<PaymentEvent> removed) {
        int n = 0;
        for (PaymentEvent e : a) {
            if (kept.test(e)) {
                n++;
            }
        }
        if (n == a.length) {
            return a;
        }
        PaymentEvent[] out = new PaymentEvent[n];
        int i = 0;
        for (PaymentEvent e : a) {
            if (kept.test(e)) {
                out[i++] = e;
            } else {
                removed.accept(e);
            }
        }
        return out;
    }

    private static PaymentEvent[] plus(PaymentEvent[] a, PaymentEvent e) {
        PaymentEvent[] b = java.util.Arrays.copyOf(a, a.length + 1);
        b[a.length] = e;
        return b;
    }

    private static long[] append(long[] a, long v) {
        long[] b = java.util.Arrays.copyOf(a, a.length + 1);
        b[a.length] = v;
        return b;
    }
}
