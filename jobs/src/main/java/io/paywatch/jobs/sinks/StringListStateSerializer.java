package io.paywatch.jobs.sinks;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/** Writer state of PayWatch's sinks (InfluxDB points, Alertmanager alerts): strings, length-prefixed UTF-8. */
public final class StringListStateSerializer implements SimpleVersionedSerializer<List<String>> {
    @Override
    public int getVersion() {
        return 1;
    }

    @Override
    public byte[] serialize(List<String> lines) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(lines.size());
            for (String l : lines) {
                byte[] b = l.getBytes(StandardCharsets.UTF_8);
                out.writeInt(b.length);
                out.write(b);
            }
        }
        return bytes.toByteArray();
    }

    @Override
    public List<String> deserialize(int version, byte[] serialized) throws IOException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
            int n = in.readInt();
            List<String> lines = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                byte[] b = new byte[in.readInt()];
                in.readFully(b);
                lines.add(new String(b, StandardCharsets.UTF_8));
            }
            return lines;
        }
    }
}
