package dev.stompbox.protocol;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A STOMP protocol version and the rules that differ between versions.
 *
 * <table>
 *   <caption>What changes with the version</caption>
 *   <tr><th></th><th>1.0</th><th>1.1</th><th>1.2</th></tr>
 *   <tr><td>STOMP, NACK commands</td><td>no</td><td>yes</td><td>yes</td></tr>
 *   <tr><td>header escapes</td><td>none</td><td>{@code \\ \n \c}</td><td>{@code \\ \n \c \r}</td></tr>
 *   <tr><td>end of line</td><td>LF</td><td>LF</td><td>LF or CRLF</td></tr>
 *   <tr><td>heart-beats</td><td>no</td><td>yes</td><td>yes</td></tr>
 *   <tr><td>ACK/NACK headers</td><td>message-id</td><td>subscription, message-id</td><td>id (= the MESSAGE's ack)</td></tr>
 *   <tr><td>body on frames other than SEND, MESSAGE, ERROR</td><td>tolerated</td><td>error</td><td>error</td></tr>
 * </table>
 *
 * <pre>{@code
 * StompVersion.versions(StompVersion.V1_1);   // [V1_0, V1_1]
 * StompVersion.of("1.2").supports(StompCommand.NACK); // true
 * }</pre>
 */
public enum StompVersion {
    V1_0("1.0"),
    V1_1("1.1"),
    V1_2("1.2");

    private static final StompVersion[] VALUES = values();

    private final String text;

    StompVersion(String text) {
        this.text = text;
    }

    /** The version as written in {@code accept-version} and {@code version} headers. */
    public String text() {
        return text;
    }

    /** The highest version Stompbox speaks. */
    public static StompVersion latest() {
        return V1_2;
    }

    /**
     * Parses a version string such as {@code "1.1"}.
     *
     * @throws StompProtocolException if it is not a version Stompbox speaks
     */
    public static StompVersion of(String text) {
        for (StompVersion v : VALUES) {
            if (v.text.equals(text)) {
                return v;
            }
        }
        throw new StompProtocolException("Invalid STOMP version: '" + text + "' (valid: 1.0, 1.1, 1.2)");
    }

    /** All versions up to and including {@code max}, oldest first, as in stompest's {@code versions()}. */
    public static List<StompVersion> versions(StompVersion max) {
        List<StompVersion> list = new ArrayList<>(3);
        for (StompVersion v : VALUES) {
            if (v.compareTo(max) <= 0) {
                list.add(v);
            }
        }
        return Collections.unmodifiableList(list);
    }

    /** Whether this version has the command (1.0 has neither STOMP nor NACK). */
    public boolean supports(StompCommand command) {
        return command.since().compareTo(this) <= 0;
    }

    /**
     * Whether headers of this command are escaped in this version: never in 1.0, and never for
     * CONNECT, STOMP and CONNECTED.
     */
    public boolean escapes(StompCommand command) {
        return this != V1_0 && !command.rawHeaders();
    }

    /** Whether {@code \r} is an escape (1.2) rather than an ordinary octet in header text. */
    public boolean escapesCarriageReturn() {
        return this == V1_2;
    }

    /** Whether a line may end in CRLF (1.2); before 1.2 only LF ends a line and CR is an ordinary octet. */
    public boolean acceptsCrLf() {
        return this == V1_2;
    }

    /** Whether this version negotiates heart-beats (1.1 and later). */
    public boolean hasHeartBeats() {
        return this != V1_0;
    }

    /**
     * Whether a frame of this command may carry a body in this version. 1.1 and 1.2 say that only
     * SEND, MESSAGE and ERROR may; 1.0 says no such thing (its SUBSCRIBE body "is ignored"), so a
     * 1.0 peer's body is accepted and kept.
     */
    public boolean allowsBody(StompCommand command) {
        return this == V1_0 || command.bodyAllowed();
    }

    /**
     * The headers an ACK or NACK carries in this version, in order: {@code message-id} (1.0),
     * {@code subscription} and {@code message-id} (1.1), {@code id} (1.2, the value of the
     * MESSAGE's {@code ack} header).
     */
    public List<String> ackHeaders() {
        switch (this) {
            case V1_0:
                return List.of(StompHeaders.MESSAGE_ID);
            case V1_1:
                return List.of(StompHeaders.SUBSCRIPTION, StompHeaders.MESSAGE_ID);
            default:
                return List.of(StompHeaders.ID);
        }
    }

    @Override
    public String toString() {
        return text;
    }
}
