package dev.stompbox.client;

import dev.stompbox.protocol.AckMode;
import dev.stompbox.protocol.commands.SubscriptionToken;

import java.util.Map;

/**
 * A subscription of a {@link StompClient}: its id, destination, headers and ack mode, and the
 * receipt of its SUBSCRIBE. The handle stays valid across reconnects (the subscription is replayed
 * with the same id). Immutable.
 *
 * <pre>{@code
 * Subscription s = client.subscribe("/queue/orders", Map.of("ack", "client-individual"));
 * ...
 * client.unsubscribe(s);
 * }</pre>
 */
public final class Subscription {
    private final SubscriptionToken token;
    private final String destination;
    private final Map<String, String> headers;
    private final Receipt receipt;

    Subscription(SubscriptionToken token, String destination, Map<String, String> headers, Receipt receipt) {
        this.token = token;
        this.destination = destination;
        this.headers = Map.copyOf(headers);
        this.receipt = receipt;
    }

    /** The subscription id (for a STOMP 1.0 subscription without one: its destination). */
    public String id() {
        return token.value();
    }

    public String destination() {
        return destination;
    }

    /** The SUBSCRIBE headers, the generated {@code id} included. */
    public Map<String, String> headers() {
        return headers;
    }

    public AckMode ackMode() {
        return AckMode.of(headers.get("ack"));
    }

    /** The receipt of the SUBSCRIBE ({@link Receipt#NONE} when none was asked for). */
    public Receipt receipt() {
        return receipt;
    }

    SubscriptionToken token() {
        return token;
    }

    @Override
    public String toString() {
        return "Subscription[" + token.value() + " -> " + destination + ", ack " + ackMode() + "]";
    }
}
