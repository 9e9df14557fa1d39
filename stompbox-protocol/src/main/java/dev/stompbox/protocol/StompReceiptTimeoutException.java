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
        super("No RECEIPT for '" + receiptId + "' within " + timeout.toMillis() + " ms");
        this.receiptId = receiptId;
        this.timeout = timeout;
    }

    public String receiptId() {
        return receiptId;
    }

    public Duration timeout() {
        return timeout;
    }
}
