package dev.stompbox.protocol.internal.engine;

import dev.stompbox.protocol.AckMode;
import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.session.SessionSubscription;

/**
 * A MESSAGE for the client to hand to the application: the frame, the subscription it matched
 * (whose {@link SessionSubscription#context()} is the client's own handle), the connection it came on
 * and whether it needs an ack.
 */
public record Delivery(StompFrame frame, SessionSubscription subscription, long epoch, AckMode ackMode, long sequence) {
    /** Whether the broker waits for an ACK or NACK of it. */
    public boolean needsAck() {
        return ackMode != AckMode.AUTO;
    }
}
