package io.paywatch.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.dag.Transformation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No Kryo on the per-event path: every record type that crosses an operator per event (raw
 * records, events, input outcomes, dead letters, rate snapshots, pattern signals…) has a
 * serializer of its own or a POJO serializer whose every field is Flink's, in the job
 * {@code replay} really builds. Alerts, which are few, are allowed a generic field. Each
 * transformation's type is given a serializer configuration with generic types disabled (what
 * {@code pipeline.generic-types: false} does): one that would need Kryo anywhere inside is refused.
 */
class EventPathSerializersTest {
    /** Record types that are not per event: a few per incident or per rule change. */
    private static final Set<String> FEW = Set.of("Alert", "ControlSignal", "EndOfInput");

    @TempDir
    Path dir;

    @Test
    void everyPerEventExchangeIsSerializedWithoutKryo() throws Exception {
        Path input = dir.resolve("in.jsonl");
        Files.writeString(input, io.paywatch.jobs.testing.Events.cardPaymentLine(io.paywatch.jobs.testing.Events.T0,
                "1", "m-1", false) + "\n");
        JobCommand command = new JobCommand("replay", new String[] {"replay", "--input", input.toString(),
                "--alerts-out", dir.resolve("a.jsonl").toString(), "--metrics-out", dir.resolve("m.lp").toString(),
                "--dead-letter-out", dir.resolve("d.jsonl").toString(), "--quiet"},
                new PrintStream(OutputStream.nullOutputStream()));
        // what pipeline.generic-types: false does, applied to each transformation of the job
        org.apache.flink.api.common.serialization.SerializerConfigImpl noKryo =
                new org.apache.flink.api.common.serialization.SerializerConfigImpl();
        noKryo.setGenericTypes(false);
        List<String> kryo = new ArrayList<>();
        Set<Integer> seen = new java.util.HashSet<>();
        java.util.Deque<Transformation<?>> todo = new java.util.ArrayDeque<>(command.prepare().env.getTransformations());
        int checked = 0;
        while (!todo.isEmpty()) {
            Transformation<?> t = todo.pop();
            if (!seen.add(t.getId())) {
                continue;
            }
            todo.addAll(t.getInputs());
            TypeInformation<?> type = t.getOutputType();
            if (FEW.contains(type.getTypeClass().getSimpleName())) {
                continue;
            }
            checked++;
            try {
                type.createSerializer(noKryo);
            } catch (UnsupportedOperationException generic) {
                kryo.add(t.getName() + " (" + type + ")");
            }
        }
        assertThat(checked).as("transformations checked").isGreaterThan(20);
        assertThat(kryo).as("operators whose records would go through Kryo").isEmpty();
        // the check can fail: a type with a field Flink cannot serialize itself is refused
        assertThatThrownBy(() -> TypeInformation.of(WithAGenericField.class).createSerializer(noKryo))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    /** A POJO whose field only Kryo can serialize. */
    public static class WithAGenericField {
        public java.util.TreeMap<String, Long> counts = new java.util.TreeMap<>();
    }
}
