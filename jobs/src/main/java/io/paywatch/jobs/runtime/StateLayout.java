package io.paywatch.jobs.runtime;

import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateChangelogOptions;

/**
 * How an operator keeps a key's many small items (dedup's event ids, a screen's payments): the
 * best layout depends on the state backend. The heap backend holds objects, so one table per key
 * costs no node, boxed value or state lookup per item; RocksDB (and the changelog) serialise what
 * is read and written, so there each item is its own state entry and an event touches only its
 * own. Every operator that has both layouts restores from a checkpoint of either.
 */
public enum StateLayout {
    /** One table value per key: for the heap backend. */
    TABLE,
    /** One state entry per item: for RocksDB (and the changelog), which write what changes. */
    MAP;

    /**
     * The layout for a job's configuration: {@link #TABLE} on the heap backend without the
     * changelog (which would log the whole table at every event), else {@link #MAP}.
     */
    public static StateLayout forState(ReadableConfig conf) {
        boolean heap = "hashmap".equalsIgnoreCase(conf.get(StateBackendOptions.STATE_BACKEND));
        return heap && !conf.get(StateChangelogOptions.ENABLE_STATE_CHANGE_LOG) ? TABLE : MAP;
    }
}
