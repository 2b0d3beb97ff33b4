package io.paywatch.jobs.control;

import io.paywatch.model.AnomalySettings;
import io.paywatch.model.FailureRateSettings;
import io.paywatch.model.Measure;
import io.paywatch.model.RuleChange;
import io.paywatch.model.RuleSettings;
import io.paywatch.model.Silence;
import io.paywatch.model.TrafficDropSettings;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * The rules as changed live through the control topic, held in broadcast state (so they are in
 * every checkpoint and survive a restart) on top of the deployment's {@link RuleSettings}.
 */
public final class LiveRules {
    /** {@code merchant_id=m-17} → the failure-rate settings now in force for that key. */
    public static final MapStateDescriptor<String, FailureRateSettings> FAILURE_RATE =
            new MapStateDescriptor<>("live-failure-rate-overrides", Types.STRING,
                    TypeInformation.of(FailureRateSettings.class));
    /**
     * {@code merchant_id=m-17} → what {@code failure_rate} pages on for that key while its live
     * override is in force ({@link Measure#wireName()}). Kept apart from {@link #FAILURE_RATE},
     * whose values are in checkpoints in the form of version 1: a savepoint taken before this
     * state existed restores with it empty, which is what its overrides meant (the file's measure).
     */
    public static final MapStateDescriptor<String, String> FAILURE_RATE_MEASURES =
            new MapStateDescriptor<>("live-failure-rate-measures", Types.STRING, Types.STRING);
    /** {@code merchant_id=m-17} → the failure_rate_anomaly settings now in force for that key. */
    public static final MapStateDescriptor<String, AnomalySettings> ANOMALY =
            new MapStateDescriptor<>("live-anomaly-overrides", Types.STRING,
                    TypeInformation.of(AnomalySettings.class));
    /** {@code merchant_id=m-17} → the traffic_drop settings now in force for that key. */
    public static final MapStateDescriptor<String, TrafficDropSettings> TRAFFIC_DROP =
            new MapStateDescriptor<>("live-traffic-drop-overrides", Types.STRING,
                    TypeInformation.of(TrafficDropSettings.class));
    /** {@link Silence#stateKey()} → a silence sent on the control topic. */
    public static final MapStateDescriptor<String, Silence> SILENCES = new MapStateDescriptor<>(
            "live-silences", Types.STRING, TypeInformation.of(Silence.class));

    private LiveRules() {}

    public static void applyOverrides(RuleChange change, BroadcastState<String, FailureRateSettings> state,
            BroadcastState<String, String> measures) throws Exception {
        for (RuleChange.Override o : change.overrides) {
            if (o.settings == null) {
                state.remove(o.stateKey());
                measures.remove(o.stateKey());
            } else {
                state.put(o.stateKey(), o.settings);
                measures.put(o.stateKey(), o.measure.wireName());
            }
        }
    }

    /**
     * What {@code failure_rate} pages on for one key: a live override's measure, else the file's.
     * A measure is only ever live with an override, so without overrides no other state is read.
     */
    public static Measure failureRateMeasureFor(RuleSettings rules, String scope, String key,
            ReadOnlyBroadcastState<String, FailureRateSettings> overrides,
            ReadOnlyBroadcastState<String, String> measures) throws Exception {
        if (!overrides.immutableEntries().iterator().hasNext()) {
            return rules.failureRateMeasureFor(scope, key);
        }
        String m = measures.get(RuleChange.Override.stateKey(scope, key));
        return m != null ? Measure.ofWireName(m) : rules.failureRateMeasureFor(scope, key);
    }

    /** The change's overrides of the adaptive rules, into their broadcast states. */
    public static void applyAdaptiveOverrides(RuleChange change, BroadcastState<String, AnomalySettings> anomaly,
            BroadcastState<String, TrafficDropSettings> drop) throws Exception {
        for (RuleChange.AdaptiveOverride o : change.adaptiveOverrides) {
            if (RuleSettings.TRAFFIC_DROP.equals(o.rule)) {
                if (o.backToFile()) {
                    drop.remove(o.stateKey());
                } else {
                    drop.put(o.stateKey(), o.drop);
                }
            } else if (o.backToFile()) {
                anomaly.remove(o.stateKey());
            } else {
                anomaly.put(o.stateKey(), o.anomaly);
            }
        }
    }

    /** The failure_rate_anomaly settings for one key: a live override, else the rules file's. */
    public static AnomalySettings anomalyFor(RuleSettings rules, String scope, String key,
            ReadOnlyBroadcastState<String, AnomalySettings> live) throws Exception {
        return liveOr(live, scope, key, rules::anomalyFor);
    }

    /** The traffic_drop settings for one key: a live override, else the rules file's. */
    public static TrafficDropSettings trafficDropFor(RuleSettings rules, String scope, String key,
            ReadOnlyBroadcastState<String, TrafficDropSettings> live) throws Exception {
        return liveOr(live, scope, key, rules::trafficDropFor);
    }

    public static void applySilences(RuleChange change, BroadcastState<String, Silence> state)
            throws Exception {
        for (Silence s : change.silences) {
            state.put(s.stateKey(), s);
        }
    }

    /** The failure-rate settings for one key: a live override, else the rules file's. */
    public static FailureRateSettings failureRateFor(RuleSettings rules, String scope, String key,
            ReadOnlyBroadcastState<String, FailureRateSettings> live) throws Exception {
        return liveOr(live, scope, key, rules::failureRateFor);
    }

    /** The rules file's settings of one rule for one key. */
    private interface FileSettings<T> {
        T of(String scope, String key);
    }

    /** A live override of one key's settings, else the rules file's. */
    private static <T> T liveOr(ReadOnlyBroadcastState<String, T> live, String scope, String key,
            FileSettings<T> file) throws Exception {
        // per evaluation on the hot path: without live overrides, no key string is built at all
        if (!live.immutableEntries().iterator().hasNext()) {
            return file.of(scope, key);
        }
        T s = live.get(RuleChange.Override.stateKey(scope, key));
        return s != null ? s : file.of(scope, key);
    }

    /** The rules file's silences and the live ones. */
    public static List<Silence> silences(RuleSettings rules, ReadOnlyBroadcastState<String, Silence> live)
            throws Exception {
        List<Silence> all = new ArrayList<>(rules.silences());
        for (java.util.Map.Entry<String, Silence> e : live.immutableEntries()) {
            all.add(e.getValue());
        }
        return all;
    }
}
