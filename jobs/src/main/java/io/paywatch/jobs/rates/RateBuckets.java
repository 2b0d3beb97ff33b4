package io.paywatch.jobs.rates;

import io.paywatch.jobs.alerting.FailureRateAlerts;
import io.paywatch.model.PaymentEvent;
import io.paywatch.model.RuleSettings;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * In front of a {@link FailureRateFunction}, chained to dedup: counts each subtask's payments per
 * key and bucket on the heap ({@link OpenBuckets}) and sends a bucket on when the watermark
 * passes its end, stamped with its last millisecond — before the watermark itself, so the rate
 * function has every partial of a bucket before its evaluation timer fires. For the channel
 * rates this is the local half of a local-global aggregation: the exchange to the channel's
 * subtask carries one partial per channel and bucket instead of every payment. For the merchant
 * rates it is the mini-batch: one state access per merchant and bucket instead of per payment.
 *
 * <p>Nothing is kept across a checkpoint: before the barrier every open bucket is sent on
 * (stamped with its end, still ahead of the watermark) and a later partial of the same bucket
 * adds to it. So the operator has no state, and restores and rescales like a map.
 */
public class RateBuckets extends AbstractStreamOperator<RatePartial>
        implements OneInputStreamOperator<PaymentEvent, RatePartial> {
    private static final long serialVersionUID = 1L;

    private final String scope;
    private final RuleSettings rules;

    private transient OpenBuckets open;
    private transient String scopeKey;
    private transient boolean byMerchant;
    private transient StreamRecord<RatePartial> reuse;

    /** @param scope {@link RateSnapshot#MERCHANT} or {@link RateSnapshot#CHANNEL} */
    public RateBuckets(String scope, RuleSettings rules) {
        this.scope = scope;
        this.rules = rules;
    }

    @Override
    public void open() throws Exception {
        super.open();
        open = new OpenBuckets();
        scopeKey = FailureRateAlerts.scopeKey(scope);
        byMerchant = RateSnapshot.MERCHANT.equals(scope);
        reuse = new StreamRecord<>(null);
    }

    private String keyOf(PaymentEvent e) {
        return byMerchant ? e.merchantId : e.channel;
    }

    @Override
    public void processElement(StreamRecord<PaymentEvent> element) {
        PaymentEvent e = element.getValue();
        if (!e.isPayment()) {
            return;
        }
        String key = keyOf(e);
        // a key's bucket size is the rules file's (live changes cannot change it)
        open.add(key, rules.failureRateFor(scopeKey, key).everyMs, e);
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        open.drainClosed(mark.getTimestamp(), this::send);
        super.processWatermark(mark);
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        open.drainAll(this::send);
    }

    private void send(String key, long end, FailureCounts counts) {
        output.collect(reuse.replace(new RatePartial(key, counts), end - 1));
    }
}
