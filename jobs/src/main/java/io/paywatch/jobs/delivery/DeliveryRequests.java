package io.paywatch.jobs.delivery;

import io.paywatch.model.Alert;
import java.util.List;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

/** Each alert transition, once per receiver, in that receiver's format. */
public class DeliveryRequests implements FlatMapFunction<Alert, DeliveryRequest> {
    private static final long serialVersionUID = 1L;

    private final List<WebhookTarget> targets;

    public DeliveryRequests(List<WebhookTarget> targets) {
        this.targets = targets;
    }

    @Override
    public void flatMap(Alert a, Collector<DeliveryRequest> out) {
        toRequests(a).forEach(out::collect);
    }

    public List<DeliveryRequest> toRequests(Alert a) {
        List<DeliveryRequest> out = new java.util.ArrayList<>(targets.size());
        for (int i = 0; i < targets.size(); i++) {
            DeliveryRequest r = new DeliveryRequest();
            r.target = i;
            r.alertId = a.alertId;
            r.status = a.status;
            r.transitionAt = a.transitionTime();
            r.body = targets.get(i).format.body(a);
            out.add(r);
        }
        return out;
    }
}
