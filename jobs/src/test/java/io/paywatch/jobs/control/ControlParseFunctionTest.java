package io.paywatch.jobs.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.paywatch.jobs.PipelineTags;
import io.paywatch.jobs.alerting.RuleChangeAlerts;
import io.paywatch.jobs.delivery.Signatures;
import io.paywatch.jobs.ingest.DeadLetter;
import io.paywatch.jobs.ingest.RawRecord;
import io.paywatch.model.RuleSettings;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** Signed rule changes (contract 6, {@code --control-secret-env}): only the secret's holder changes rules. */
class ControlParseFunctionTest {
    private static final String SECRET = "s3cret";
    private static final String CHANGE = "{\"change_id\":\"chg-7\",\"failure_rate\":{\"overrides\":"
            + "{\"merchant_id\":{\"m-17\":{\"warning\":0.2}}}}}";

    private static RawRecord record(String value, String signature, String keyId) {
        RawRecord r = RawRecord.ofBytes(value.getBytes(StandardCharsets.UTF_8), "control-0@" + value.length(), 0);
        r.timestamp = 1_795_428_000_000L;
        r.signature = signature;
        r.keyId = keyId;
        return r;
    }

    private static OneInputStreamOperatorTestHarness<RawRecord, ControlSignal> harness(String secret)
            throws Exception {
        ControlParseFunction f = new ControlParseFunction(RuleSettings.defaults());
        if (secret != null) {
            f.withSecret(secret);
        }
        OneInputStreamOperatorTestHarness<RawRecord, ControlSignal> h =
                new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(f));
        h.open();
        return h;
    }

    private static List<DeadLetter> dead(OneInputStreamOperatorTestHarness<RawRecord, ControlSignal> h) {
        var side = h.getSideOutput(PipelineTags.DEAD_LETTERS);
        return side == null ? List.of() : side.stream().map(StreamRecord::getValue).collect(Collectors.toList());
    }

    @Test
    void withASecretOnlyCorrectlySignedChangesApplyAndSayWhoSigned() throws Exception {
        var h = harness(SECRET);
        byte[] value = CHANGE.getBytes(StandardCharsets.UTF_8);
        h.processElement(new StreamRecord<>(record(CHANGE, null, null)));
        h.processElement(new StreamRecord<>(record(CHANGE, Signatures.sign("another secret", value), "ops-1")));
        // signed, then altered: the signature is of other bytes
        h.processElement(new StreamRecord<>(record(CHANGE.replace("0.2", "1.0"), Signatures.sign(SECRET, value), "ops-1")));
        assertThat(h.extractOutputValues()).isEmpty();
        List<DeadLetter> refused = dead(h);
        assertThat(refused).hasSize(3).allSatisfy(d -> {
            assertThat(d.reason).isEqualTo("invalid_control");
            assertThat(d.field).isEqualTo("signature");
        });
        assertThat(refused.get(0).detail).startsWith("signature missing");
        assertThat(refused.get(1).detail).startsWith("signature does not match");

        h.processElement(new StreamRecord<>(record(CHANGE, Signatures.sign(SECRET, value), "ops-1")));
        h.processElement(new StreamRecord<>(record(CHANGE.replace("chg-7", "chg-8"),
                Signatures.sign(SECRET, CHANGE.replace("chg-7", "chg-8").getBytes(StandardCharsets.UTF_8)), null)));
        List<ControlSignal> applied = h.extractOutputValues();
        assertThat(applied).extracting(s -> s.change.changeId).containsExactly("chg-7", "chg-8");
        assertThat(applied).extracting(s -> s.signedBy).containsExactly("ops-1", "");
        assertThat(RuleChangeAlerts.applied(applied.get(0).change, applied.get(0).signedBy).summary)
                .startsWith("Rule change chg-7 applied (signed with key ops-1): ");
        assertThat(RuleChangeAlerts.applied(applied.get(1).change, applied.get(1).signedBy).summary)
                .startsWith("Rule change chg-8 applied (signed): ");
        // a signed but invalid change is refused for what is wrong with it, as without a secret
        String bad = "{\"change_id\":\"bad\",\"timeout_burst\":{\"count\":1}}";
        h.processElement(new StreamRecord<>(record(bad, Signatures.sign(SECRET, bad.getBytes(StandardCharsets.UTF_8)), null)));
        assertThat(dead(h)).hasSize(4);
        assertThat(dead(h).get(3).field).isEqualTo("control");
    }

    @Test
    void aSignedChangeAppliesOnceAndItsReplayIsRefusedEvenAfterARestart() throws Exception {
        String signature = Signatures.sign(SECRET, CHANGE.getBytes(StandardCharsets.UTF_8));
        var h = harness(SECRET);
        h.processElement(new StreamRecord<>(record(CHANGE, signature, "ops-1")));
        // the same signed record again, as anyone who can write to the topic could copy it
        h.processElement(new StreamRecord<>(record(CHANGE, signature, "ops-1")));
        assertThat(h.extractOutputValues()).extracting(s -> s.change.changeId).containsExactly("chg-7");
        assertThat(dead(h)).singleElement().satisfies(d -> {
            assertThat(d.reason).isEqualTo("invalid_control");
            assertThat(d.field).isEqualTo("change_id");
            assertThat(d.detail).startsWith("change_id chg-7 was applied before");
        });
        var snapshot = h.snapshot(1, 1);
        h.close();

        // restarted from the checkpoint: the ids applied are in it
        ControlParseFunction f = new ControlParseFunction(RuleSettings.defaults()).withSecret(SECRET);
        var restarted = new OneInputStreamOperatorTestHarness<RawRecord, ControlSignal>(new ProcessOperator<>(f));
        restarted.initializeState(snapshot);
        restarted.open();
        restarted.processElement(new StreamRecord<>(record(CHANGE, signature, "ops-1")));
        String next = CHANGE.replace("chg-7", "chg-9");
        restarted.processElement(new StreamRecord<>(record(next,
                Signatures.sign(SECRET, next.getBytes(StandardCharsets.UTF_8)), "ops-1")));
        assertThat(restarted.extractOutputValues()).extracting(s -> s.change.changeId).containsExactly("chg-9");
        assertThat(dead(restarted)).singleElement().extracting(d -> d.field).isEqualTo("change_id");
        restarted.close();
    }

    @Test
    void withoutASecretEveryValidChangeAppliesAsInVersionOne() throws Exception {
        var h = harness(null);
        h.processElement(new StreamRecord<>(record(CHANGE, null, "ignored")));
        h.processElement(new StreamRecord<>(record(CHANGE, null, "ignored")));
        List<ControlSignal> applied = h.extractOutputValues();
        assertThat(applied).as("unsigned changes need no replay protection: anyone may send any").hasSize(2);
        assertThat(applied.get(0).signedBy).isNull();
        assertThat(RuleChangeAlerts.applied(applied.get(0).change, null).summary)
                .startsWith("Rule change chg-7 applied: ");
        assertThat(dead(h)).isEmpty();
    }
}
