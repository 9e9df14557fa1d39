package dev.stompbox.protocol.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Turns the ASCII header names of one connection into Strings, allocating for none but the first
 * of each (of those up to {@value #MAX_LENGTH} bytes; a longer one is a new String every time). Frames on a connection repeat their shape, so the first test is whether the name at
 * this index is the one the last frame had there (two words compared, no hashing); then the
 * names {@link KnownStrings} knows; then those this connection has seen lately: an application's
 * own headers ({@code x-app}, a broker's JMS properties) come back in frame after frame. That
 * cache is direct-mapped and small: a name that collides replaces the one in its slot, so a
 * stream of ever-new names costs one copy each and the memory stays at {@value #SLOTS} names of
 * at most {@value #MAX_LENGTH} bytes, and as many remembered by index.
 *
 * <p>Not thread-safe: one per parser, used on the thread that feeds it. The Strings it hands out
 * are immutable and may go anywhere.
 */
public final class HeaderNames {
    static final int SLOTS = 64;
    static final int MAX_LENGTH = 32;

    private final byte[][] keys = new byte[SLOTS][];
    private final String[] names = new String[SLOTS];
    // By header index: the name last seen there, its length and first two words (the bytes when longer).
    private final String[] atName = new String[SLOTS];
    private final int[] atLength = new int[SLOTS];
    private final long[] atWord0 = new long[SLOTS];
    private final long[] atWord1 = new long[SLOTS];
    private final byte[][] atBytes = new byte[SLOTS][];

    /**
     * The String of the ASCII bytes {@code a[off, off + len)}, the name of the header at
     * {@code index} in its frame: a shared one when these bytes were seen lately.
     */
    public String name(int index, byte[] a, int off, int len) {
        int end = off + len;
        if (index >= SLOTS || len > MAX_LENGTH) {
            String known = KnownStrings.HEADER_NAMES.lookup(a, off, len);
            return known != null ? known : get(a, off, len);
        }
        long w0 = KnownStrings.word(a, off, end);
        long w1 = len > 8 ? KnownStrings.word(a, off + 8, end) : 0;
        if (atLength[index] == len && atWord0[index] == w0 && atWord1[index] == w1
                && (len <= 16 || Arrays.equals(atBytes[index], 16, len, a, off + 16, end))) {
            return atName[index];
        }
        String name = KnownStrings.HEADER_NAMES.lookup(a, off, len);
        if (name == null) {
            name = get(a, off, len);
        }
        atName[index] = name;
        atLength[index] = len;
        atWord0[index] = w0;
        atWord1[index] = w1;
        atBytes[index] = len > 16 ? Arrays.copyOfRange(a, off, end) : null;
        return name;
    }

    /** The String of the ASCII bytes {@code a[off, off + len)}: a shared one when these bytes were seen lately. */
    String get(byte[] a, int off, int len) {
        if (len > MAX_LENGTH) {
            return new String(a, off, len, StandardCharsets.ISO_8859_1);
        }
        int end = off + len;
        // The first and last eight bytes (they overlap for a short name) and the length tell apart
        // the names a connection carries at the cost of two loads.
        long h = KnownStrings.word(a, off, end) * 0x9E3779B97F4A7C15L
                ^ KnownStrings.word(a, Math.max(off, end - 8), end) * 0xC2B2AE3D27D4EB4FL ^ len;
        int slot = (int) (h ^ (h >>> 32) ^ (h >>> 17)) & (SLOTS - 1);
        byte[] key = keys[slot];
        if (key != null && Arrays.equals(key, 0, key.length, a, off, end)) {
            return names[slot];
        }
        String name = new String(a, off, len, StandardCharsets.ISO_8859_1);
        keys[slot] = Arrays.copyOfRange(a, off, end);
        names[slot] = name;
        return name;
    }
}
