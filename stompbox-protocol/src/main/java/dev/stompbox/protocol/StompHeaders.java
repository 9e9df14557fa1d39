package dev.stompbox.protocol;

/**
 * Names of the headers the STOMP specifications define (stompest's {@code StompSpec}). Header names
 * are case sensitive.
 *
 * <pre>{@code
 * StompFrame frame = StompFrame.builder(StompCommand.SEND)
 *         .header(StompHeaders.DESTINATION, "/queue/orders")
 *         .header(StompHeaders.CONTENT_TYPE, "application/json")
 *         .body("{}")
 *         .build();
 * }</pre>
 */
public final class StompHeaders {
    public static final String ACCEPT_VERSION = "accept-version";
    public static final String ACK = "ack";
    public static final String CONTENT_LENGTH = "content-length";
    public static final String CONTENT_TYPE = "content-type";
    public static final String DESTINATION = "destination";
    public static final String HEART_BEAT = "heart-beat";
    public static final String HOST = "host";
    public static final String ID = "id";
    public static final String LOGIN = "login";
    public static final String MESSAGE = "message";
    public static final String MESSAGE_ID = "message-id";
    public static final String PASSCODE = "passcode";
    public static final String RECEIPT = "receipt";
    public static final String RECEIPT_ID = "receipt-id";
    public static final String SERVER = "server";
    public static final String SESSION = "session";
    public static final String SUBSCRIPTION = "subscription";
    public static final String TRANSACTION = "transaction";
    public static final String VERSION = "version";

    private StompHeaders() {
    }
}
