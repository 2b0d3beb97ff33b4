package io.paywatch.jobs.control;

import io.paywatch.model.FailureRateSettings;
import io.paywatch.model.RuleChange;
import io.paywatch.model.RuleSettings;
import io.paywatch.model.Silence;
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
    /** {@link Silence#stateKey()} → a silence sent on the control topic. */
    public static final MapStateDescriptor<String, Silence> SILENCES = new MapStateDescriptor<>(
            "live-silences", Types.STRING, TypeInformation.of(Silence.class));

    private LiveRules() {}

    public static void applyOverrides(RuleChange change, BroadcastState<String, FailureRateSettings> state)
            throws Exception {
        for (RuleChange.Override o : change.overrides) {
            if (o.settings == null) {
                state.remove(o.stateKey());
            } else {
                state.put(o.stateKey(), o.settings);
            }
        }
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
        // per event on the hot path: without live overrides, no key string is built at all
        if (!live.immutableEntries().iterator().hasNext()) {
            return rules.failureRateFor(scope, key);
        }
        FailureRateSettings s = live.get(RuleChange.Override.stateKey(scope, key));
        return s != null ? s : rules.failureRateFor(scope, key);
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
