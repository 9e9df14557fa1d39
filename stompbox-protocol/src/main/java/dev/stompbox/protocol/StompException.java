package dev.stompbox.protocol;

/**
 * Root of every exception Stompbox throws for a STOMP-level problem. Unchecked, so that callers
 * handle the cases they care about and let the rest propagate.
 *
 * <ul>
 *   <li>{@link StompFrameException}: the bytes on the wire are not a STOMP frame (malformed, over a
 *       limit); carries the byte offset.</li>
 *   <li>{@link StompProtocolException}: a well-formed frame or command that is wrong for the
 *       negotiated version or the session state. Thrown by a client, it is the caller's mistake;
 *       a peer's violation ends the connection instead, as a {@link StompConnectionException}
 *       with the violation as its cause.</li>
 *   <li>{@link StompConnectionException}: the connection could not be made, failed or was lost;
 *       its subclasses are {@link StompBrokerException}, carrying an ERROR frame from the broker
 *       (wherever that ERROR surfaces: a receive, a receipt, a connect), and
 *       {@link StompConnectTimeoutException}, a failover schedule that ran out of attempts.</li>
 *   <li>{@link StompReceiptTimeoutException}: a RECEIPT did not come in time.</li>
 *   <li>{@link StompBackpressureException}: no room to send now (the asynchronous client's answer
 *       instead of blocking).</li>
 * </ul>
 * An exception a client stored for a thread that waits (a receipt, a connect) is thrown to that
 * thread by {@link #forCaller()}: its stack is the waiting thread's, the original is its cause.
 * <ul>
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

    /**
     * This exception as thrown to a thread that waited for it (a receipt, a connect): the same
     * type, message and details, with the waiting thread's stack, and this one, from the thread
     * that failed it, as the cause.
     */
    public StompException forCaller() {
        return new StompException(getMessage(), this);
    }
}
