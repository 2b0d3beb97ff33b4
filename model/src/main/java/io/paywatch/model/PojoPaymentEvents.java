package io.paywatch.model;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.BasicTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.EnumTypeInfo;
import org.apache.flink.api.java.typeutils.PojoField;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;

/**
 * Flink's POJO serializer for {@link PaymentEvent}, as it was before the event had its own: what
 * checkpoints of older builds hold, for the migration test and the benchmark's comparison. Built
 * by hand, since {@code TypeInformation.of} now answers with the event's own type information.
 */
public final class PojoPaymentEvents {
    private PojoPaymentEvents() {}

    public static TypeSerializer<PaymentEvent> serializer() {
        List<PojoField> fields = new ArrayList<>();
        for (Field f : PaymentEvent.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers())) {
                continue;
            }
            fields.add(new PojoField(f, typeOf(f.getType())));
        }
        return new PojoTypeInfo<>(PaymentEvent.class, fields).createSerializer(new SerializerConfigImpl());
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static TypeInformation<?> typeOf(Class<?> c) {
        if (c == String.class) {
            return BasicTypeInfo.STRING_TYPE_INFO;
        }
        if (c == long.class || c == Long.class) {
            return BasicTypeInfo.LONG_TYPE_INFO;
        }
        if (c == boolean.class) {
            return BasicTypeInfo.BOOLEAN_TYPE_INFO;
        }
        if (c.isEnum()) {
            return new EnumTypeInfo(c);
        }
        throw new IllegalArgumentException("PaymentEvent field of type " + c);
    }
}
