package dev.stompbox.protocol.codec;

/**
 * The bounds a {@link StompParser} enforces, so that a hostile or broken peer cannot make it buffer
 * without end. Exceeding one is a {@link dev.stompbox.protocol.StompFrameException} naming the
 * limit, raised before the memory is spent.
 *
 * <ul>
 *   <li>{@code maxHeaderLineLength}: bytes in the command line or one header line, EOL not counted
 *       (default 64 KiB);</li>
 *   <li>{@code maxHeaders}: header lines in one frame (default 1 000);</li>
 *   <li>{@code maxFrameSize}: bytes of one frame, command, headers and body together (default
 *       64 MiB).</li>
 * </ul>
 *
 * <pre>{@code
 * StompParser parser = new StompParser(StompVersion.V1_2,
 *         ParserLimits.defaults().withMaxFrameSize(1 << 20));
 * }</pre>
 */
public record ParserLimits(int maxHeaderLineLength, int maxHeaders, int maxFrameSize) {
    public static final int DEFAULT_MAX_HEADER_LINE_LENGTH = 64 * 1024;
    public static final int DEFAULT_MAX_HEADERS = 1000;
    public static final int DEFAULT_MAX_FRAME_SIZE = 64 * 1024 * 1024;

    private static final ParserLimits DEFAULTS =
            new ParserLimits(DEFAULT_MAX_HEADER_LINE_LENGTH, DEFAULT_MAX_HEADERS, DEFAULT_MAX_FRAME_SIZE);

    public ParserLimits {
        if (maxHeaderLineLength < 1 || maxHeaders < 0 || maxFrameSize < 2) {
            throw new IllegalArgumentException("invalid parser limits: maxHeaderLineLength=" + maxHeaderLineLength
                    + " (>= 1), maxHeaders=" + maxHeaders + " (>= 0), maxFrameSize=" + maxFrameSize + " (>= 2)");
        }
        if (maxFrameSize == Integer.MAX_VALUE) {
            throw new IllegalArgumentException("maxFrameSize must be below Integer.MAX_VALUE");
        }
    }

    public static ParserLimits defaults() {
        return DEFAULTS;
    }

    public ParserLimits withMaxHeaderLineLength(int value) {
        return new ParserLimits(value, maxHeaders, maxFrameSize);
    }

    public ParserLimits withMaxHeaders(int value) {
        return new ParserLimits(maxHeaderLineLength, value, maxFrameSize);
    }

    public ParserLimits withMaxFrameSize(int value) {
        return new ParserLimits(maxHeaderLineLength, maxHeaders, value);
    }
}
