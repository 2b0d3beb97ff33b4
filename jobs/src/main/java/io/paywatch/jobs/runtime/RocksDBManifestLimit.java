package io.paywatch.jobs.runtime;

import java.util.Collection;
import org.apache.flink.state.rocksdb.RocksDBOptionsFactory;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;

/**
 * Bounds RocksDB's MANIFEST, so that it no longer grows with the length of the run. RocksDB
 * appends a record to its MANIFEST at every flush and compaction, and starts a new one only past
 * {@code max_manifest_file_size}, 1 GB by default; an incremental checkpoint uploads the whole
 * MANIFEST of every RocksDB instance (one per stateful operator and subtask), and each checkpoint
 * flushes. Past the limit RocksDB writes a fresh MANIFEST of the live files and deletes the old
 * one. A large state's fresh MANIFEST (~150 bytes per SST file) can exceed the limit and is then
 * rewritten at each flush: a small write next to the flush itself. Measurements:
 * docs/performance.md.
 */
public final class RocksDBManifestLimit implements RocksDBOptionsFactory {
    private static final long serialVersionUID = 1L;

    static final long MAX_MANIFEST_BYTES = 64 * 1024;

    @Override
    public DBOptions createDBOptions(DBOptions currentOptions, Collection<AutoCloseable> handlesToClose) {
        return currentOptions.setMaxManifestFileSize(MAX_MANIFEST_BYTES);
    }

    @Override
    public ColumnFamilyOptions createColumnOptions(ColumnFamilyOptions currentOptions,
            Collection<AutoCloseable> handlesToClose) {
        return currentOptions;
    }
}
