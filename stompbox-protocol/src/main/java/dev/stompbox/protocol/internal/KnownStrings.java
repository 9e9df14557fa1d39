package dev.stompbox.protocol.internal;

import dev.stompbox.protocol.StompHeaders;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Maps the bytes of a common ASCII string to one shared String, so that decoding the header names
 * of a typical frame, and its most common values, allocates nothing. Compares eight bytes at a time
 * against the candidates of the same length. Immutable and thread-safe.
 */
public final class KnownStrings {
    // First: the tables below are built by the constructor, which needs these.
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final int MAX_LENGTH = 32;

    /** Header names of the specification and those brokers commonly add to MESSAGE frames. */
    public static final KnownStrings HEADER_NAMES = new KnownStrings(
            StompHeaders.ACCEPT_VERSION, StompHeaders.ACK, StompHeaders.CONTENT_LENGTH, StompHeaders.CONTENT_TYPE,
            StompHeaders.DESTINATION, StompHeaders.HEART_BEAT, StompHeaders.HOST, StompHeaders.ID,
            StompHeaders.LOGIN, StompHeaders.MESSAGE, StompHeaders.MESSAGE_ID, StompHeaders.PASSCODE,
            StompHeaders.RECEIPT, StompHeaders.RECEIPT_ID, StompHeaders.SERVER, StompHeaders.SESSION,
            StompHeaders.SUBSCRIPTION, StompHeaders.TRANSACTION, StompHeaders.VERSION,
            "expires", "priority", "persistent", "timestamp", "redelivered", "reply-to", "correlation-id", "type",
            "original-destination", "message-type", "prefetch-count", "activemq.prefetchSize",
            "x-queue-name", "durable", "auto-delete", "exclusive", "selector");

    /**
     * Header values that recur in frame after frame (flags, small numbers, ack modes, versions,
     * common content types): a reader of every header gets them without an allocation each.
     */
    public static final KnownStrings HEADER_VALUES = new KnownStrings(
            "true", "false", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9",
            "auto", "client", "client-individual", "1.0", "1.1", "1.2", "1.0,1.1,1.2", "0,0",
            "text/plain", "text/plain;charset=utf-8", "text/plain;charset=UTF-8", "application/json",
            "application/json;charset=utf-8", "application/octet-stream", "text/xml", "application/xml");

    // An open-addressed table at most a quarter full, so a lookup is one probe, rarely two: slot i
    // holds strings[i], its bytes, and its first two 8-byte words (little-endian, zero-padded).
    private final String[] strings;
    private final byte[][] bytes;
    private final long[] word0;
    private final long[] word1;
    private final int[] lengths0; // each slot's string length, read without touching the String
    private final int mask;
    // Per length, bit (b & 63) set when some string of that length starts with byte b: most misses
    // end on this one test, before any hashing (an unknown value rarely shares a known one's length
    // and first byte).
    private final long[] firstBytes = new long[MAX_LENGTH + 1];

    private KnownStrings(String... known) {
        int size = Integer.highestOneBit(Math.max(1, known.length) * 4 - 1) << 1;
        strings = new String[size];
        bytes = new byte[size][];
        word0 = new long[size];
        word1 = new long[size];
        lengths0 = new int[size];
        mask = size - 1;
        for (String s : known) {
            int len = s.length();
            if (len > MAX_LENGTH) {
                throw new IllegalArgumentException("longer than " + MAX_LENGTH + ": " + s);
            }
            byte[] b = s.getBytes(StandardCharsets.US_ASCII);
            long w0 = word(b, 0, len);
            long w1 = word(b, 8, len);
            int slot = slot(w0, w1, len);
            while (strings[slot] != null) {
                slot = (slot + 1) & mask;
            }
            strings[slot] = s;
            bytes[slot] = b;
            word0[slot] = w0;
            word1[slot] = w1;
            lengths0[slot] = len;
            firstBytes[len] |= 1L << b[0];
        }
    }

    private int slot(long w0, long w1, int len) {
        long h = (w0 * 0x9E3779B97F4A7C15L) ^ (w1 * 0xC2B2AE3D27D4EB4FL) ^ len;
        return (int) (h ^ (h >>> 29)) & mask;
    }

    /** The shared String of the ASCII bytes {@code a[off, off + len)} when they are known, else a new one. */
    public String string(byte[] a, int off, int len) {
        String known = lookup(a, off, len);
        return known != null ? known : new String(a, off, len, StandardCharsets.ISO_8859_1);
    }

    /** Up to eight bytes of a[from, end) as a little-endian long, zero-padded; 0 when from >= end. */
    static long word(byte[] a, int from, int end) {
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

    /** The shared String for {@code a[off, off + len)}, or {@code null} when those bytes are not a known string. */
    public String lookup(byte[] a, int off, int len) {
        if (len <= 0 || len > MAX_LENGTH || (firstBytes[len] & (1L << a[off])) == 0) { // a long shift uses the low six bits
            return null;
        }
        long w0 = word(a, off, off + len);
        long w1 = len > 8 ? word(a, off + 8, off + len) : 0;
        for (int slot = slot(w0, w1, len); ; slot = (slot + 1) & mask) {
            String s = strings[slot];
            if (s == null) {
                return null;
            }
            if (word0[slot] == w0 && word1[slot] == w1 && lengths0[slot] == len
                    && (len <= 16 || Arrays.equals(bytes[slot], 16, len, a, off + 16, off + len))) {
                return s;
            }
        }
    }
}
