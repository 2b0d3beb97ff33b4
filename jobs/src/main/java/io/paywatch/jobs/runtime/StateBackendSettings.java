package io.paywatch.jobs.runtime;

import java.util.Map;
import org.apache.flink.configuration.MemorySize;

/**
 * The state backend settings of every PayWatch job, in one place so that the benchmark measures
 * exactly what {@code ./paywatch run} runs.
 */
public final class StateBackendSettings {
    /**
     * RocksDB's native memory per parallel slot of an embedded Flink, unless given. Flink's local
     * default is 128 MB for the whole TaskManager, whatever the parallelism: at parallelism 2 it
     * left a slot's RocksDB instances 32 MB of write buffers between them, and {@code pipeline_rocksdb}
     * ran 1.3–1.5× faster with 256 MB per slot (over 1 M events with checkpoints, the same speed:
     * docs/performance.md, 2026-12-06, third session).
     */
    public static final MemorySize ROCKSDB_MEMORY_PER_SLOT = MemorySize.parse("256m");
    /** Less than this is refused: the write buffers of a slot's dozen RocksDB instances need it. */
    public static final MemorySize ROCKSDB_MEMORY_MIN = MemorySize.parse("64m");

    private StateBackendSettings() {}

    /**
     * Puts the settings for {@code state} ({@code heap} or {@code rocksdb}) into a Flink
     * configuration map, with RocksDB's memory (write buffers and block cache, shared by the
     * operators of a slot: Flink's managed memory) sized for an embedded Flink ({@code run},
     * {@code replay}, {@code demo}, the benchmark). A cluster's TaskManagers size theirs in the
     * cluster's configuration, where that key of a job's configuration does nothing. The heap
     * backend uses no managed memory.
     *
     * @param rocksdbMemory the whole TaskManager's, or null for the default ({@link #defaultEmbeddedStateMemory})
     */
    public static void put(Map<String, String> c, String state, int parallelism, MemorySize rocksdbMemory) {
        c.put("state.backend.type", state.equals("rocksdb") ? "rocksdb" : "hashmap");
        // timers on the heap (still checkpointed): dedup registers one per event, and a RocksDB
        // write per timer dominated the RocksDB profile
        c.put("state.backend.rocksdb.timer-service.factory", "HEAP");
        // each incremental checkpoint uploads RocksDB's MANIFEST, which grows with the run unless bounded
        c.put("state.backend.rocksdb.options-factory", RocksDBManifestLimit.class.getName());
        if (state.equals("rocksdb")) {
            MemorySize size = rocksdbMemory != null ? rocksdbMemory
                    : defaultEmbeddedStateMemory(parallelism, physicalMemoryBytes());
            c.put("taskmanager.memory.managed.size", size.toString());
        }
    }

    /**
     * {@link #ROCKSDB_MEMORY_PER_SLOT} per slot, but no more than a quarter of the machine's memory
     * (many cores and little memory, as in a container) and no less than {@link #ROCKSDB_MEMORY_MIN}.
     */
    static MemorySize defaultEmbeddedStateMemory(int parallelism, long physicalBytes) {
        long perSlots = ROCKSDB_MEMORY_PER_SLOT.getBytes() * Math.max(1, parallelism);
        long bytes = physicalBytes > 0 ? Math.min(perSlots, physicalBytes / 4) : perSlots;
        return new MemorySize(Math.max(bytes, ROCKSDB_MEMORY_MIN.getBytes()));
    }

    /** The memory of the machine, or of the container the JVM runs in; 0 when unknown. */
    private static long physicalMemoryBytes() {
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean
                ? ((com.sun.management.OperatingSystemMXBean) os).getTotalMemorySize() : 0;
    }
}
