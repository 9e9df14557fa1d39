package dev.stompbox.testkit;

import dev.stompbox.protocol.StompFrame;

import java.time.Duration;

/**
 * One entry of a connection's trace: a frame received from or sent to the client, or raw bytes the
 * test injected ({@link #frame()} is then {@code null} and {@link #raw()} holds them), stamped with
 * the time since the connection was accepted. A sent entry is recorded as its bytes are written
 * (after any {@link Faults#delayFrames delay}), so a frame the client has received is always in
 * the trace already.
 *
 * <pre>{@code
 * for (TracedFrame t : connection.trace()) {
 *     System.out.println(t);   // "+12 ms <- SEND destination:/queue/a body(5)='hello'"
 * }
 * }</pre>
 */
public record TracedFrame(Direction direction, StompFrame frame, byte[] raw, Duration at) {
    /** Which way an entry went. */
    public enum Direction {
        /** From the client to the server. */
        RECEIVED,
        /** From the server to the client. */
        SENT
    }

    /** Whether this entry is a frame the client sent. */
    public boolean received() {
        return direction == Direction.RECEIVED;
    }

    /** A log line; passcodes are masked. */
    @Override
    public String toString() {
        String what = frame != null ? frame.info() : "raw " + raw.length + " bytes";
        return String.format("+%d ms %s %s", at.toMillis(), direction == Direction.RECEIVED ? "<-" : "->", what);
    }
}
