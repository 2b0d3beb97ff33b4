package io.paywatch.jobs.rates;

import java.util.ArrayList;
import java.util.Map;
import java.util.TreeMap;

/**
 * The evaluations one rate subtask has scheduled, by time. Its keys' evaluations fall on few
 * instants (the bucket ends), so a list of keys per instant replaces Flink's timer queue, whose
 * every registration and firing hashed the (key, time) pair and sifted a heap of one timer per
 * key: about a quarter of the merchant-rate thread (docs/performance.md).
 *
 * <p>Not state: the operator rebuilds it from its keys' state after a restore
 * ({@link RateEvaluationOperator}). A key may be listed twice, or at a time it no longer waits
 * for (an earlier evaluation was scheduled after it); the evaluation skips those, as it skipped
 * a timer its chain had moved past.
 *
 * @param <K> the key
 */
final class EvaluationCalendar<K> {
    /** What is due at an instant. */
    @FunctionalInterface
    interface Due<K, E extends Exception> {
        void run(long time, K key) throws E;
    }

    private final TreeMap<Long, ArrayList<K>> byTime = new TreeMap<>();
    /** The list last added to: most additions go to the same instant (the next bucket end). */
    private ArrayList<K> lastList;
    private long lastTime;
    private int size;

    /** Lists {@code key} as due when event time reaches {@code time} (a timer's timestamp). */
    void schedule(long time, K key) {
        if (lastList == null || time != lastTime) {
            lastList = byTime.computeIfAbsent(time, t -> new ArrayList<>());
            lastTime = time;
        }
        lastList.add(key);
        size++;
    }

    /**
     * Runs, in time order, every key listed at a time up to {@code watermark}, including those
     * listed while this runs (a key's next evaluation).
     */
    <E extends Exception> void runUpTo(long watermark, Due<K, E> due) throws E {
        for (Map.Entry<Long, ArrayList<K>> first = byTime.firstEntry();
                first != null && first.getKey() <= watermark; first = byTime.firstEntry()) {
            byTime.pollFirstEntry();
            ArrayList<K> keys = first.getValue();
            if (keys == lastList) {
                lastList = null;
            }
            size -= keys.size();
            long time = first.getKey();
            for (int i = 0; i < keys.size(); i++) {
                due.run(time, keys.get(i));
            }
        }
    }

    /** How many listings wait (with repeats and stale ones). */
    int size() {
        return size;
    }
}
