package dev.stompbox.protocol;

import dev.stompbox.protocol.internal.FrameAccess;
import dev.stompbox.protocol.internal.KnownStrings;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.RandomAccess;
import java.util.Set;

/**
 * An immutable STOMP frame: a command, an ordered list of headers that keeps duplicates, and a body
 * of bytes.
 *
 * <p>Headers are kept exactly as they came, in order, repeats included ({@link #headers()}, the
 * equivalent of stompest's {@code rawHeaders}); {@link #header(String)} answers with the first
 * occurrence, which is the one the specification says wins.
 *
 * <p>The body is bytes. {@link Builder#body(byte[])} copies what it is given;
 * {@link Builder#bodyWithoutCopy(byte[])} and {@link Builder#bodyWithoutCopy(ByteBuffer)} adopt the
 * caller's memory, which the caller must then leave alone. Frames are safe to share between threads.
 *
 * <p>{@link #toString()} and {@link #info()} never print a {@code passcode}.
 *
 * <pre>{@code
 * StompFrame send = StompFrame.builder(StompCommand.SEND)
 *         .header("destination", "/queue/a")
 *         .body("hello")
 *         .build();
 * StompFrame withReceipt = send.withHeader("receipt", "r-1");
 * String destination = send.header("destination");        // "/queue/a"
 * log.debug("sent {}", send.info());                        // SEND destination:/queue/a body(5)='hello'
 * }</pre>
 */
public final class StompFrame {
    /** How much of the body {@link #info()} and {@link #toString()} show. */
    public static final int DEFAULT_INFO_LENGTH = 64;

    private static final String[] NO_HEADERS = new String[0];
    private static final byte[] NO_BODY = new byte[0];
    private static final Set<String> ALWAYS_MASKED = Set.of(StompHeaders.PASSCODE);

    static {
        FrameAccess.install(new FrameAccess() {
            @Override
            public StompFrame adopt(StompCommand command, String[] namesAndValues, int count, byte[] raw,
                                    int[] bounds, byte[] body, int offset, int length, int wireLength) {
                return new StompFrame(command, namesAndValues, count, raw, bounds, body, offset, length, null, true,
                        wireLength);
            }

            @Override
            public int plainIn(StompFrame frame) {
                return frame.plainIn;
            }

            @Override
            public void plainIn(StompFrame frame, int versions) {
                frame.plainIn = versions;
            }
        });
    }

    private final StompCommand command;
    // Names at 2i, values at 2i+1. A parsed frame may leave a value null: its ASCII bytes wait in
    // raw[bounds[2i], bounds[2i+1]) and become a String on first access. Decoding on demand is what
    // keeps parsing cheap, since most readers look at a few headers only. Two threads may both
    // decode the same value; each stores an equal String, and String's final fields make the
    // unsynchronised publication safe.
    private final String[] namesAndValues;
    private final int headerCount;
    private final byte[] raw;
    private final int[] bounds;
    // Body: either a heap region (array, offset, length) or a direct buffer (direct != null).
    private final byte[] array;
    private final int offset;
    private final int length;
    private final ByteBuffer direct;
    private final boolean contentLength;
    private final int wireLength;
    // Not part of the value: what the encoder learnt measuring this frame, so that writing it after
    // (the engine measures a frame when it is queued, the client writes it later) copies its header
    // strings instead of examining every character again. A bit per version (StompEncoder); an
    // unsynchronised int, as String's hash: a thread sees 0 or bits that hold, and 0 only costs the
    // careful write.
    private int plainIn;

    private StompFrame(StompCommand command, String[] namesAndValues, int headerCount, byte[] raw, int[] bounds,
                       byte[] array, int offset, int length, ByteBuffer direct, boolean contentLength, int wireLength) {
        this.command = command;
        this.namesAndValues = namesAndValues;
        this.headerCount = headerCount;
        this.raw = raw;
        this.bounds = bounds;
        this.array = array;
        this.offset = offset;
        this.length = length;
        this.direct = direct;
        this.contentLength = contentLength;
        this.wireLength = wireLength;
    }

    /** A frame with no headers and no body. */
    public static StompFrame of(StompCommand command) {
        return new StompFrame(Objects.requireNonNull(command, "command"), NO_HEADERS, 0, null, null, NO_BODY, 0, 0,
                null, true, -1);
    }

    /** A builder for a frame of this command. */
    public static Builder builder(StompCommand command) {
        return new Builder(Objects.requireNonNull(command, "command"));
    }

