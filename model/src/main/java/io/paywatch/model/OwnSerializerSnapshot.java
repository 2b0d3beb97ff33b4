package io.paywatch.model;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.java.typeutils.runtime.PojoSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The checkpointed snapshot of one of PayWatch's own serializers, which have no configuration
 * beyond their version (1). State that an older build wrote with Flink's POJO serializer for the
 * same class restores: the snapshot declares it compatible after migration, so Flink reads it
 * with the POJO serializer and writes it with the new one. Each serializer names a subclass with
 * a public no-argument constructor (Flink instantiates it on restore).
 */
public abstract class OwnSerializerSnapshot<T> implements TypeSerializerSnapshot<T> {
    private static final int VERSION = 1;

    private final TypeSerializer<T> serializer;
    private final Class<T> type;

    protected OwnSerializerSnapshot(TypeSerializer<T> serializer, Class<T> type) {
        this.serializer = serializer;
        this.type = type;
    }

    @Override
    public int getCurrentVersion() {
        return VERSION;
    }

    @Override
    public void writeSnapshot(DataOutputView out) {}

    @Override
    public void readSnapshot(int readVersion, DataInputView in, ClassLoader classLoader) throws IOException {
        if (readVersion != VERSION) {
            throw new IOException(serializer.getClass().getSimpleName() + ": unknown snapshot version " + readVersion);
        }
    }

    @Override
    public TypeSerializer<T> restoreSerializer() {
        return serializer;
    }

    @Override
    public TypeSerializerSchemaCompatibility<T> resolveSchemaCompatibility(TypeSerializerSnapshot<T> old) {
        if (old.getClass() == getClass()) {
            return TypeSerializerSchemaCompatibility.compatibleAsIs();
        }
        // state written before this serializer existed: read it with the POJO serializer
        if (old instanceof PojoSerializerSnapshot && type.isInstance(old.restoreSerializer().createInstance())) {
            return TypeSerializerSchemaCompatibility.compatibleAfterMigration();
        }
        return TypeSerializerSchemaCompatibility.incompatible();
    }
}
