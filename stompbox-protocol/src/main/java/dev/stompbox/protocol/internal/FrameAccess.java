package dev.stompbox.protocol.internal;

import dev.stompbox.protocol.StompCommand;
import dev.stompbox.protocol.StompFrame;

/**
 * Lets the parser hand a frame the arrays it has just filled, without the defensive copies the
 * public factories make. Not part of the API: the parser owns the arrays it passes and never
 * touches them again.
 */
public abstract class FrameAccess {
    private static volatile FrameAccess instance;

    public static void install(FrameAccess access) {
        instance = access;
    }

    public static FrameAccess get() {
        FrameAccess a = instance;
        if (a == null) {
            // StompFrame's static initialiser installs the accessor.
            StompFrame.builder(StompCommand.SEND);
            a = instance;
        }
        return a;
    }

    /**
     * A frame over arrays adopted as they are: {@code count} headers with names at {@code 2i} and
     * values at {@code 2i + 1} of {@code namesAndValues}; a null value is decoded on demand as
     * ISO-8859-1 (the parser leaves only pure ASCII values null) from
     * {@code raw[bounds[2i], bounds[2i + 1])}. The body is {@code body[offset, offset + length)}.
     * {@code wireLength} is the frame's size as parsed.
     */
    public abstract StompFrame adopt(StompCommand command, String[] namesAndValues, int count, byte[] raw,
                                     int[] bounds, byte[] body, int offset, int length, int wireLength);

    /**
     * The versions (bit {@code 1 << ordinal}) in which the encoder has found every header character of
     * {@code frame} to be written as the one byte it is: no escape, no multi-byte character.
     */
    public abstract int plainIn(StompFrame frame);

    /** Records {@link #plainIn}; the bits only ever grow, and a lost bit costs only a slower write. */
    public abstract void plainIn(StompFrame frame, int versions);
}
