package dev.stompbox.protocol.internal;

import dev.stompbox.protocol.StompHeaders;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Maps the bytes of a common header name to one shared String, so that decoding the names of a
 * typical frame allocates nothing.
 */
public final class KnownHeaderNames {
    private static final int MAX_LENGTH = 32;
    private static final String[][] BY_LENGTH = new String[MAX_LENGTH + 1][];
    private static final byte[][][] BYTES_BY_LENGTH = new byte[MAX_LENGTH + 1][][];
    // The first two 8-byte words of each name (little-endian, zero-padded), compared as longs.
    private static final long[][] WORD0_BY_LENGTH = new long[MAX_LENGTH + 1][];
    private static final long[][] WORD1_BY_LENGTH = new long[MAX_LENGTH + 1][];
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

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
            String[] grown = Arrays.copyOf(old, old.length + 1);
            grown[old.length] = n;
            BY_LENGTH[len] = grown;
            byte[][] bytes = new byte[grown.length][];
            for (int i = 0; i < grown.length; i++) {
                bytes[i] = grown[i].getBytes(StandardCharsets.US_ASCII);
            }
            BYTES_BY_LENGTH[len] = bytes;
            long[] w0 = new long[grown.length];
            long[] w1 = new long[grown.length];
            for (int i = 0; i < grown.length; i++) {
                w0[i] = word(bytes[i], 0, len);
                w1[i] = word(bytes[i], 8, len);
            }
            WORD0_BY_LENGTH[len] = w0;
            WORD1_BY_LENGTH[len] = w1;
        }
    }

    private KnownHeaderNames() {
    }

    /** Up to eight bytes of a[from, end) as a little-endian long, zero-padded; 0 when from >= end. */
    private static long word(byte[] a, int from, int end) {
        int n = Math.min(8, end - from);
        if (n <= 0) {
            return 0;
        }
        if (from + 8 <= a.length) {
            long w = (long) LONGS.get(a, from);
            return n == 8 ? w : w & ((1L << (8 * n)) - 1);
        }
        long w = 0;
        for (int i = n - 1; i >= 0; i--) {
            w = (w << 8) | (a[from + i] & 0xff);
        }
        return w;
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
        long w0 = word(a, off, off + len);
        long w1 = len > 8 ? word(a, off + 8, off + len) : 0;
        long[] words0 = WORD0_BY_LENGTH[len];
        long[] words1 = WORD1_BY_LENGTH[len];
        for (int c = 0; c < candidates.length; c++) {
            if (words0[c] == w0 && words1[c] == w1
                    && (len <= 16 || Arrays.equals(candidates[c], 16, len, a, off + 16, off + len))) {
                return BY_LENGTH[len][c];
            }
        }
        return null;
    }
}
