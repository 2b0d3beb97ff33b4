package io.paywatch.jobs.runtime;

import java.util.Map;

/**
 * The state backend settings of every PayWatch job, in one place so that the benchmark measures
 * exactly what {@code ./paywatch run} runs.
 */
public final class StateBackendSettings {
    private StateBackendSettings() {}

    /** Puts the settings for {@code state} ({@code heap} or {@code rocksdb}) into a Flink configuration map. */
    public static void put(Map<String, String> c, String state) {
        c.put("state.backend.type", state.equals("rocksdb") ? "rocksdb" : "hashmap");
        // timers on the heap (still checkpointed): dedup registers one per event, and a RocksDB
        // write per timer dominated the RocksDB profile
        c.put("state.backend.rocksdb.timer-service.factory", "HEAP");
        // each incremental checkpoint uploads RocksDB's MANIFEST, which grows with the run unless bounded
        c.put("state.backend.rocksdb.options-factory", RocksDBManifestLimit.class.getName());
    }
}
