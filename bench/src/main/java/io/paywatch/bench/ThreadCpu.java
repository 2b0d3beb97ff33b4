package io.paywatch.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a run's CPU went, by thread: the tasks of the job (named by their first operator, subtasks
 * together), the checkpoints' asynchronous part, the other Java threads, and what no Java thread
 * accounts for (the JIT compilers, the garbage collector, the JVM). It answers what the scaling
 * ratio needs to know: how many threads parallelism 1 already keeps busy.
 *
 * <p>Task threads end with their job, and a thread's CPU time cannot be read once it has ended, so
 * the {@link PayWatchBench.Sampler} reads every thread at each of its ticks (50 ms): what a task
 * spends after its last tick is counted with the JVM's rest.
 */
final class ThreadCpu {
    /** A Flink task thread's name: its chain of operators, then {@code (subtask/parallelism)#attempt}. */
    private static final Pattern TASK = Pattern.compile("(.*?) \\(\\d+/\\d+\\)(#\\d+)?");
    static final String CHECKPOINTS = "checkpoints' asynchronous part";
    static final String OTHER_THREADS = "other Java threads";
    static final String REST = "JIT compilers, GC and the JVM";

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final Map<Long, String> groups = new HashMap<>();
    /** Per thread: its CPU time when the run started (0 for a thread started later), and when last read. */
    private final Map<Long, long[]> cpu = new HashMap<>();

    ThreadCpu() {
        read(true);
    }

    /** Reads every live thread's CPU time. */
    synchronized void sample() {
        read(false);
    }

    private void read(boolean atStart) {
        for (long id : threads.getAllThreadIds()) {
            long nanos = threads.getThreadCpuTime(id);
            if (nanos < 0) {
                continue; // ended meanwhile, or CPU time not measured here
            }
            long[] seen = cpu.get(id);
            if (seen == null) {
                ThreadInfo info = threads.getThreadInfo(id);
                if (info == null) {
                    continue;
                }
                groups.put(id, group(info.getThreadName()));
                cpu.put(id, new long[] {atStart ? nanos : 0, nanos});
            } else {
                seen[1] = nanos;
            }
        }
    }

    /**
     * Each group's share of the process's CPU time over the run, largest first, with the rest (what
     * no Java thread accounts for) as {@link #REST}.
     */
    synchronized Map<String, Double> shares(long processCpuNanos) {
        Map<String, Long> byGroup = new HashMap<>();
        long threadsTotal = 0;
        for (Map.Entry<Long, long[]> e : cpu.entrySet()) {
            long used = e.getValue()[1] - e.getValue()[0];
            byGroup.merge(groups.get(e.getKey()), used, Long::sum);
            threadsTotal += used;
        }
        byGroup.put(REST, Math.max(0, processCpuNanos - threadsTotal));
        double total = Math.max(processCpuNanos, threadsTotal);
        Map<String, Double> shares = new LinkedHashMap<>();
        byGroup.entrySet().stream()
                .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
                .forEach(e -> shares.put(e.getKey(), total > 0 ? e.getValue() / total : 0));
        return shares;
    }

    /** The group a thread's CPU counts to, by its name. */
    static String group(String threadName) {
        Matcher task = TASK.matcher(threadName);
        if (task.matches()) {
            String chain = task.group(1);
            int arrow = chain.indexOf(" -> ");
            return "task " + (arrow < 0 ? chain : chain.substring(0, arrow));
        }
        return threadName.startsWith("AsyncOperations-thread-") ? CHECKPOINTS : OTHER_THREADS;
    }

    /** The groups above {@code minimum} of the whole, in cores of {@code busyCores}, for one line. */
    static String describe(Map<String, Double> shares, double busyCores, double minimum) {
        StringBuilder line = new StringBuilder();
        double below = 0;
        for (Map.Entry<String, Double> e : shares.entrySet()) {
            if (e.getValue() < minimum) {
                below += e.getValue();
                continue;
            }
            line.append(line.length() == 0 ? "" : ", ")
                    .append(String.format(Locale.ROOT, "%s %.2f", e.getKey(), e.getValue() * busyCores));
        }
        if (below > 0) {
            line.append(String.format(Locale.ROOT, ", the rest %.2f", below * busyCores));
        }
        return line.toString();
    }
}
