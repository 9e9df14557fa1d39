package dev.stompbox.protocol.codec;

import dev.stompbox.protocol.StompCommand;
import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.StompHeaders;
import dev.stompbox.protocol.StompProtocolException;
import dev.stompbox.protocol.StompVersion;
import dev.stompbox.protocol.internal.FrameAccess;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Turns frames into wire bytes for one STOMP version. Thread-safe, and nothing it keeps between calls
 * changes what it writes (only how fast: see {@link #encodeHead}); get one with
 * {@link #of(StompVersion)}.
 *
 * <ul>
 *   <li>Escaping per version: 1.1 escapes {@code \ LF :}, 1.2 also CR; 1.0 and the CONNECT, STOMP
 *       and CONNECTED frames are never escaped, so a header that cannot be written there without
 *       corrupting the stream (an LF, a {@code :} in a name, a CR in 1.2, non-ASCII text in 1.0) is a
 *       {@link StompProtocolException}, never bad bytes.</li>
 *   <li>{@code content-length} is added for every non-empty body unless the frame was built with
 *       {@code contentLength(false)}; a {@code content-length} header already present must match the
 *       body.</li>
 *   <li>A body on a frame that may not have one, or a command the version lacks, is a
 *       {@link StompProtocolException}.</li>
 *   <li>Lines end with LF, which every version accepts.</li>
 * </ul>
 *
 * <pre>{@code
 * StompEncoder encoder = StompEncoder.of(StompVersion.V1_2);
 * byte[] wire = encoder.encode(frame);          // exact-size array
 * encoder.encode(frame, socketOutputStream);    // body written without a copy
 * socketOutputStream.write(StompEncoder.heartBeat());
 * }</pre>
 */
public final class StompEncoder {
    private static final StompEncoder[] BY_VERSION = {
        new StompEncoder(StompVersion.V1_0), new StompEncoder(StompVersion.V1_1), new StompEncoder(StompVersion.V1_2),
    };
    private static final int MAX_CONTENT_LENGTH_DIGITS = 10;
    private static final FrameAccess FRAMES = FrameAccess.get();
    /**
     * Header names found {@link #plain}, by their position in the frame. A producer's frames repeat
     * their names, the same String objects (constants, mostly), so a name found plain at its position
     * is not examined again. Shared by every thread without a lock, as a String's hash is: a slot
     * holds null or a String found plain, and a thread that misses only examines the name again.
     */
    private static final String[] PLAIN_NAMES = new String[16];
    /** 1 for the ASCII characters that escaping, or a refusal, may concern. */
    private static final byte[] SPECIAL = new byte[128];

    static {
        SPECIAL['\\'] = 1;
        SPECIAL['\n'] = 1;
        SPECIAL[':'] = 1;
        SPECIAL['\r'] = 1;
    }

    private final StompVersion version;

    private StompEncoder(StompVersion version) {
        this.version = version;
    }

    /** The encoder for {@code version}. */
    public static StompEncoder of(StompVersion version) {
        return BY_VERSION[Objects.requireNonNull(version, "version").ordinal()];
    }

    public StompVersion version() {
        return version;
    }

    /** The bytes of one heart-beat: a single LF (a fresh array each call). */
    public static byte[] heartBeat() {
        return new byte[] {'\n'};
    }

    /** Writes one heart-beat. */
    public static void writeHeartBeat(OutputStream out) throws IOException {
        out.write('\n');
    }

    /** The exact number of bytes {@link #encode(StompFrame)} produces for this frame. */
    public int encodedLength(StompFrame frame) {
        return headLength(frame) + frame.bodyLength() + 1;
    }

    /**
     * An upper bound of {@link #headLength}, found without looking at a single character: what a
     * buffer for {@link #encodeHead} needs. At most three bytes per header character (a UTF-8
     * sequence, or a two-byte escape), plus the line ends and {@code content-length}.
     */
    public int maxHeadLength(StompFrame frame) {
        long n = frame.command().name().length() + 2L + StompHeaders.CONTENT_LENGTH.length() + 2 + MAX_CONTENT_LENGTH_DIGITS;
        for (int i = 0, size = frame.headerCount(); i < size; i++) {
            n += 3L * (frame.headerName(i).length() + frame.headerValue(i).length()) + 2;
        }
        return (int) Math.min(Integer.MAX_VALUE - 16, n);
    }

    /**
     * Writes the frame's head (see {@link #headLength}) into {@code dst} from {@code offset} and
     * returns the index after it. The caller then writes the body, from {@link StompFrame#bodyBuffer()}
     * (a view: no copy), and one NUL. This is the path of a client that writes into its own buffers:
     * the blocking client encodes the head into its reused output buffer and writes a large body
     * straight from the frame; the asynchronous client encodes into a pooled Netty buffer and hands a
     * large body to Netty as a buffer of its own.
     *
     * <pre>{@code
     * byte[] head = new byte[encoder.maxHeadLength(frame)];      // or a buffer kept for the purpose
     * int end = encoder.encodeHead(frame, head, 0);
     * out.write(head, 0, end);
     * frame.writeBodyTo(out);
     * out.write(0);
     * }</pre>
     *
     * <p>With room for {@link #maxHeadLength} the head is checked and written in one pass; with less,
     * it is measured first. A frame this encoder has measured before ({@link #headLength} or
     * {@link #encodedLength}, as a client's connection measures each frame it queues) and found to be
     * one byte per header character, with nothing to escape, needs only {@link #headLength} bytes of
     * room and is written by copying its strings: its characters are not examined twice.
     *
     * @throws StompProtocolException   if the frame cannot be written in this version; the bytes of
     *                                  {@code dst} from {@code offset} on are then unspecified
     * @throws BufferOverflowException  if {@code dst} has less room than {@link #headLength}; nothing is written
     */
    public int encodeHead(StompFrame frame, byte[] dst, int offset) {
        if (offset < 0 || offset > dst.length) {
            throw new IndexOutOfBoundsException("offset " + offset + " outside an array of " + dst.length);
        }
        if (measuredPlain(frame)) {
            // Measured before (as the engine measures every frame it queues) and found plain: checked
            // then, and every header string now goes in as one copy.
            if (dst.length - offset < plainHeadLength(frame)) {
                throw new BufferOverflowException();
            }
            return writePlainHead(frame, dst, offset);
        }
        if (dst.length - offset >= maxHeadLength(frame)) {
            checkFrame(frame); // and writeHead checks the header text as it writes: one pass
            return writeHead(frame, dst, offset);
        }
        int head = headLength(frame);
        if (dst.length - offset < head) {
            throw new BufferOverflowException();
        }
        return writeHead(frame, dst, offset);
    }

    /** The frame as an exact-size array. */
    public byte[] encode(StompFrame frame) {
        int head = headLength(frame);
        byte[] out = new byte[head + frame.bodyLength() + 1];
        int pos = writeHead(frame, out, 0);
        frame.copyBodyTo(out, pos);
        return out; // the last byte is already NUL
    }

    /**
     * Puts the frame into {@code dst}.
     *
     * @throws BufferOverflowException if {@code dst} has less room than {@link #encodedLength}; then
     *                                 nothing is written
     */
    public void encode(StompFrame frame, ByteBuffer dst) {
        int head = headLength(frame);
        if (dst.remaining() < head + frame.bodyLength() + 1) {
            throw new BufferOverflowException();
        }
        if (dst.hasArray() && !dst.isReadOnly()) {
            int start = dst.arrayOffset() + dst.position();
            byte[] a = dst.array();
            int pos = writeHead(frame, a, start);
            frame.copyBodyTo(a, pos);
            a[pos + frame.bodyLength()] = 0;
            dst.position(dst.position() + head + frame.bodyLength() + 1);
            return;
        }
        byte[] headBytes = new byte[head];
        writeHead(frame, headBytes, 0);
        dst.put(headBytes);
        frame.copyBodyTo(dst);
        dst.put((byte) 0);
    }

    /**
     * Writes the frame: the head in one write, then the body straight from its own memory, then NUL.
     *
     * @return the number of bytes written
     */
    public int encode(StompFrame frame, OutputStream out) throws IOException {
        byte[] head = new byte[headLength(frame)];
        writeHead(frame, head, 0);
        out.write(head);
        if (frame.bodyLength() > 0) {
            frame.writeBodyTo(out);
        }
        out.write(0);
        return head.length + frame.bodyLength() + 1;
    }

    // ---------------------------------------------------------------------------------------------

    private boolean addsContentLength(StompFrame frame) {
        return frame.bodyLength() > 0 && frame.includesContentLength() && frame.header(StompHeaders.CONTENT_LENGTH) == null;
    }

    /**
     * The exact length of the frame's head: its command, its headers (and the {@code content-length}
     * the encoder adds), and the blank line. The body and one NUL follow it on the wire.
     *
     * @throws StompProtocolException if the frame cannot be written in this version
     */
    public int headLength(StompFrame frame) {
        checkFrame(frame);
        StompCommand command = frame.command();
        int bodyLength = frame.bodyLength();
        boolean escape = version.escapes(command);
        int n = command.name().length() + 1;
        int chars = 0;
        for (int i = 0, size = frame.headerCount(); i < size; i++) {
            String name = frame.headerName(i);
            if (name.isEmpty()) {
                throw new StompProtocolException("Cannot encode " + command + ": empty header name");
            }
            String value = frame.headerValue(i);
            chars += name.length() + value.length();
            int nameBytes = i < PLAIN_NAMES.length && PLAIN_NAMES[i] == name ? name.length() : measureName(i, command, name, escape);
            n += nameBytes + 1 + measure(command, name, value, false, escape) + 1;
        }
        if (n == command.name().length() + 1 + chars + 2 * frame.headerCount()) {
            // Each character measured one byte: ASCII, written as itself (an escape or a multi-byte
            // character measures more). The next write of this frame in this version copies strings.
            int bit = 1 << version.ordinal();
            int known = FRAMES.plainIn(frame);
            if ((known & bit) == 0) {
                FRAMES.plainIn(frame, known | bit);
            }
        }
        if (addsContentLength(frame)) {
            n += StompHeaders.CONTENT_LENGTH.length() + 1 + digits(bodyLength) + 1;
        }
        return n + 1;
    }

    private int measureName(int i, StompCommand command, String name, boolean escape) {
        if (plain(name)) {
            if (i < PLAIN_NAMES.length) {
                PLAIN_NAMES[i] = name;
            }
            return name.length();
        }
        return measureEach(command, name, name, true, escape);
    }

    private boolean measuredPlain(StompFrame frame) {
        return (FRAMES.plainIn(frame) & (1 << version.ordinal())) != 0;
    }

    /** {@link #headLength} of a frame {@link #measuredPlain}: its characters, one byte each, and the line ends. */
    private int plainHeadLength(StompFrame frame) {
        int n = frame.command().name().length() + 1;
        for (int i = 0, size = frame.headerCount(); i < size; i++) {
            n += frame.headerName(i).length() + frame.headerValue(i).length() + 2;
        }
        if (addsContentLength(frame)) {
            n += StompHeaders.CONTENT_LENGTH.length() + 1 + digits(frame.bodyLength()) + 1;
        }
        return n + 1;
    }

    /** {@link #writeHead} for a frame {@link #measuredPlain}: every string copied as it is. */
    private int writePlainHead(StompFrame frame, byte[] out, int pos) {
        pos = copy(frame.command().name(), out, pos);
        out[pos++] = '\n';
        for (int i = 0, size = frame.headerCount(); i < size; i++) {
            pos = copy(frame.headerName(i), out, pos);
            out[pos++] = ':';
            pos = copy(frame.headerValue(i), out, pos);
            out[pos++] = '\n';
        }
        if (addsContentLength(frame)) {
            pos = copy(StompHeaders.CONTENT_LENGTH, out, pos);
            out[pos++] = ':';
            pos = writeDigits(frame.bodyLength(), out, pos);
            out[pos++] = '\n';
        }
        out[pos++] = '\n';
        return pos;
    }

    /** The characters of an ASCII string, a byte each: one array copy for a compact string. */
    @SuppressWarnings("deprecation") // the one String method that copies into a given byte array without a charset
    private static int copy(String s, byte[] out, int pos) {
        int n = s.length();
        s.getBytes(0, n, out, pos);
        return pos + n;
    }

    /** The checks of a frame that do not depend on its header text: command, body, content-length. */
    private void checkFrame(StompFrame frame) {
        StompCommand command = frame.command();
        if (!version.supports(command)) {
            throw new StompProtocolException("Cannot encode " + command + ": not a STOMP " + version.text() + " command");
        }
        int bodyLength = frame.bodyLength();
        if (bodyLength > 0 && !command.bodyAllowed()) {
            throw new StompProtocolException("Cannot encode " + command + " with a body: only SEND, MESSAGE and ERROR"
                    + " frames may have one");
        }
        String declared = frame.header(StompHeaders.CONTENT_LENGTH);
        if (declared != null && !isDecimal(declared, bodyLength)) {
            throw new StompProtocolException("Cannot encode " + command + ": content-length header says '" + declared
                    + "' but the body has " + bodyLength + " bytes");
        }
        if (declared == null && !frame.includesContentLength() && bodyLength > 0 && bodyHasNul(frame)) {
            throw new StompProtocolException("Cannot encode " + command + " without content-length: the body contains"
                    + " a NUL byte, which would end the frame early");
        }
    }

    /** Writes the head; refuses a header the version cannot carry, as {@link #headLength} does. */
    private int writeHead(StompFrame frame, byte[] out, int pos) {
        if (measuredPlain(frame)) {
            return writePlainHead(frame, out, pos);
        }
        StompCommand command = frame.command();
        String name = command.name();
        for (int i = 0; i < name.length(); i++) {
            out[pos++] = (byte) name.charAt(i);
        }
        out[pos++] = '\n';
        boolean escape = version.escapes(command);
        for (int i = 0, size = frame.headerCount(); i < size; i++) {
            String header = frame.headerName(i);
            if (header.isEmpty()) {
                throw new StompProtocolException("Cannot encode " + command + ": empty header name");
            }
            pos = write(command, header, header, true, escape, out, pos);
            out[pos++] = ':';
            pos = write(command, header, frame.headerValue(i), false, escape, out, pos);
            out[pos++] = '\n';
        }
        if (addsContentLength(frame)) {
            pos = write(command, StompHeaders.CONTENT_LENGTH, StompHeaders.CONTENT_LENGTH, true, false, out, pos);
            out[pos++] = ':';
            pos = writeDigits(frame.bodyLength(), out, pos);
            out[pos++] = '\n';
        }
        out[pos++] = '\n';
        return pos;
    }

    /** Writes one header name or value for the version, escaped where it escapes; refuses what {@link #measure} refuses. */
    private int write(StompCommand command, String header, String s, boolean name, boolean escape, byte[] out, int pos) {
        for (int i = 0, len = s.length(); i < len; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                if (c == '\\' || c == '\n' || c == ':' || c == '\r') {
                    if (special(command, header, c, name, escape) == 2) {
                        out[pos++] = '\\';
                        out[pos++] = (byte) (c == '\\' ? '\\' : c == '\n' ? 'n' : c == ':' ? 'c' : 'r');
                        continue;
                    }
                }
                out[pos++] = (byte) c;
            } else if (version == StompVersion.V1_0) {
                measure(command, header, String.valueOf(c), name, false); // throws the non-ASCII refusal
            } else if (c < 0x800) {
                out[pos++] = (byte) (0xc0 | (c >> 6));
                out[pos++] = (byte) (0x80 | (c & 0x3f));
            } else if (Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                out[pos++] = (byte) (0xf0 | (cp >> 18));
                out[pos++] = (byte) (0x80 | ((cp >> 12) & 0x3f));
                out[pos++] = (byte) (0x80 | ((cp >> 6) & 0x3f));
                out[pos++] = (byte) (0x80 | (cp & 0x3f));
            } else if (Character.isSurrogate(c)) {
                measure(command, header, String.valueOf(c), name, false); // throws the unpaired-surrogate refusal
            } else {
                out[pos++] = (byte) (0xe0 | (c >> 12));
                out[pos++] = (byte) (0x80 | ((c >> 6) & 0x3f));
                out[pos++] = (byte) (0x80 | (c & 0x3f));
            }
        }
        return pos;
    }

    private static boolean bodyHasNul(StompFrame frame) {
        ByteBuffer b = frame.bodyBuffer();
        for (int i = b.position(), lim = b.limit(); i < lim; i++) {
            if (b.get(i) == 0) {
                return true;
            }
        }
        return false;
    }

    private int measure(StompCommand command, String header, String s, boolean name, boolean escape) {
        return plain(s) ? s.length() : measureEach(command, header, s, name, escape);
    }

    /** {@link #measure} character by character: for a string {@link #plain} found not plain. */
    private int measureEach(StompCommand command, String header, String s, boolean name, boolean escape) {
        int n = 0;
        for (int i = 0, len = s.length(); i < len; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                if (c == '\\' || c == '\n' || c == ':' || c == '\r') {
                    n += special(command, header, c, name, escape);
                } else {
                    n++;
                }
            } else if (version == StompVersion.V1_0) {
                throw new StompProtocolException("Cannot encode header '" + header + "' in STOMP 1.0: non-ASCII"
                        + " character '" + c + "' (1.0 headers are ASCII; use 1.1 or later for UTF-8)");
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new StompProtocolException("Cannot encode header '" + header + "': unpaired surrogate"
                        + " (not valid UTF-16 text)");
            } else {
                n += 3;
            }
        }
        return n;
    }

    /**
     * Whether every character is ASCII and none is one the rules may turn into something else ({@code \\},
     * LF, {@code :}, CR): then it is one byte, itself, in every version and command. One test per
     * character and no branch, so that the common header is measured at the speed of a copy.
     */
    private static boolean plain(String s) {
        int flags = 0;
        for (int i = 0, len = s.length(); i < len; i++) {
            char c = s.charAt(i);
            flags |= (c >>> 7) | SPECIAL[c & 0x7f];
        }
        return flags == 0;
    }

    private int special(StompCommand command, String header, char c, boolean name, boolean escape) {
        if (escape) {
            return c == '\r' && !version.escapesCarriageReturn() ? 1 : 2;
        }
        // Unescaped: 1.0, or CONNECT/STOMP/CONNECTED in any version.
        switch (c) {
            case '\n':
                throw new StompProtocolException(unencodable(command, header, "a line feed"));
            case '\r':
                if (version.acceptsCrLf()) {
                    throw new StompProtocolException(unencodable(command, header, "a carriage return"));
                }
                return 1;
            case ':':
                if (name) {
                    throw new StompProtocolException(unencodable(command, header, "':' in its name"));
                }
                return 1;
            default:
                return 1;
        }
    }

    private String unencodable(StompCommand command, String header, String what) {
        return "Cannot encode header '" + header + "' of " + command + " in STOMP " + version.text() + ": it contains "
                + what + ", which " + (version == StompVersion.V1_0 ? "STOMP 1.0" : command.name())
                + " headers cannot escape";
    }

    /** Whether {@code s} is {@code v} written in decimal, as {@code Integer.toString} would (without making that string). */
    private static boolean isDecimal(String s, int v) {
        int d = digits(v);
        if (s.length() != d) {
            return false;
        }
        for (int i = d - 1; i >= 0; i--) {
            if (s.charAt(i) != '0' + v % 10) {
                return false;
            }
            v /= 10;
        }
        return true;
    }

    private static int digits(int v) {
        int d = 1;
        while (v >= 10 && d < MAX_CONTENT_LENGTH_DIGITS) {
            v /= 10;
            d++;
        }
        return d;
    }

    private static int writeDigits(int v, byte[] out, int pos) {
        int d = digits(v);
        for (int i = pos + d - 1; i >= pos; i--) {
            out[i] = (byte) ('0' + v % 10);
            v /= 10;
        }
        return pos + d;
    }
}
