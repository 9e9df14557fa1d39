package dev.stompbox.protocol;

/**
 * The connection to the broker failed or was lost: a refused or broken socket, a server silent
 * past its heart-beat grace, a write blocked past its timeout. The message names the cause.
 *
 * <pre>{@code
 * try {
 *     client.receiveFrame();
 * } catch (StompConnectionException e) {
 *     log.warn("connection lost: {}", e.getMessage());   // e.g. "server silent for 2100 ms (heart-beat every 1000 ms)"
 * }
 * }</pre>
 */
public class StompConnectionException extends StompException {
    private static final long serialVersionUID = 1L;

    public StompConnectionException(String message) {
        super(message);
    }

    public StompConnectionException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public StompConnectionException forCaller() {
        return new StompConnectionException(getMessage(), this);
    }
}
