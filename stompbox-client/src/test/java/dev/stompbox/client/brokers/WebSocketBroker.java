package dev.stompbox.client.brokers;

import dev.stompbox.protocol.StompVersion;

import java.util.List;

/** A broker reached over WebSocket: the same broker and its traits, another URI. */
public final class WebSocketBroker implements TestBroker {
    private final TestBroker broker;
    private final String uri;

    public WebSocketBroker(TestBroker broker, String webSocketUri) {
        this.broker = broker;
        this.uri = webSocketUri;
    }

    @Override
    public String name() {
        return broker.name() + " over WebSocket";
    }

    @Override
    public String uri() {
        return uri;
    }

    @Override
    public List<StompVersion> versions() {
        return broker.versions();
    }

    @Override
    public boolean honoursTransactionalAck() {
        return broker.honoursTransactionalAck();
    }

    @Override
    public boolean redeliversOnNack() {
        return broker.redeliversOnNack();
    }

    @Override
    public boolean escapesHeadersIn10() {
        return broker.escapesHeadersIn10();
    }

    @Override
    public void close() {
        broker.close();
    }
}
