package dev.stompbox.protocol.internal;

import dev.stompbox.protocol.StompHeaders;

import java.nio.charset.StandardCharsets;

/**
 * Maps the bytes of a common header name to one shared String, so that decoding the names of a
 * typical frame allocates nothing.
 */
public final class KnownHeaderNames {
    private static final int MAX_LENGTH = 32;
    private static final String[][] BY_LENGTH = new String[MAX_LENGTH + 1][];
    private static final byte[][][] BYTES_BY_LENGTH = new byte[MAX_LENGTH + 1][][];

    static {
        String[] names = {
            StompHeaders.ACCEPT_VERSION, StompHeaders.ACK, StompHeaders.CONTENT_LENGTH, StompHeaders.CONTENT_TYPE,
            StompHeaders.DESTINATION, StompHeaders.HEART_BEAT, StompHeaders.HOST, StompHeaders.ID,
            StompHeaders.LOGIN, StompHeaders.MESSAGE, StompHeaders.MESSAGE_ID, StompHeaders.PASSCODE,
            StompHeaders.RECEIPT, StompHeaders.RECEIPT_ID, StompHeaders.SERVER, StompHeaders.SESSION,
            StompHeaders.SUBSCRIPTION, StompHeaders.TRANSACTION, StompHeaders.VERSION,
            // Headers brokers commonly add to MESSAGE frames.
            "expires", "priority", "persistent", "timestamp", "redelivered", "reply-to", "correlation-id", "type",
            "original-destination", "message-type", "prefetch-count", "activemq.prefetchSize",
            "x-queue-name", "durable", "auto-delete", "exclusive", "selector",
        };
        for (String n : names) {
            int len = n.length();
            String[] old = BY_LENGTH[len] == null ? new String[0] : BY_LENGTH[len];
            String[] grown = java.util.Arrays.copyOf(old, old.length + 1);
            grown[old.length] = n;
            BY_LENGTH[len] = grown;
            byte[][] bytes = new byte[grown.length][];
            for (int i = 0; i < grown.length; i++) {
                bytes[i] = grown[i].getBytes(StandardCharsets.US_ASCII);
            }
            BYTES_BY_LENGTH[len] = bytes;
        }
    }

    private KnownHeaderNames() {
    }

    /** The shared String for these bytes, or {@code null} when they are not a known name. */
    public static String lookup(byte[] a, int off, int len) {
        if (len > MAX_LENGTH) {
            return null;
        }
        byte[][] candidates = BYTES_BY_LENGTH[len];
        if (candidates == null) {
            return null;
        }
        outer:
        for (int c = 0; c < candidates.length; c++) {
            byte[] name = candidates[c];
            for (int i = 0; i < len; i++) {
                if (name[i] != a[off + i]) {
                    continue outer;
                }
            }
            return BY_LENGTH[len][c];
        }
        return null;
    }
}
