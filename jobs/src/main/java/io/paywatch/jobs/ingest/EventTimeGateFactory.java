package io.paywatch.jobs.ingest;

import io.paywatch.model.PaymentEvent;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.operators.coordination.OperatorCoordinator;
import org.apache.flink.runtime.operators.coordination.OperatorEventDispatcher;
import org.apache.flink.streaming.api.operators.CoordinatedOperatorFactory;
import org.apache.flink.streaming.api.operators.OneInputStreamOperatorFactory;
import org.apache.flink.streaming.api.operators.SimpleOperatorFactory;
import org.apache.flink.streaming.api.operators.StreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;

/**
 * Builds the {@link EventTimeGate} together with its {@link ReaderActivityCoordinator}, the way
 * Flink's own sources get their coordinator, and connects the two.
 */
public final class EventTimeGateFactory extends SimpleOperatorFactory<PaymentEvent>
        implements OneInputStreamOperatorFactory<ParsedRecord, PaymentEvent>,
                CoordinatedOperatorFactory<PaymentEvent> {
    private static final long serialVersionUID = 1L;

    public EventTimeGateFactory(EventTimeGate gate) {
        super(gate);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T extends StreamOperator<PaymentEvent>> T createStreamOperator(
            StreamOperatorParameters<PaymentEvent> parameters) {
        T operator = super.createStreamOperator(parameters);
        EventTimeGate gate = (EventTimeGate) operator;
        OperatorID id = parameters.getStreamConfig().getOperatorID();
        OperatorEventDispatcher dispatcher = parameters.getOperatorEventDispatcher();
        gate.connect(dispatcher.getOperatorEventGateway(id));
        dispatcher.registerEventHandler(id, gate);
        return operator;
    }

    @Override
    public OperatorCoordinator.Provider getCoordinatorProvider(String operatorName, OperatorID operatorId) {
        return new ReaderActivityCoordinator.Provider(operatorId);
    }
}
