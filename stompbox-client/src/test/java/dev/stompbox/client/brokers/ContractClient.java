package dev.stompbox.client.brokers;

import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.StompVersion;

import java.time.Duration;
import java.util.Map;

/**
 * What the broker contract needs from a client, so that one suite runs against the blocking and
 * the asynchronous client alike. Every method waits for its effect (with the suite's timeout).
 */
public interface ContractClient extends AutoCloseable {
    StompVersion version();

    boolean isConnected();

    /** Disconnects gracefully; unacknowledged messages stay unacknowledged. */
    void disconnect();

    /** Subscribes with this ack mode and waits for the broker's RECEIPT. */
    void subscribe(String destination, String ackMode);

    /** Sends and waits for the RECEIPT. */
    void sendConfirmed(String destination, byte[] body, Map<String, String> headers);

    /** Sends a caller-built SEND frame (no receipt). */
    void send(StompFrame frame);

    /** The next message within {@code timeout}, or {@code null}. */
    Received receive(Duration timeout);

    ContractTransaction begin();

    @Override
    void close();

    /** A received message, to acknowledge or reject. */
    interface Received {
        StompFrame frame();

        /** Acknowledges it; the broker has the ACK before the client's next DISCONNECT completes. */
        void ack();

        /** Rejects it (STOMP 1.1 and later). */
        void nack();
    }

    /** A transaction over SENDs. */
    interface ContractTransaction {
        void send(String destination, String body);

        void commit();

        void abort();
    }
}
