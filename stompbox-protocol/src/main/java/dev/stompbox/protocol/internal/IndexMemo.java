package dev.stompbox.protocol.internal;

import java.util.Arrays;

/**
 * What the header at each index of the last frame held: its bytes (up to {@value #MAX_LENGTH}) and
 * the String made of them, if one was. Frames on a connection repeat their shape, so "the same bytes
 * as last time at this index" is the cheapest test there is for "a String already made": a length
 * and two 8-byte words compared, no hashing; the bytes past the sixteenth are kept in a buffer of the
 * slot's own, so remembering allocates nothing after the first time. The parser keeps one for header
 * names and two for values (with escapes and without).
 *
 * <p>Not thread-safe: one per parser, used on the thread that feeds it. The Strings it holds are
 * immutable and may go anywhere.
 *
 * <pre>{@code
 * IndexMemo memo = new IndexMemo();
 * if (memo.matches(i, a, off, len) && memo.string(i) != null) {
 *     return memo.string(i);            // no allocation
 * }
 * String s = new String(a, off, len, StandardCharsets.ISO_8859_1);
 * memo.remember(i, a, off, len, s);
 * }</pre>
 */
public final class IndexMemo {
    /** Header indexes remembered: a frame with more headers than this has the rest looked at as new. */
    public static final int SLOTS = 64;
    /** Bytes remembered: longer ones never match. */
    public static final int MAX_LENGTH = 32;

    private final String[] strings = new String[SLOTS];
    private final int[] lengths = new int[SLOTS];
    private final long[] word0 = new long[SLOTS];
    private final long[] word1 = new long[SLOTS];
    private final byte[][] tails = new byte[SLOTS][];

    public IndexMemo() {
        Arrays.fill(lengths, -1);
    }

    /** Whether the bytes {@code a[off, off + len)} are those remembered at {@code index}. */
    public boolean matches(int index, byte[] a, int off, int len) {
        if (index >= SLOTS || len > MAX_LENGTH || lengths[index] != len) {
            return false;
        }
        int end = off + len;
        return word0[index] == KnownStrings.word(a, off, end)
                && (len <= 8 || word1[index] == KnownStrings.word(a, off + 8, end))
                && (len <= 16 || Arrays.equals(tails[index], 0, len - 16, a, off + 16, end));
    }

    /** The String remembered at {@code index}; {@code null} when none was made of its bytes (yet). */
    public String string(int index) {
        return strings[index];
    }

    /** Sets the String of the bytes remembered at {@code index}, which {@link #matches} just confirmed. */
    public void string(int index, String s) {
        strings[index] = s;
    }

    /** Remembers {@code a[off, off + len)} at {@code index}, and {@code s} (may be null) made of them. */
    public void remember(int index, byte[] a, int off, int len, String s) {
        if (index >= SLOTS) {
            return;
        }
        if (len > MAX_LENGTH) {
            lengths[index] = -1; // nothing matches it, and the String it held is let go
            strings[index] = null;
            return;
        }
        int end = off + len;
        lengths[index] = len;
        word0[index] = KnownStrings.word(a, off, end);
        word1[index] = KnownStrings.word(a, off + 8, end);
        if (len > 16) {
            if (tails[index] == null) {
                tails[index] = new byte[MAX_LENGTH - 16];
            }
            System.arraycopy(a, off + 16, tails[index], 0, len - 16);
        }
        strings[index] = s;
    }

    /** Forgets everything: bytes read under other rules (another protocol version) must not match. */
    public void clear() {
        Arrays.fill(lengths, -1);
        Arrays.fill(strings, null);
    }
}
