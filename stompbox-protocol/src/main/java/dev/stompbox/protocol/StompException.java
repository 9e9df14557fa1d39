package dev.stompbox.protocol;

/**
 * Root of every exception Stompbox throws for a STOMP-level problem. Unchecked, so that callers
 * handle the cases they care about and let the rest propagate.
 *
 * <ul>
 *   <li>{@link StompFrameException}: the bytes on the wire are not a STOMP frame (malformed, over a
 *       limit); carries the byte offset.</li>
 *   <li>{@link StompProtocolException}: a well-formed frame or command that is wrong for the
 *       negotiated version or the session state.</li>
 *   <li>{@link StompConnectTimeoutException}: a reconnect schedule ran out of attempts.</li>
 *   <li>{@link StompConnectionException}: the connection failed or was lost; its subclass
 *       {@link StompBrokerException} carries an ERROR frame from the broker.</li>
 *   <li>{@link StompReceiptTimeoutException}: a RECEIPT did not come in time.</li>
 * </ul>
 *
 * <pre>{@code
 * try {
 *     parser.add(bytes);
 * } catch (StompFrameException e) {
 *     log.warn("corrupt stream at byte {}: {}", e.offset(), e.reason());
 *     parser.resync();
 * }
 * }</pre>
 */
public class StompException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StompException(String message) {
        super(message);
    }

    public StompException(String message, Throwable cause) {
        super(message, cause);
    }
}