    /** A builder that starts with this frame's command, headers and body. */
    public Builder toBuilder() {
        Builder b = new Builder(command);
        b.headers.addAll(headers());
        b.array = array;
        b.offset = offset;
        b.length = length;
        b.direct = direct;
        b.contentLength = contentLength;
        return b;
    }

    public StompCommand command() {
        return command;
    }

    /** All headers in wire order, duplicates included. Unmodifiable. */
    public List<Header> headers() {
        return new HeaderList(this);
    }

    /**
     * The headers as a new map in wire order, each name once with the value that counts in STOMP:
     * that of its first occurrence. The map is the caller's to change; the frame stays as it is.
     *
     * <pre>{@code
     * Map<String, String> h = frame.headerMap();   // {destination=/queue/a, priority=4}
     * }</pre>
     */
    public Map<String, String> headerMap() {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < headerCount; i++) {
            map.putIfAbsent(namesAndValues[2 * i], value(i));
        }
        return map;
    }

    /** Number of header entries, duplicates included; with {@link #headerName} and {@link #headerValue}, a walk without allocation. */
    public int headerCount() {
        return headerCount;
    }

    /**
     * The name of the header at {@code index} in wire order.
     *
     * @throws IndexOutOfBoundsException unless {@code 0 <= index < headerCount()}
     */
    public String headerName(int index) {
        Objects.checkIndex(index, headerCount);
        return namesAndValues[2 * index];
    }

    /**
     * The value of the header at {@code index} in wire order.
     *
     * @throws IndexOutOfBoundsException unless {@code 0 <= index < headerCount()}
     */
    public String headerValue(int index) {
        Objects.checkIndex(index, headerCount);
        return value(index);
    }

    private String value(int i) {
        String v = namesAndValues[2 * i + 1];
        if (v == null) {
            int from = bounds[2 * i];
            // Negative: the parser found these bytes to be an earlier header's value (a 1.2 MESSAGE's
            // ack repeating its message-id), and one String serves both.
            v = from < 0 ? value(-1 - from) : KnownStrings.HEADER_VALUES.string(raw, from, bounds[2 * i + 1] - from);
            namesAndValues[2 * i + 1] = v;
        }
        return v;
    }

    /** The value of the first header with this name (the one that counts), or {@code null}. */
    public String header(String name) {
        for (int i = 0; i < headerCount; i++) {
            if (namesAndValues[2 * i].equals(name)) {
                return value(i);
            }
        }
        return null;
    }

    /** The value of the first header with this name, or {@code defaultValue} when there is none. */
    public String header(String name, String defaultValue) {
        String v = header(name);
        return v == null ? defaultValue : v;
    }

    /** Every value of this header, in wire order (empty when absent). */
    public List<String> headers(String name) {
        List<String> values = new ArrayList<>(1);
        for (int i = 0; i < headerCount; i++) {
            if (namesAndValues[2 * i].equals(name)) {
                values.add(value(i));
            }
        }
        return values;
    }

    public boolean hasHeader(String name) {
        return header(name) != null;
    }

    /**
     * How many bytes this frame took on the wire, from its command to its NUL (heart-beats before it
     * not counted), when it came from a {@link dev.stompbox.protocol.codec.StompParser}; -1 for a
     * frame built in code. Not part of {@link #equals(Object)}.
     */
    public int wireLength() {
        return wireLength;
    }

    /** Number of body bytes. */
    public int bodyLength() {
        return length;
    }

    public boolean hasBody() {
        return length > 0;
    }

    /** A copy of the body. */
    public byte[] body() {
        byte[] copy = new byte[length];
        copyBodyTo(copy, 0);
        return copy;
    }

    /** A read-only view of the body, without copying. */
    public ByteBuffer bodyBuffer() {
        if (direct != null) {
            return direct.asReadOnlyBuffer();
        }
        return ByteBuffer.wrap(array, offset, length).slice().asReadOnlyBuffer();
    }

    /** The body decoded as UTF-8 (malformed input replaced, never thrown). */
    public String bodyAsString() {
        return bodyAsString(StandardCharsets.UTF_8);
    }

    /** The body decoded with {@code charset}. */
    public String bodyAsString(Charset charset) {
        if (direct != null) {
            return charset.decode(direct.duplicate()).toString();
        }
        return new String(array, offset, length, charset);
    }

    /** Copies the body into {@code dst} at {@code at}. */
    public void copyBodyTo(byte[] dst, int at) {
        if (direct != null) {
            direct.duplicate().get(dst, at, length);
        } else {
            System.arraycopy(array, offset, dst, at, length);
        }
    }

    /** Puts the body into {@code dst}, advancing its position. */
    public void copyBodyTo(ByteBuffer dst) {
        if (direct != null) {
            dst.put(direct.duplicate());
        } else {
            dst.put(array, offset, length);
        }
    }

    /** Writes the body to {@code out}; a heap body is written straight from its array, without a copy. */
    public void writeBodyTo(OutputStream out) throws IOException {
        if (direct == null) {
            out.write(array, offset, length);
            return;
        }
        ByteBuffer src = direct.duplicate();
        byte[] chunk = new byte[Math.min(src.remaining(), 8192)];
        while (src.hasRemaining()) {
            int n = Math.min(chunk.length, src.remaining());
            src.get(chunk, 0, n);
            out.write(chunk, 0, n);
        }
    }

    /**
     * Whether an encoder adds {@code content-length} for this frame's body (the default). Frames
     * built with {@link Builder#contentLength(boolean) contentLength(false)} answer false: ActiveMQ
     * delivers such a SEND as a TextMessage rather than a BytesMessage.
     */
    public boolean includesContentLength() {
        return contentLength;
    }

    /** This frame with every {@code name} header replaced by one {@code name:value}, placed last. */
    public StompFrame withHeader(String name, String value) {
        return toBuilder().setHeader(name, value).build();
    }

    /** This frame with one more {@code name:value} header at the end (earlier ones still win). */
    public StompFrame withAddedHeader(String name, String value) {
        return toBuilder().header(name, value).build();
    }

    /** This frame without any {@code name} header. */
    public StompFrame withoutHeader(String name) {
        return toBuilder().removeHeader(name).build();
    }

    /** This frame with a copy of {@code body} as its body. */
    public StompFrame withBody(byte[] body) {
        return toBuilder().body(body).build();
    }

    /** A log line: command, headers, and up to {@value #DEFAULT_INFO_LENGTH} body bytes; passcode masked. */
    public String info() {
        return info(DEFAULT_INFO_LENGTH);
    }

    /** A log line with up to {@code maxBody} body bytes shown; passcode masked. */
    public String info(int maxBody) {
        return info(maxBody, ALWAYS_MASKED);
    }

    /**
     * A log line with up to {@code maxBody} body bytes shown, non-printable bytes escaped, and the
     * values of {@code passcode} and of every header in {@code sensitive} shown as {@code ***}.
     */
    public String info(int maxBody, Collection<String> sensitive) {
        if (maxBody < 0) {
            throw new IllegalArgumentException("maxBody must not be negative: " + maxBody);
        }
        StringBuilder sb = new StringBuilder(64);
        sb.append(command.name());
        for (int i = 0; i < headerCount; i++) {
            String name = namesAndValues[2 * i];
            sb.append(i == 0 ? " " : ", ");
            escapeText(sb, name);
            sb.append(':');
            if (ALWAYS_MASKED.contains(name) || sensitive.contains(name)) {
                sb.append("***");
            } else {
                escapeText(sb, value(i));
            }
        }
        if (length > 0) {
            sb.append(" body(").append(length).append(")='");
            int shown = Math.min(maxBody, length);
            for (int i = 0; i < shown; i++) {
                escapeByte(sb, bodyByte(i));
            }
            sb.append('\'');
            if (shown < length) {
                sb.append("...");
            }
        }
        return sb.toString();
    }

    private byte bodyByte(int i) {
        return direct != null ? direct.get(direct.position() + i) : array[offset + i];
    }

    private static void escapeText(StringBuilder sb, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                escapeByte(sb, (byte) c);
            } else {
                sb.append(c);
            }
        }
    }

    private static final char[] HEX_DIGITS = "0123456789abcdef".toCharArray();

    private static void escapeByte(StringBuilder sb, byte b) {
        int v = b & 0xff;
        switch (v) {
            case '\n' -> sb.append("\\n");
            case '\r' -> sb.append("\\r");
            case '\t' -> sb.append("\\t");
            case '\\' -> sb.append("\\\\");
            case '\'' -> sb.append("\\'");
            default -> {
                if (v >= 0x20 && v < 0x7f) {
                    sb.append((char) v);
                } else {
                    sb.append("\\x").append(HEX_DIGITS[v >>> 4]).append(HEX_DIGITS[v & 0xf]); // String.format here made a 20 MB binary body take seconds to show
                }
            }
        }
    }

    /** {@code StompFrame[...]} around {@link #info()}: safe to log, never shows a passcode. */
    @Override
    public String toString() {
        return "StompFrame[" + info() + "]";
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof StompFrame)) {
            return false;
        }
        StompFrame other = (StompFrame) o;
        return command == other.command
                && contentLength == other.contentLength
                && headers().equals(other.headers())
                && bodyBuffer().equals(other.bodyBuffer());
    }

    @Override
    public int hashCode() {
        return Objects.hash(command, headers(), bodyBuffer(), contentLength);
    }

    private static final class HeaderList extends AbstractList<Header> implements RandomAccess {
        private final StompFrame frame;

        HeaderList(StompFrame frame) {
            this.frame = frame;
        }

        @Override
        public Header get(int index) {
            return new Header(frame.headerName(index), frame.value(index));
        }

        @Override
        public int size() {
            return frame.headerCount;
        }
    }

    /**
     * Builds a {@link StompFrame}. Not thread-safe; each {@link #build()} produces an independent
     * frame (a body adopted with {@code bodyWithoutCopy} is shared, as its name says).
     */
    public static final class Builder {
        private final StompCommand command;
        private final List<Header> headers = new ArrayList<>();
        private byte[] array = NO_BODY;
        private int offset;
        private int length;
        private ByteBuffer direct;
        private boolean contentLength = true;

        private Builder(StompCommand command) {
            this.command = command;
        }

        /** Appends a header; an existing header of the same name keeps precedence (first wins). */
        public Builder header(String name, String value) {
            headers.add(new Header(name, value));
            return this;
        }

        /** Appends a header. */
        public Builder header(Header header) {
            headers.add(Objects.requireNonNull(header, "header"));
            return this;
        }

        /** Appends headers in the iteration order of the collection. */
        public Builder headers(Collection<Header> more) {
            for (Header h : more) {
                header(h);
            }
            return this;
        }

        /** Appends headers in the iteration order of the map. */
        public Builder headers(Map<String, String> more) {
            more.forEach(this::header);
            return this;
        }

        /** Removes every header of this name, then appends {@code name:value}. */
        public Builder setHeader(String name, String value) {
            removeHeader(name);
            return header(name, value);
        }

        /** Removes every header of this name. */
        public Builder removeHeader(String name) {
            headers.removeIf(h -> h.name().equals(name));
            return this;
        }

        /** Sets the body to a copy of {@code body}. */
        public Builder body(byte[] body) {
            return bodyWithoutCopy(body.clone());
        }

        /** Sets the body to the UTF-8 bytes of {@code text}. */
        public Builder body(String text) {
            return bodyWithoutCopy(text.getBytes(StandardCharsets.UTF_8));
        }

        /** Sets the body to {@code text} encoded with {@code charset}. */
        public Builder body(String text, Charset charset) {
            return bodyWithoutCopy(text.getBytes(charset));
        }

        /**
         * Adopts {@code body} without copying it. The caller hands the array over and must not
         * change it afterwards, or the frame changes with it.
         */
        public Builder bodyWithoutCopy(byte[] body) {
            return bodyWithoutCopy(body, 0, body.length);
        }

        /** Adopts {@code length} bytes of {@code body} from {@code offset} without copying them. */
        public Builder bodyWithoutCopy(byte[] body, int offset, int length) {
            Objects.checkFromIndexSize(offset, length, body.length);
            this.array = body;
            this.offset = offset;
            this.length = length;
            this.direct = null;
            return this;
        }

        /**
         * Adopts the remaining bytes of {@code body} (position to limit) without copying them; the
         * buffer's own position and limit are left as they are. The caller must not change the
         * bytes afterwards.
         */
        public Builder bodyWithoutCopy(ByteBuffer body) {
            if (body.hasArray() && !body.isReadOnly()) {
                return bodyWithoutCopy(body.array(), body.arrayOffset() + body.position(), body.remaining());
            }
            this.direct = body.slice();
            this.array = null;
            this.offset = 0;
            this.length = direct.remaining();
            return this;
        }

        /**
         * Whether the encoder adds {@code content-length} for the body (default true). With false a
         * body must not contain NUL bytes, since its end is then the first NUL.
         */
        public Builder contentLength(boolean include) {
            this.contentLength = include;
            return this;
        }

        public StompFrame build() {
            int n = headers.size();
            String[] nv = n == 0 ? NO_HEADERS : new String[2 * n];
            for (int i = 0; i < n; i++) {
                Header h = headers.get(i);
                nv[2 * i] = h.name();
                nv[2 * i + 1] = h.value();
            }
            return new StompFrame(command, nv, n, null, null, array, offset, length, direct, contentLength, -1);
        }
    }
}
