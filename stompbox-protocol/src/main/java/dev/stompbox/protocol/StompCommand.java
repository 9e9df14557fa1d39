package dev.stompbox.protocol;

import java.nio.charset.StandardCharsets;

/**
 * The STOMP commands of all three versions. Which of them a given version has is
 * {@link StompVersion#supports(StompCommand)}.
 *
 * <pre>{@code
 * StompCommand.SEND.bodyAllowed();          // true
 * StompCommand.NACK.since();                // V1_1
 * StompVersion.V1_0.supports(StompCommand.NACK); // false
 * }</pre>
 */
public enum StompCommand {
    CONNECT(false, false, true, StompVersion.V1_0),
    STOMP(false, false, true, StompVersion.V1_1),
    SEND(false, true, false, StompVersion.V1_0),
    SUBSCRIBE(false, false, false, StompVersion.V1_0),
    UNSUBSCRIBE(false, false, false, StompVersion.V1_0),
    ACK(false, false, false, StompVersion.V1_0),
    NACK(false, false, false, StompVersion.V1_1),
    BEGIN(false, false, false, StompVersion.V1_0),
    COMMIT(false, false, false, StompVersion.V1_0),
    ABORT(false, false, false, StompVersion.V1_0),
    DISCONNECT(false, false, false, StompVersion.V1_0),
    CONNECTED(true, false, true, StompVersion.V1_0),
    MESSAGE(true, true, false, StompVersion.V1_0),
    RECEIPT(true, false, false, StompVersion.V1_0),
    ERROR(true, true, false, StompVersion.V1_0);

    private static final StompCommand[] VALUES = values();

    private final boolean fromServer;
    private final boolean bodyAllowed;
    private final boolean rawHeaders;
    private final StompVersion since;
    private final byte[] wire;

    StompCommand(boolean fromServer, boolean bodyAllowed, boolean rawHeaders, StompVersion since) {
        this.fromServer = fromServer;
        this.bodyAllowed = bodyAllowed;
        this.rawHeaders = rawHeaders;
        this.since = since;
        this.wire = name().getBytes(StandardCharsets.US_ASCII);
    }

    /** True for the frames a server sends: CONNECTED, MESSAGE, RECEIPT, ERROR. */
    public boolean fromServer() {
        return fromServer;
    }

    /** True for SEND, MESSAGE and ERROR, the only frames that may carry a body (STOMP 1.1 and 1.2). */
    public boolean bodyAllowed() {
        return bodyAllowed;
    }

    /**
     * True for CONNECT, STOMP and CONNECTED, whose headers are never escaped or unescaped in any
     * version, so that a passcode may hold {@code :} and {@code \}.
     */
    public boolean rawHeaders() {
        return rawHeaders;
    }

    /** The first version that has this command. */
    public StompVersion since() {
        return since;
    }

    /** Looks a command up by its wire name; {@code null} when there is none of that name. */
    public static StompCommand of(String name) {
        for (StompCommand c : VALUES) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        return null;
    }

    /**
     * Looks a command up from wire bytes without allocating; {@code null} when the bytes name none.
     */
    public static StompCommand of(byte[] bytes, int offset, int length) {
        for (StompCommand c : VALUES) {
            byte[] w = c.wire;
            if (w.length == length && w[0] == bytes[offset] && matches(w, bytes, offset)) {
                return c;
            }
        }
        return null;
    }

    private static boolean matches(byte[] w, byte[] bytes, int offset) {
        for (int i = 1; i < w.length; i++) {
            if (w[i] != bytes[offset + i]) {
                return false;
            }
        }
        return true;
    }

    /** The command's name as ASCII bytes (a fresh copy). */
    public byte[] toBytes() {
        return wire.clone();
    }

    int wireLength() {
        return wire.length;
    }

    void copyWire(byte[] dst, int at) {
        System.arraycopy(wire, 0, dst, at, wire.length);
    }
}
