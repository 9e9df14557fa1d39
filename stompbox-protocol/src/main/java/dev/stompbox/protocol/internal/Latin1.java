package dev.stompbox.protocol.internal;

/** Strings from bytes that are one char each (ASCII header bytes), made the cheapest way the JDK has. */
public final class Latin1 {
    private Latin1() {
    }

    /**
     * {@code a[from, from + length)} as a String of one char per byte. The old high-byte constructor
     * is used on purpose: with a high byte of 0 it is a single array copy, where the
     * {@code Charset} constructor of JDK 17 goes through a per-thread decoding result first, a
     * measurable share of the cost of reading every header of a small frame.
     */
    @SuppressWarnings("deprecation")
    public static String string(byte[] a, int from, int length) {
        return new String(a, 0, from, length);
    }
}
