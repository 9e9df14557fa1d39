package dev.stompbox.protocol;

/**
 * The {@code ack} modes of a SUBSCRIBE.
 *
 * <pre>{@code
 * Map.of(StompHeaders.ACK, AckMode.CLIENT_INDIVIDUAL.value());
 * AckMode.of("client");   // CLIENT
 * }</pre>
 */
public enum AckMode {
    /** The broker considers a message acknowledged as soon as it is sent. The default. */
    AUTO("auto"),
    /** Cumulative: an ACK acknowledges the message and every earlier one of the subscription. */
    CLIENT("client"),
    /** Each message is acknowledged on its own (STOMP 1.1 and later). */
    CLIENT_INDIVIDUAL("client-individual");

    private final String value;

    AckMode(String value) {
        this.value = value;
    }

    /** The value as written in the {@code ack} header. */
    public String value() {
        return value;
    }

    /**
     * Parses an {@code ack} header value; a missing header ({@code null}) is {@link #AUTO}.
     *
     * @throws StompProtocolException for any other value
     */
    public static AckMode of(String value) {
        if (value == null) {
            return AUTO;
        }
        for (AckMode m : values()) {
            if (m.value.equals(value)) {
                return m;
            }
        }
        throw new StompProtocolException("Invalid ack mode: '" + value + "' (valid: auto, client, client-individual)");
    }

    @Override
    public String toString() {
        return value;
    }
}
