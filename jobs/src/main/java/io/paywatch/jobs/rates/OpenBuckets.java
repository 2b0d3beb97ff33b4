package io.paywatch.jobs.rates;

import io.paywatch.model.PaymentEvent;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * Payments counted per key and bucket on the heap until event time passes the bucket's end —
 * the mini-batch of Flink SQL's window aggregation, by bucket: a key's bucket then reaches
 * keyed state once (or once per checkpoint) instead of once per payment. Pure logic.
 */
public final class OpenBuckets {
    /** Receives a bucket handed over, with its end (exclusive, event time). */
    public interface Sink {
        void accept(String key, long end, FailureCounts counts) throws Exception;
    }

    private final TreeMap<Long, Map<String, FailureCounts>> byEnd = new TreeMap<>();
    /** The last bucket end used, and its keys: consecutive payments mostly share a bucket. */
    private long cachedEnd = Long.MIN_VALUE;
    private Map<String, FailureCounts> cached;

    /** Counts a payment in the key's bucket of {@code bucketMs}. */
    public void add(String key, long bucketMs, PaymentEvent e) {
        long start = Math.floorDiv(e.eventTime, bucketMs) * bucketMs;
        long end = start + bucketMs;
        Map<String, FailureCounts> keys;
        if (end == cachedEnd) {
            keys = cached;
        } else {
            keys = byEnd.computeIfAbsent(end, x -> new HashMap<>());
            cachedEnd = end;
            cached = keys;
        }
        FailureCounts c = keys.get(key);
        if (c == null) {
            c = new FailureCounts(start);
            keys.put(key, c);
        }
        c.add(e);
    }

    /** Hands over, oldest first, every bucket the watermark has closed (end − 1 ≤ watermark). */
    public void drainClosed(long watermark, Sink sink) throws Exception {
        drain(watermark == Long.MAX_VALUE ? Long.MAX_VALUE : watermark + 1, sink);
    }

    /** Hands over every bucket, closed or not (before a checkpoint: nothing stays on the heap). */
    public void drainAll(Sink sink) throws Exception {
        drain(Long.MAX_VALUE, sink);
    }

    private void drain(long endAtMost, Sink sink) throws Exception {
        Iterator<Map.Entry<Long, Map<String, FailureCounts>>> it = byEnd.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Long, Map<String, FailureCounts>> bucket = it.next();
            if (bucket.getKey() > endAtMost) {
                break;
            }
            it.remove();
            if (bucket.getKey() == cachedEnd) {
                cachedEnd = Long.MIN_VALUE;
                cached = null;
            }
            for (Map.Entry<String, FailureCounts> k : bucket.getValue().entrySet()) {
                sink.accept(k.getKey(), bucket.getKey(), k.getValue());
            }
        }
    }

    public boolean isEmpty() {
        return byEnd.isEmpty();
    }
}
