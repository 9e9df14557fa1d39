package dev.stompbox.protocol;

/**
 * A SEND was refused because the client holds as much as it may: the bytes waiting to be written
 * reached {@code maxPendingWriteBytes}, or at-least-once publishing's window of SENDs awaiting
 * their RECEIPT is full. Nothing was sent; try again once there is room (the asynchronous client
 * says when, with {@code whenReady()}).
 *
 * <pre>{@code
 * client.send("/queue/a", body).exceptionallyCompose(e -> e instanceof StompBackpressureException
 *         ? client.whenReady().thenCompose(v -> client.send("/queue/a", body))
 *         : CompletableFuture.failedFuture(e));
 * }</pre>
 */
public final class StompBackpressureException extends StompException {
    private static final long serialVersionUID = 1L;

    public StompBackpressureException(String message) {
        super(message);
    }

    @Override
    public StompBackpressureException forCaller() {
        StompBackpressureException e = new StompBackpressureException(getMessage());
        e.initCause(this);
        return e;
    }
}
