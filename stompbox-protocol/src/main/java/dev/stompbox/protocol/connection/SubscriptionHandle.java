package dev.stompbox.protocol.connection;

import dev.stompbox.protocol.AckMode;
import dev.stompbox.protocol.StompHeaders;
import dev.stompbox.protocol.commands.SubscriptionToken;

import java.util.Map;

/**
 * What both clients' subscription handles share: the id, the destination, the SUBSCRIBE headers
 * and the ack mode. A handle stays valid across reconnects (the subscription is replayed with the
 * same id). Immutable.
 *
 * <pre>{@code
 * SubscriptionHandle s = client.subscribe("/queue/orders", Map.of("ack", "client-individual"));
 * log.info("subscribed {} to {} ({})", s.id(), s.destination(), s.ackMode());
 * }</pre>
 */
public abstract class SubscriptionHandle {
    private final SubscriptionToken token;
    private final String destination;
    private final Map<String, String> headers;
    private final AckMode ackMode;

    protected SubscriptionHandle(SubscriptionToken token, String destination, Map<String, String> headers) {
        this.token = token;
        this.destination = destination;
        this.headers = Map.copyOf(headers);
        this.ackMode = AckMode.of(headers.get(StompHeaders.ACK));
    }

    /** The subscription id (for a STOMP 1.0 subscription without one: its destination). */
    public final String id() {
        return token.value();
    }

    public final String destination() {
        return destination;
    }

    /** The SUBSCRIBE headers, the generated {@code id} included. */
    public final Map<String, String> headers() {
        return headers;
    }

    public final AckMode ackMode() {
        return ackMode;
    }

    /** How the session names this subscription (what its MESSAGEs carry). */
    public final SubscriptionToken token() {
        return token;
    }
}
