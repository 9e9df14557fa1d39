package dev.stompbox.protocol.internal.engine;

import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.codec.StompEncoder;

import java.util.concurrent.CompletableFuture;

/**
 * One thing to write, in the order the engine hands them out: a frame with the encoder of the
 * connection's version, or a heart-beat ({@link #frame()} {@code null}). The client writes it to
 * transport {@link #conn()} and reports back with {@link ConnectionEngine#written} or
 * {@link ConnectionEngine#writeFailed}.
 */
public final class Outbound {
    private final int conn;
    private final StompFrame frame;
    private final StompEncoder encoder;
    private final int length;
    final CompletableFuture<Void> written; // completed by the engine once written, when someone waits for that

    Outbound(int conn, StompFrame frame, StompEncoder encoder, int length, CompletableFuture<Void> written) {
        this.conn = conn;
        this.frame = frame;
        this.encoder = encoder;
        this.length = length;
        this.written = written;
    }

    /** The transport this belongs to; writing it to any other would be wrong. */
    public int conn() {
        return conn;
    }

    /** The frame, or {@code null} for a heart-beat (a single EOL). */
    public StompFrame frame() {
        return frame;
    }

    public boolean isHeartBeat() {
        return frame == null;
    }

    /** The encoder for the connection's negotiated version. */
    public StompEncoder encoder() {
        return encoder;
    }

    /** The exact number of bytes it takes on the wire. */
    public int length() {
        return length;
    }

    @Override
    public String toString() {
        return frame == null ? "heart-beat" : frame.info();
    }
}
