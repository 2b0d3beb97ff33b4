package io.paywatch.jobs.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.ArrayResultIterator;
import org.apache.flink.connector.file.src.util.CheckpointedPosition;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FileSystem;

/**
 * Reads JSONL and JSONL.gz replay files for the {@code FileSource}: one {@link RawRecord} per
 * non-blank line, tagged {@code file:line} for dead letters. Files are not split (a gzip
 * stream cannot be), and the position is the number of lines read, so a restored reader skips
 * exactly what was already emitted.
 */
public class JsonLinesFormat implements BulkFormat<RawRecord, FileSourceSplit> {
    private static final long serialVersionUID = 1L;
    private static final int BATCH = 512;

    private final int maxLineBytes;

    public JsonLinesFormat(int maxLineBytes) {
        this.maxLineBytes = maxLineBytes;
    }

    @Override
    public Reader<RawRecord> createReader(Configuration config, FileSourceSplit split)
            throws IOException {
        return new LinesReader(split, 0, maxLineBytes);
    }

    @Override
    public Reader<RawRecord> restoreReader(Configuration config, FileSourceSplit split)
            throws IOException {
        long skip = split.getReaderPosition().map(CheckpointedPosition::getRecordsAfterOffset)
                .orElse(0L);
        return new LinesReader(split, skip, maxLineBytes);
    }

    @Override
    public boolean isSplittable() {
        return false;
    }

    @Override
    public TypeInformation<RawRecord> getProducedType() {
        return TypeInformation.of(RawRecord.class);
    }

    private static final class LinesReader implements BulkFormat.Reader<RawRecord> {
        private final InputStream stream;
        private final BoundedLineReader lines;
        private final String name;
        private long lineNo;
        private long emitted;

        LinesReader(FileSourceSplit split, long skipRecords, int maxLineBytes) throws IOException {
            FileSystem fs = split.path().getFileSystem();
            FSDataInputStream raw = fs.open(split.path());
            this.name = split.path().getName();
            this.stream = name.endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw;
            this.lines = new BoundedLineReader(stream, maxLineBytes);
            while (emitted < skipRecords && nextRecord() != null) {
                // skip what the checkpoint says was emitted already
            }
        }

        private RawRecord nextRecord() throws IOException {
            while (true) {
                BoundedLineReader.Line line = lines.next();
                if (line == null) {
                    return null;
                }
                lineNo++;
                if (line.truncatedFrom == 0 && BoundedLineReader.isBlank(line.bytes)) {
                    continue;
                }
                RawRecord r = RawRecord.ofBytes(line.bytes, name + ":" + lineNo, 0);
                r.truncatedFrom = line.truncatedFrom;
                emitted++;
                return r;
            }
        }

        @Override
        public RecordIterator<RawRecord> readBatch() throws IOException {
            RawRecord[] batch = new RawRecord[BATCH];
            long firstSkip = emitted;
            int n = 0;
            while (n < BATCH) {
                RawRecord r = nextRecord();
                if (r == null) {
                    break;
                }
                batch[n++] = r;
            }
            if (n == 0) {
                return null;
            }
            ArrayResultIterator<RawRecord> it = new ArrayResultIterator<>();
            it.set(batch, n, CheckpointedPosition.NO_OFFSET, firstSkip);
            return it;
        }

        @Override
        public void close() throws IOException {
            stream.close();
        }
    }
}
