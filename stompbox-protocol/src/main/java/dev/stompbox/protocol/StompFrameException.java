package dev.stompbox.protocol;

/**
 * The byte stream is not valid STOMP: a malformed frame, an undefined escape, a lying
 * {@code content-length}, or a configured limit exceeded. {@link #offset()} is the position in the
 * stream (counted from the parser's creation or last reset) of the byte where the problem was found.
 *
 * <pre>{@code
 * catch (StompFrameException e) {
 *     // "Invalid command: 'NACK' (not a STOMP 1.0 command) at byte offset 38"
 *     log.warn(e.getMessage());
 * }
 * }</pre>
 */
public final class StompFrameException extends StompException {
    private static final long serialVersionUID = 1L;

    private final String reason;
    private final long offset;

    public StompFrameException(String reason, long offset) {
        super(reason + " at byte offset " + offset);
        this.reason = reason;
        this.offset = offset;
    }

    @Override
    public StompFrameException forCaller() {
        StompFrameException e = new StompFrameException(reason, offset);
        e.initCause(this);
        return e;
    }

    /** What was wrong, without the offset. */
    public String reason() {
        return reason;
    }

    /** Offset in the stream of the byte at which the problem was detected. */
    public long offset() {
        return offset;
    }
}
