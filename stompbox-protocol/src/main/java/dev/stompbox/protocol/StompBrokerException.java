package dev.stompbox.protocol;

/**
 * The broker sent an ERROR frame, which {@link #frame()} holds; per the specification the
 * connection is closed after it. The message is the frame's {@code message} header followed by the
 * first line of its body, where brokers put the details.
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
        super("Broker sent ERROR: " + describe(frame));
        this.frame = frame;
    }

    /** The {@code message} header and the body's first line (brokers put the details there), as one line. */
    private static String describe(StompFrame frame) {
        String message = frame.header(StompHeaders.MESSAGE);
        String detail = frame.bodyAsString().lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst().orElse("");
        if (message == null) {
            return detail;
        }
        if (detail.isEmpty() || detail.equals(message)) {
            return message;
        }
        return message + " (" + (detail.length() > 200 ? detail.substring(0, 200) + "..." : detail) + ")";
    }

    private StompBrokerException(StompBrokerException original) {
        super(original.getMessage(), original);
        this.frame = original.frame;
    }

    @Override
    public StompBrokerException forCaller() {
        return new StompBrokerException(this);
    }

    /** The ERROR frame. */
    public StompFrame frame() {
        return frame;
    }
}
