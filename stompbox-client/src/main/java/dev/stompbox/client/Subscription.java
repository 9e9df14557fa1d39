package dev.stompbox.client;

import dev.stompbox.protocol.commands.SubscriptionToken;
import dev.stompbox.protocol.connection.SubscriptionHandle;

import java.util.Map;

/**
 * A subscription of a {@link StompClient}: its id, destination, headers and ack mode, and the
 * receipt of its SUBSCRIBE. The handle stays valid across reconnects (the subscription is replayed
 * with the same id; a receipt the loss cut off is asked for again, and {@link #receipt()} waits for
 * it). Immutable.
 *
 * <pre>{@code
 * Subscription s = client.subscribe("/queue/orders", Map.of("ack", "client-individual"));
 * ...
 * client.unsubscribe(s);
 * }</pre>
 */
public final class Subscription extends SubscriptionHandle {
    private final Receipt receipt;

    Subscription(SubscriptionToken token, String destination, Map<String, String> headers, Receipt receipt) {
        super(token, destination, headers);
        this.receipt = receipt;
    }

    /** The receipt of the SUBSCRIBE ({@link Receipt#NONE} when none was asked for). */
    public Receipt receipt() {
        return receipt;
    }

    @Override
    public String toString() {
        return "Subscription[" + id() + " -> " + destination() + ", ack " + ackMode() + "]";
    }
}
