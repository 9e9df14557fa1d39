package dev.stompbox.protocol;

/**
 * A reconnect schedule is spent: every attempt it allowed has been handed out. The message is
 * {@code "Reconnect timeout: N attempts"}, N being the number of reconnect attempts allowed.
 *
 * <pre>{@code
 * try {
 *     for (ReconnectAttempt attempt : schedule) { ... }
 * } catch (StompConnectTimeoutException e) {
 *     log.error("giving up: {}", e.getMessage());
 * }
 * }</pre>
 */
public final class StompConnectTimeoutException extends StompException {
    private static final long serialVersionUID = 1L;

    private final int attempts;

    public StompConnectTimeoutException(int attempts) {
        super("Reconnect timeout: " + attempts + " attempts");
        this.attempts = attempts;
    }

    /** The number of reconnect attempts that were allowed (the initial attempt not counted). */
    public int attempts() {
        return attempts;
    }
}
