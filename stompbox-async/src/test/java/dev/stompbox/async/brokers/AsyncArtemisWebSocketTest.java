package dev.stompbox.async.brokers;

import dev.stompbox.client.brokers.EmbeddedArtemis;
import dev.stompbox.client.brokers.TestBroker;
import dev.stompbox.client.brokers.WebSocketBroker;

/** The contract over WebSocket to Artemis, which serves STOMP over WebSocket on its STOMP acceptor (BINARY frames). */
class AsyncArtemisWebSocketTest extends AsyncBrokerContract {
    @Override
    protected TestBroker startBroker() {
        // Artemis refuses WebSocket frames over 64 KiB unless told otherwise; the suite sends 1 MiB bodies.
        EmbeddedArtemis artemis = new EmbeddedArtemis(TestBroker.freePort(), 2000, ";webSocketMaxFramePayloadLength=4194304");
        return new WebSocketBroker(artemis, "ws://127.0.0.1:" + artemis.port() + "/stomp");
    }

    @Override
    protected long idleMillis() {
        return 3500;
    }
}
