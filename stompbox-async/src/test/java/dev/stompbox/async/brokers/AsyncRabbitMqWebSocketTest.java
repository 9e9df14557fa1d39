package dev.stompbox.async.brokers;

import dev.stompbox.client.brokers.ExternalRabbitMq;
import dev.stompbox.client.brokers.TestBroker;
import dev.stompbox.client.brokers.WebSocketBroker;
import org.junit.jupiter.api.Assumptions;

/**
 * The contract over RabbitMQ Web-STOMP. The project script sets {@code web_stomp.ws_frame = binary}:
 * in TEXT frames a body that is not UTF-8 could not travel.
 */
class AsyncRabbitMqWebSocketTest extends AsyncBrokerContract {
    @Override
    protected TestBroker startBroker() {
        if (!ExternalRabbitMq.reachable()) {
            if (ExternalRabbitMq.required()) {
                throw new AssertionError(ExternalRabbitMq.REQUIRE + "=1 but " + ExternalRabbitMq.HOW_TO_START);
            }
            Assumptions.abort(ExternalRabbitMq.HOW_TO_START);
        }
        return new WebSocketBroker(new ExternalRabbitMq(), ExternalRabbitMq.webSocketUri());
    }
}
