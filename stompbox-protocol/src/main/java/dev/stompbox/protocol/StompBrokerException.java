package dev.stompbox.protocol;

/**
 * The broker sent an ERROR frame, which {@link #frame()} holds; per the specification the
 * connection is closed after it. The message is the frame's {@code message} header.
 *
 * <pre>{@code
 * catch (StompBrokerException e) {
 *     log.error("broker refused: {} ({})", e.getMessage(), e.frame().bodyAsString());
 * }
 * }</pre>
 */
public final class StompBrokerException extends StompConnectionException {
    private static final long serialVersionUID = 1L;

    private final transient StompFrame frame;

    public StompBrokerException(StompFrame frame) {
        super("Broker sent ERROR: " + frame.header(StompHeaders.MESSAGE, frame.bodyAsString().lines().findFirst().orElse("")));
        this.frame = frame;
    }

    /** The ERROR frame. */
    public StompFrame frame() {
        return frame;
    }
}
