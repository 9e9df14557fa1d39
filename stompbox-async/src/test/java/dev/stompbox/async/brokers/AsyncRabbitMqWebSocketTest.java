package dev.stompbox.async.brokers;

import dev.stompbox.fixtures.*;

import org.junit.jupiter.api.extension.RegisterExtension;

import dev.stompbox.fixtures.ExternalRabbitMq;
import dev.stompbox.fixtures.TestBroker;
import dev.stompbox.fixtures.WebSocketBroker;

/**
 * The contract over RabbitMQ Web-STOMP. The project script sets {@code web_stomp.ws_frame = binary}:
 * in TEXT frames a body that is not UTF-8 could not travel.
 */
class AsyncRabbitMqWebSocketTest extends AsyncBrokerContract {
    @RegisterExtension
    static final BrokerExtension BROKER = new RabbitMqExtension().webSocket();
}
