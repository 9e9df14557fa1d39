package dev.stompbox.protocol.internal;

import dev.stompbox.protocol.Header;
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

    /** A frame over {@code headers} (first {@code count} entries) and {@code body}, both adopted as they are. */
    public abstract StompFrame adopt(StompCommand command, Header[] headers, int count, byte[] body);
}
