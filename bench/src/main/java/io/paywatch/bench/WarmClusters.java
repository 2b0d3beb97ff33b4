package io.paywatch.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.runtime.minicluster.RpcServiceSharing;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The embedded Flink clusters the measured jobs run on: one per cluster-level setting (slots,
 * RocksDB's managed memory), started for the first job that needs it and kept for the next ones,
 * as a job meets a cluster that has been up for weeks.
 *
 * <p>A local environment starts a new cluster for every job, and each cluster start loads Flink's
 * RPC system (Pekko, Scala, Typesafe config) again, from a fresh copy of its jar in a class loader
 * of its own: the JIT compiles all of it again, during the measured run. With two cores that was
 * a fifth to two fifths of a core for the C2 compiler through every run of every job
 * (docs/performance.md), a fixed cost that weighed most on the fastest jobs. The job's own
 * settings (state backend, checkpoints and their directory, parallelism) travel in its job graph,
 * as with a job submitted to a standalone cluster.
 */
final class WarmClusters implements AutoCloseable {
    private final Map<String, MiniCluster> clusters = new LinkedHashMap<>();

    /**
     * Runs the job built on {@code env} to its end on the cluster for {@code configuration} (the
     * one {@code env} was made with), starting that cluster first if it is the first such job.
     */
    JobExecutionResult execute(StreamExecutionEnvironment env, Configuration configuration) throws Exception {
        JobGraph job = env.getStreamGraph().getJobGraph();
        return cluster(configuration).executeJobBlocking(job);
    }

    private MiniCluster cluster(Configuration configuration) throws Exception {
        int parallelism = configuration.get(CoreOptions.DEFAULT_PARALLELISM);
        String key = parallelism + " slots, managed memory "
                + configuration.get(TaskManagerOptions.MANAGED_MEMORY_SIZE, null);
        MiniCluster cluster = clusters.get(key);
        if (cluster == null) {
            // as a local environment configures the cluster it starts for one job
            Configuration c = new Configuration(configuration);
            if (!c.contains(RestOptions.BIND_PORT)) {
                c.set(RestOptions.BIND_PORT, "0");
            }
            cluster = new MiniCluster(new MiniClusterConfiguration.Builder()
                    .setConfiguration(c)
                    .setNumTaskManagers(1)
                    .setNumSlotsPerTaskManager(parallelism)
                    .setRpcServiceSharing(RpcServiceSharing.SHARED)
                    .build());
            cluster.start();
            clusters.put(key, cluster);
        }
        return cluster;
    }

    @Override
    public void close() throws Exception {
        Exception failed = null;
        for (MiniCluster c : clusters.values()) {
            try {
                c.close();
            } catch (Exception e) {
                failed = e;
            }
        }
        clusters.clear();
        if (failed != null) {
            throw failed;
        }
    }
}
