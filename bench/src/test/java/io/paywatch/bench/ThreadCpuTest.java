package io.paywatch.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ThreadCpuTest {

    @Test
    void aTasksSubtasksCountTogetherUnderTheChainsFirstOperator() {
        assertThat(ThreadCpu.group("dedup by event_id -> (payments -> (buckets per merchant, buckets per channel)) (1/2)#0"))
                .isEqualTo("task dedup by event_id");
        assertThat(ThreadCpu.group("dedup by event_id -> (payments -> (buckets per merchant, buckets per channel)) (2/2)#3"))
                .isEqualTo("task dedup by event_id");
        assertThat(ThreadCpu.group("timeout_burst pattern (1/1)#0")).isEqualTo("task timeout_burst pattern");
        assertThat(ThreadCpu.group("AsyncOperations-thread-4")).isEqualTo(ThreadCpu.CHECKPOINTS);
        // a name with a parenthesis of its own is not a task's
        assertThat(ThreadCpu.group("OutputFlusher for dedup by event_id -> (payments)")).isEqualTo(ThreadCpu.OTHER_THREADS);
        assertThat(ThreadCpu.group("main")).isEqualTo(ThreadCpu.OTHER_THREADS);
    }

    @Test
    void aThreadThatRanAndEndedBetweenTwoReadsKeepsWhatItUsedTillTheLastRead() throws Exception {
        ThreadCpu cpu = new ThreadCpu();
        java.util.concurrent.CountDownLatch read = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch burnt = new java.util.concurrent.CountDownLatch(1);
        long[] sink = new long[1];
        Thread task = new Thread(() -> {
            long x = 1;
            java.lang.management.ThreadMXBean own = java.lang.management.ManagementFactory.getThreadMXBean();
            while (own.getCurrentThreadCpuTime() < 50_000_000L) { // 50 ms of its own CPU
                x = x * 6364136223846793005L + 1442695040888963407L;
            }
            sink[0] = x;
            burnt.countDown();
            try {
                read.await(); // stays alive until read, as a task does until the sampler's tick
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "risk_block pattern (1/1)#0");
        task.start();
        burnt.await();
        cpu.sample();
        read.countDown();
        task.join();
        cpu.sample(); // it has ended: what was read stays

        long process = 10_000_000_000L; // more than any thread here used meanwhile
        Map<String, Double> shares = cpu.shares(process);
        assertThat(shares.get("task risk_block pattern") * process).as("its CPU, ns").isGreaterThanOrEqualTo(50_000_000.0);
        assertThat(shares.values().stream().mapToDouble(Double::doubleValue).sum()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(shares).containsKey(ThreadCpu.REST);
        assertThat(shares.keySet().iterator().next()).as("largest first: what no thread used of the 10 s").isEqualTo(ThreadCpu.REST);
    }

    @Test
    void theLineGivesEachGroupInCoresAndSumsTheSmallOnes() {
        Map<String, Double> shares = new LinkedHashMap<>();
        shares.put("task dedup by event_id", 0.5);
        shares.put("task Source: pre-serialised events", 0.3);
        shares.put(ThreadCpu.REST, 0.19);
        shares.put("task risk_block pattern", 0.005);
        shares.put(ThreadCpu.OTHER_THREADS, 0.005);
        assertThat(ThreadCpu.describe(shares, 2.0, 0.02)).isEqualTo("task dedup by event_id 1.00,"
                + " task Source: pre-serialised events 0.60, JIT compilers, GC and the JVM 0.38, the rest 0.02");
    }
}
