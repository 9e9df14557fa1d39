package dev.stompbox.client.internal;

import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.codec.StompEncoder;

import java.io.IOException;
import java.io.OutputStream;

/**
 * How the blocking client puts frames on a stream: heads encoded in place into one reused buffer,
 * small bodies copied after them, a body of {@value #LARGE_BODY} bytes or more written to the
 * stream straight from the frame's memory once what precedes it is out. {@link #flush()} sends
 * what the buffer holds. Not thread-safe: its owner serializes writes. Not API: the benchmarks
 * measure this very path.
 */
public final class FrameOutput {
    public static final int BUFFER_SIZE = 64 * 1024;
    /** A body this long or longer goes to the stream from the frame's own memory, not through the buffer. */
    public static final int LARGE_BODY = 8 * 1024;

    private final OutputStream out;
    private final byte[] buffer = new byte[BUFFER_SIZE];
    private int buffered;

    public FrameOutput(OutputStream out) {
        this.out = out;
    }

    /**
     * Encodes one frame.
     *
     * @throws dev.stompbox.protocol.StompProtocolException if the frame cannot be written in the encoder's version
     */
    public void write(StompEncoder encoder, StompFrame frame) throws IOException {
        int maxHead = encoder.maxHeadLength(frame);
        if (maxHead > BUFFER_SIZE) {
            flush(); // headers too long for the buffer: encoded into an array of their own
            byte[] head = new byte[encoder.headLength(frame)];
            out.write(head, 0, encoder.encodeHead(frame, head, 0));
        } else {
            room(maxHead);
            buffered = encoder.encodeHead(frame, buffer, buffered);
        }
        int body = frame.bodyLength();
        if (body >= LARGE_BODY) {
            flush();
            frame.writeBodyTo(out);
        } else if (body > 0) {
            room(body);
            frame.copyBodyTo(buffer, buffered);
            buffered += body;
        }
        room(1);
        buffer[buffered++] = 0;
    }

    /** One heart-beat EOL. */
    public void writeHeartBeat() throws IOException {
        room(1);
        buffer[buffered++] = '\n';
    }

    /** Sends what the buffer holds and flushes the stream. */
    public void flush() throws IOException {
        if (buffered > 0) {
            out.write(buffer, 0, buffered);
            buffered = 0;
        }
        out.flush();
    }

    /** Makes room for {@code n} bytes ({@code n} at most the buffer's size), sending what is buffered if needed. */
    private void room(int n) throws IOException {
        if (BUFFER_SIZE - buffered < n) {
            flush();
        }
    }
}
