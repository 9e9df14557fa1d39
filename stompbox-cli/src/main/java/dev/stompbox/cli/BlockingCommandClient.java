package dev.stompbox.cli;

import dev.stompbox.client.StompAckException;
import dev.stompbox.client.StompClient;
import dev.stompbox.client.StompClientConfig;
import dev.stompbox.protocol.AckMode;
import dev.stompbox.protocol.StompFrame;

import java.time.Duration;
import java.util.Map;

/** {@link CommandClient} on the blocking client: every call is the client's own. */
final class BlockingCommandClient implements CommandClient {
    private final StompClient client;

    BlockingCommandClient(StompClientConfig config) {
        client = StompClient.create(config);
        try {
            client.connect();
        } catch (RuntimeException e) {
            client.closeNow();
            throw e;
        }
    }

    @Override
    public void send(String destination, byte[] body, Map<String, String> headers) {
        client.send(destination, body, headers).await();
    }

    @Override
    public void subscribe(String destination, AckMode mode) {
        client.subscribe(destination, Map.of("ack", mode.value(), "receipt", "subscribed")).receipt().await();
    }

    @Override
    public StompFrame next(Duration timeout) {
        return client.receiveFrame(timeout);
    }

    @Override
    public void ack(StompFrame message) {
        try {
            client.ack(message);
        } catch (StompAckException e) {
            // Under ack auto there is nothing to ack; a message of a lost connection is the broker's to hand out again.
        }
    }

    @Override
    public void disconnect() {
        client.disconnect();
    }

    @Override
    public void close() {
        client.close();
    }
}
