package dev.stompbox.async.brokers;

import dev.stompbox.client.brokers.ExternalRabbitMq;
import dev.stompbox.client.brokers.TestBroker;
import dev.stompbox.client.brokers.WebSocketBroker;

/**
 * The contract over RabbitMQ Web-STOMP. The project script sets {@code web_stomp.ws_frame = binary}:
 * in TEXT frames a body that is not UTF-8 could not travel.
 */
class AsyncRabbitMqWebSocketTest extends AsyncBrokerContract {
    @Override
    protected TestBroker startBroker() {
        return new WebSocketBroker(ExternalRabbitMq.runningOrSkip(), ExternalRabbitMq.webSocketUri());
    }
}
