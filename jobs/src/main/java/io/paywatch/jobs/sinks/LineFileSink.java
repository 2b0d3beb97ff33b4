package io.paywatch.jobs.sinks;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.List;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Writes lines to one local file (alerts JSONL, metrics line protocol, dead letters). Run it at
 * parallelism 1. A fresh job truncates the file. Lines are flushed on every checkpoint, whose
 * state is the file's length then; a job restored from a checkpoint cuts the file back to that
 * length before it appends, so the lines written after the checkpoint, which the restored job
 * writes again, are not there twice: the file is exactly-once across a crash.
 */
public class LineFileSink implements Sink<String>, SupportsWriterState<String, Long> {
    private static final long serialVersionUID = 1L;

    private final String path;

    public LineFileSink(String path) {
        this.path = path;
    }

    @Override
    public Writer createWriter(WriterInitContext context) throws IOException {
        checkParallelism(context);
        return new Writer(Paths.get(path), -1);
    }

    @Override
    public Writer restoreWriter(WriterInitContext context, Collection<Long> recoveredState) throws IOException {
        checkParallelism(context);
        long length = recoveredState.isEmpty() ? -1 : recoveredState.iterator().next();
        return new Writer(Paths.get(path), length);
    }

    private void checkParallelism(WriterInitContext context) {
        if (context.getTaskInfo().getIndexOfThisSubtask() > 0) {
            throw new IllegalStateException("LineFileSink must run at parallelism 1: " + path);
        }
    }

    @Override
    public SimpleVersionedSerializer<Long> getWriterStateSerializer() {
        return new LengthSerializer();
    }

    static final class LengthSerializer implements SimpleVersionedSerializer<Long> {
        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(Long length) {
            return ByteBuffer.allocate(8).putLong(length).array();
        }

        @Override
        public Long deserialize(int version, byte[] bytes) {
            return ByteBuffer.wrap(bytes).getLong();
        }
    }

    static final class Writer implements StatefulSinkWriter<String, Long> {
        private final Path file;
        private final BufferedWriter out;

        /** @param checkpointedLength the file's length at the restored checkpoint, or -1 (fresh) */
        Writer(Path file, long checkpointedLength) throws IOException {
            this.file = file;
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            if (checkpointedLength >= 0 && Files.exists(file) && Files.size(file) > checkpointedLength) {
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    ch.truncate(checkpointedLength);
                }
            }
            out = new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(file,
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    checkpointedLength >= 0 ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING),
                    StandardCharsets.UTF_8), 1 << 16);
        }

        @Override
        public void write(String line, Context context) throws IOException {
            out.write(line);
            out.write('\n');
        }

        @Override
        public void flush(boolean endOfInput) throws IOException {
            out.flush();
        }

        @Override
        public List<Long> snapshotState(long checkpointId) throws IOException {
            out.flush();
            return List.of(Files.size(file));
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }
}
