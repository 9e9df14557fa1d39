package dev.stompbox.client;

import dev.stompbox.protocol.StompException;

/**
 * An ACK or NACK that must not go on the wire: the message came on an earlier connection (the
 * broker will redeliver it, and an unknown ack id would make some brokers close the connection),
 * was already acknowledged, or was received with ack mode {@code auto}.
 *
 * <pre>{@code
 * try {
 *     client.ack(frame);
 * } catch (StompAckException e) {
 *     log.info("not acked: {}", e.getMessage());   // it will be redelivered
 * }
 * }</pre>
 */
public final class StompAckException extends StompException {
    private static final long serialVersionUID = 1L;

    public StompAckException(String message) {
        super(message);
    }

    @Override
    public StompAckException forCaller() {
        StompAckException e = new StompAckException(getMessage());
        e.initCause(this);
        return e;
    }
}
