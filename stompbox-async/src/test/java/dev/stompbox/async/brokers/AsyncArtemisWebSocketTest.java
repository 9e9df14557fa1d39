package dev.stompbox.async.brokers;

import dev.stompbox.fixtures.*;

import org.junit.jupiter.api.extension.RegisterExtension;

import dev.stompbox.fixtures.EmbeddedArtemis;
import dev.stompbox.fixtures.TestBroker;
import dev.stompbox.fixtures.WebSocketBroker;

/** The contract over WebSocket to Artemis, which serves STOMP over WebSocket on its STOMP acceptor (BINARY frames). */
class AsyncArtemisWebSocketTest extends AsyncBrokerContract {
    @RegisterExtension
    static final BrokerExtension BROKER = new ArtemisExtension().idleTimeout(5000).webSocket();

    @Override
    protected long idleMillis() {
        return 6500;
    }
}
