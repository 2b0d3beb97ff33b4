package io.paywatch.model;

import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * Flink's type information for {@link PaymentEvent} ({@code @TypeInfo} on the class): wherever
 * Flink meets the type — {@code TypeInformation.of(PaymentEvent.class)}, a lambda's result, a
 * state descriptor — it uses {@link PaymentEventSerializer}. An opaque type for Flink's
 * planner: events are keyed by key selectors, never by field expressions.
 */
public final class PaymentEventTypeInfo extends TypeInformation<PaymentEvent> {
    private static final long serialVersionUID = 1L;
    public static final PaymentEventTypeInfo INSTANCE = new PaymentEventTypeInfo();

    /** Named on {@link PaymentEvent}'s {@code @TypeInfo}. */
    public static final class Factory extends TypeInfoFactory<PaymentEvent> {
        @Override
        public TypeInformation<PaymentEvent> createTypeInfo(Type t, Map<String, TypeInformation<?>> generics) {
            return INSTANCE;
        }
    }

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<PaymentEvent> getTypeClass() {
        return PaymentEvent.class;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<PaymentEvent> createSerializer(SerializerConfig config) {
        return PaymentEventSerializer.INSTANCE;
    }

    @Override
    public String toString() {
        return "PaymentEvent";
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof PaymentEventTypeInfo;
    }

    @Override
    public int hashCode() {
        return PaymentEventTypeInfo.class.hashCode();
    }

    @Override
    public boolean canEqual(Object obj) {
        return obj instanceof PaymentEventTypeInfo;
    }
}
