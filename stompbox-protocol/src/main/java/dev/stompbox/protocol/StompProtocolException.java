package dev.stompbox.protocol;

/**
 * A frame or command that is well-formed but not allowed: a command the negotiated version does
 * not have, a missing mandatory header, a command in the wrong session state, an unknown
 * transaction or subscription.
 *
 * <pre>{@code
 * // "Invalid MESSAGE frame (subscription header mandatory in version 1.1)"
 * Commands.message(frameWithoutSubscription, StompVersion.V1_1);
 * }</pre>
 */
public final class StompProtocolException extends StompException {
    private static final long serialVersionUID = 1L;

    public StompProtocolException(String message) {
        super(message);
    }

    @Override
    public StompProtocolException forCaller() {
        StompProtocolException e = new StompProtocolException(getMessage());
        e.initCause(this);
        return e;
    }
}
