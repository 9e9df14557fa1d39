package dev.stompbox.async.internal;

import dev.stompbox.protocol.StompFrame;

import java.util.Map;

/**
 * An upper bound on a SEND's encoded size, counted against the client's room for pending writes
 * from the moment a caller makes the send until the event loop has encoded it: each header
 * character at its worst (three UTF-8 bytes, doubled by an escape), with room for the command,
 * content-length and a receipt. Cheap to compute on the caller's thread; never less than the
 * frame's real size.
 *
 * <pre>{@code
 * long bound = SendBound.of("/queue/a", Map.of("persistent", "true"), body.length);
 * }</pre>
 */
public final class SendBound {
    private SendBound() {
    }

    /** The bound for a SEND to {@code destination} with {@code headers} and a body of {@code bodyLength} bytes. */
    public static long of(String destination, Map<String, String> headers, int bodyLength) {
        long chars = destination.length() + 16;
        for (Map.Entry<String, String> h : headers.entrySet()) {
            chars += h.getKey().length() + h.getValue().length() + 2;
        }
        return bound(bodyLength, chars);
    }

    /** The bound for a SEND frame built by the caller. */
    public static long of(StompFrame frame) {
        long chars = 0;
        for (int i = 0; i < frame.headerCount(); i++) {
            chars += frame.headerName(i).length() + frame.headerValue(i).length() + 2;
        }
        return bound(frame.bodyLength(), chars);
    }

    private static long bound(int bodyLength, long headerChars) {
        return bodyLength + 6 * headerChars + 256;
    }
}
