package dev.stompbox.protocol;

import java.time.Duration;

/**
 * A RECEIPT did not arrive within its timeout. The frame may or may not have been processed by
 * the broker.
 *
 * <pre>{@code
 * try {
 *     client.send("/queue/a", body, Map.of("receipt", "r-1")).await(Duration.ofSeconds(5));
 * } catch (StompReceiptTimeoutException e) {
 *     log.warn("no receipt {} after {}", e.receiptId(), e.timeout());
 * }
 * }</pre>
 */
public final class StompReceiptTimeoutException extends StompException {
    private static final long serialVersionUID = 1L;

    private final String receiptId;
    private final transient Duration timeout;

    public StompReceiptTimeoutException(String receiptId, Duration timeout) {
        this(receiptId, timeout, "No RECEIPT for '" + receiptId + "' within " + timeout.toMillis() + " ms");
    }

    /**
     * With a message of its own, for a frame that could not even be sent in time because earlier
     * RECEIPTs were late (the at-least-once window was full).
     */
    public StompReceiptTimeoutException(String receiptId, Duration timeout, String message) {
        super(message);
        this.receiptId = receiptId;
        this.timeout = timeout;
    }

    @Override
    public StompReceiptTimeoutException forCaller() {
        StompReceiptTimeoutException e = new StompReceiptTimeoutException(receiptId, timeout, getMessage());
        e.initCause(this);
        return e;
    }

    public String receiptId() {
        return receiptId;
    }

    public Duration timeout() {
        return timeout;
    }
}
