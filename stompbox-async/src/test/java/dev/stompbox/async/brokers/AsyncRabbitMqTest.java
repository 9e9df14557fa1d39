package dev.stompbox.async.brokers;

import dev.stompbox.client.brokers.ExternalRabbitMq;
import dev.stompbox.client.brokers.TestBroker;
import org.junit.jupiter.api.Assumptions;

/** The contract on RabbitMQ (started by scripts/rabbitmq.sh), asynchronous client. */
class AsyncRabbitMqTest extends AsyncBrokerContract {
    @Override
    protected TestBroker startBroker() {
        if (!ExternalRabbitMq.reachable()) {
            if (ExternalRabbitMq.required()) {
                throw new AssertionError(ExternalRabbitMq.REQUIRE + "=1 but " + ExternalRabbitMq.HOW_TO_START);
            }
            Assumptions.abort(ExternalRabbitMq.HOW_TO_START);
        }
        return new ExternalRabbitMq();
    }
}
