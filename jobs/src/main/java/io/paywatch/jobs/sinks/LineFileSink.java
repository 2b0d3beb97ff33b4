package io.paywatch.jobs.sinks;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * Writes lines to one local file (alerts JSONL, metrics line protocol, dead letters). Run it at
 * parallelism 1. A fresh job truncates the file; a job restored from a checkpoint appends.
 * Lines are flushed to the file on every checkpoint and at the end of input.
 */
public class LineFileSink implements Sink<String> {
    private static final long serialVersionUID = 1L;

    private final String path;

    public LineFileSink(String path) {
        this.path = path;
    }

    @Override
    public SinkWriter<String> createWriter(WriterInitContext context) throws IOException {
        if (context.getTaskInfo().getIndexOfThisSubtask() > 0) {
            throw new IllegalStateException("LineFileSink must run at parallelism 1: " + path);
        }
        boolean restored = context.getRestoredCheckpointId().isPresent();
        return new Writer(Paths.get(path), restored);
    }

    static final class Writer implements SinkWriter<String> {
        private final BufferedWriter out;

        Writer(Path file, boolean append) throws IOException {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            out = new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(file,
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING),
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
        public void close() throws IOException {
            out.close();
        }
    }
}
