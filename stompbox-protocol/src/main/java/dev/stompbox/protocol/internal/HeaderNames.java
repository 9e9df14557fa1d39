package dev.stompbox.protocol.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Turns the ASCII header names of one connection into Strings, allocating for none but the first
 * of each (of those up to {@value #MAX_LENGTH} bytes; a longer one is a new String every time).
 * Frames on a connection repeat their shape, so the first test is whether the name at this index
 * is the one the last frame had there ({@link IndexMemo}: two words compared, no hashing); then the
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
    private final IndexMemo byIndex = new IndexMemo(); // the name last seen at each index

    /**
     * The String of the ASCII bytes {@code a[off, off + len)}, the name of the header at
     * {@code index} in its frame: a shared one when these bytes were seen lately.
     */
    public String name(int index, byte[] a, int off, int len) {
        if (byIndex.matches(index, a, off, len)) {
            return byIndex.string(index);
        }
        String name = KnownStrings.HEADER_NAMES.lookup(a, off, len);
        if (name == null) {
            name = get(a, off, len);
        }
        byIndex.remember(index, a, off, len, name);
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
