package dev.stompbox.protocol;

/**
 * A reconnect schedule is spent: every attempt it allowed has been handed out. The message is
 * {@code "Reconnect timeout: N attempts"}, N being the number of reconnect attempts allowed (the
 * name and message are stompest's: it means the attempts ran out, not that one timed out). A
 * {@link StompConnectionException}, as every way a connect can fail is; when a client gives up, the
 * failure of each attempt is attached as a suppressed exception, naming its broker.
 *
 * <pre>{@code
 * try {
 *     for (ReconnectAttempt attempt : schedule) { ... }
 * } catch (StompConnectTimeoutException e) {
 *     log.error("giving up: {}", e.getMessage());
 * }
 * }</pre>
 */
public final class StompConnectTimeoutException extends StompConnectionException {
    private static final long serialVersionUID = 1L;

    private final int attempts;

    public StompConnectTimeoutException(int attempts) {
        super("Reconnect timeout: " + attempts + " attempts");
        this.attempts = attempts;
    }

    private StompConnectTimeoutException(StompConnectTimeoutException original) {
        super(original.getMessage(), original);
        this.attempts = original.attempts;
    }

    @Override
    public StompConnectTimeoutException forCaller() {
        return new StompConnectTimeoutException(this);
    }

    /** The number of reconnect attempts that were allowed (the initial attempt not counted). */
    public int attempts() {
        return attempts;
    }
}
