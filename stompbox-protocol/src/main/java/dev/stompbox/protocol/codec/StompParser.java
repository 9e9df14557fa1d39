// Over 600 lines on purpose: one incremental scanner whose states share the input buffer and the
// indices of the per-byte loop; split into classes, the hot path would pay calls and field copies.
package dev.stompbox.protocol.codec;

import dev.stompbox.protocol.StompCommand;
import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.StompFrameException;
import dev.stompbox.protocol.StompHeaders;
import dev.stompbox.protocol.StompVersion;
import dev.stompbox.protocol.internal.FrameAccess;
import dev.stompbox.protocol.internal.HeaderNames;
import dev.stompbox.protocol.internal.IndexMemo;
import dev.stompbox.protocol.internal.KnownStrings;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Objects;

/**
 * Incremental parser of a STOMP byte stream (stompest's {@code StompParser}): {@link #add} bytes as
 * they arrive, in any fragmentation, and take complete frames with {@link #get()}.
 *
 * <p><b>Exact.</b> Parses to the letter of the specification of the current {@link #version()}:
 * escapes per version, no unescaping for CONNECT/STOMP/CONNECTED, nothing trimmed, repeated headers
 * all kept (the first wins in {@link StompFrame#header(String)}), LF and (1.2) CRLF line ends with a
 * bare CR rejected, {@code content-length} as a byte count with a mandatory NUL after the body, a
 * body only where the version allows one, and only the commands the version has.
 *
 * <p><b>Heart-beats.</b> EOLs between frames are heart-beats; they are counted in
 * {@link #heartBeats()} and never become part of a frame.
 *
 * <p><b>Version negotiation.</b> Start with the highest version offered. After a CONNECTED frame the
 * parser stops and leaves any further bytes unparsed until that frame has been taken with
 * {@link #get()}; set the negotiated {@link #version(StompVersion)} then, and the bytes that
 * followed CONNECTED are parsed with its rules.
 *
 * <p><b>Bounded.</b> The {@link ParserLimits} are checked while scanning, before memory is spent;
 * a partial frame never holds more than they allow. Each byte is scanned once, whatever the
 * fragmentation; bodies with a {@code content-length} above 16 KiB are copied from the input
 * straight into the frame's own array.
 *
 * <p><b>Copies.</b> {@link #add} copies each body once, into an array of the frame's own, so the
 * caller may reuse its buffer. {@link #addOwned} takes the array over instead, and a large body
 * that lies whole in it is handed over as a view, not copied at all.
 *
 * <p><b>Errors.</b> Malformed input raises {@link StompFrameException} with the reason and the byte
 * offset in the stream. Frames completed before it can still be taken. The parser then refuses input
 * until {@link #reset()} (drop everything) or {@link #resync()} (skip past the next NUL and go on).
 *
 * <p>Not thread-safe: one parser per connection, driven by one thread at a time.
 *
 * <pre>{@code
 * StompParser parser = new StompParser(StompVersion.V1_2);
 * parser.add(bytesFromSocket, 0, n);
 * StompFrame frame;
 * while ((frame = parser.get()) != null) {
 *     handle(frame);
 * }
 * }</pre>
 */
public final class StompParser {
    private static final int FRAME_START = 0;
    private static final int LINE = 1;
    private static final int BODY_NUL = 2;
    private static final int BODY_FIXED = 3;
    private static final int BODY_FILL = 4;
    private static final int TRAILER = 5;
    private static final int SKIP = 6;
    private static final int FAILED = 7;

    private static final int DIRECT_FILL_THRESHOLD = 16 * 1024;
    /**
     * The least body {@link #addOwned} hands over as a view of the array it was fed: below it a copy
     * costs less than the view's bookkeeping, and small frames would pin large arrays.
     */
    static final int MIN_VIEW = 1024;

    // Byte classes for the single pass over a header line: everything but these is plain text.
    private static final byte LF = 1;
    private static final byte COLON = 2;
    private static final byte BACKSLASH = 4;
    private static final byte CR = 8;
    private static final byte HIGH = 16;
    // Not a class: set when a backslash or a non-ASCII byte comes before the line's first ':', so
    // that a header name is known to be plain ASCII without looking at it again.
    private static final int SPECIAL_NAME = 32;
    private static final byte[] CLASS = new byte[256];

    static {
        CLASS['\n'] = LF;
        CLASS[':'] = COLON;
        CLASS['\\'] = BACKSLASH;
        CLASS['\r'] = CR;
        for (int b = 0x80; b < 0x100; b++) {
            CLASS[b] = HIGH;
        }
    }
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGH_BITS = 0x8080808080808080L;
    private static final long LF_BYTES = ONES * '\n';
    private static final long COLON_BYTES = ONES * ':';
    private static final long BACKSLASH_BYTES = ONES * '\\';
    private static final long CR_BYTES = ONES * '\r';
    private static final long SPACE_BYTES = ONES * ' ';

    private static final byte[] NO_BODY = new byte[0];
    private static final String[] NO_HEADERS = new String[0];
    private static final int[] NO_BOUNDS = new int[0];

    private final ParserLimits limits;
    // The next frame to hand out, and those after it: most reads find one frame, which then costs
    // no trip through the deque.
    private StompFrame head;
    private final ArrayDeque<StompFrame> frames = new ArrayDeque<>();
    private final HeaderNames names = new HeaderNames();
    // The value each header index had in the last frame, and its String once it came twice running:
    // a connection's destination, subscription and application headers repeat frame after frame.
    // Values with escapes apart: the same bytes are another value when they are read without.
    private final IndexMemo plainValues = new IndexMemo();
    private final IndexMemo escapedValues = new IndexMemo();
    private StompVersion version;

    // Bytes kept between add() calls: buf[0, end). Only an incomplete line or body is ever kept.
    private byte[] buf = new byte[256];
    private int end;

    // Scan state for the current array, all relative to seg (the first unconsumed byte).
    private int state = FRAME_START;
    private int seg;
    private int scan;
    private int lineColon = -1; // first ':' of the line being scanned, relative to seg
    private int lineFlags; // BACKSLASH | CR | HIGH seen so far in that line
    private long segOffset; // stream offset of seg
    private long frameOffset; // stream offset of the current frame's first byte

    // The frame being built.
    private StompCommand command;
    // Handed over to the frame at emit and then never touched again: names at 2i, values at 2i+1.
    // A plain ASCII value is not turned into a String here; its bytes are copied into raw and the
    // frame decodes them when asked (most readers look at a few headers of a frame, not all).
    private String[] namesAndValues = NO_HEADERS;
    private int headerCount;
    private byte[] raw;
    private int rawEnd;
    private int[] bounds = NO_BOUNDS;
    private int messageIdAt = -1; // the header index of this frame's message-id, when its value is in raw
    // Where that message-id's bytes are in the input being parsed now; null once that input is
    // left (its array may be refilled), when an ack is compared with the unescaped copy instead.
    private byte[] messageIdWire;
    private int messageIdWireFrom;
    private int messageIdWireTo;
    private int frameBytes;
    private int contentLength = -1;
    private byte[] body;
    private int filled;

    // Array sizes for the next frame's headers, from the last frame's (bounded, so one odd frame costs little).
    private static final int MIN_HEADERS_HINT = 8;
    private static final int MAX_HEADERS_HINT = 64;
    private static final int MIN_RAW_HINT = 32;
    private static final int MAX_RAW_HINT = 4096;
    private int headersHint = MIN_HEADERS_HINT;
    private int rawHint = MIN_RAW_HINT;

    // The array addOwned() is parsing: bodies that lie whole in it may be views.
    private byte[] owned;

    private boolean paused;
    private long scanned; // bytes examined by the scanning loops, to prove the work is linear
    private long heartBeats;
    private long discarded;
    private StompFrameException failure;
    private byte[] scratch;
    private CharsetDecoder strictUtf8;

    /** A parser for STOMP 1.2 with default limits. */
    public StompParser() {
        this(StompVersion.latest());
    }

    /** A parser for {@code version} with default limits. */
    public StompParser(StompVersion version) {
        this(version, ParserLimits.defaults());
    }

    public StompParser(StompVersion version, ParserLimits limits) {
        this.version = Objects.requireNonNull(version, "version");
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    /** The version whose rules apply to the frames parsed from now on. */
    public StompVersion version() {
        return version;
    }

    /** Switches the rules in place, for instance to the version negotiated by CONNECTED. */
    public void version(StompVersion version) {
        this.version = Objects.requireNonNull(version, "version");
        forgetValues(); // the same bytes may read differently under another version's escapes
    }

    public ParserLimits limits() {
        return limits;
    }

    /** Feeds all of {@code data}. */
    public void add(byte[] data) {
        add(data, 0, data.length);
    }

    /**
     * Feeds {@code length} bytes of {@code data} from {@code offset}. The parser copies what it
     * needs to keep; the caller may reuse the array as soon as this returns.
     *
     * @throws StompFrameException   if the bytes are not valid STOMP (frames completed before the
     *                               bad byte stay available through {@link #get()})
     * @throws IllegalStateException if an earlier error has not been cleared with {@link #reset()}
     *                               or {@link #resync()}
     */
    public void add(byte[] data, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, data.length);
        checkNotFailed();
        if (length == 0) {
            return;
        }
        if (state == SKIP) {
            int nul = indexOfNul(data, offset, offset + length);
            if (nul < 0) {
                discarded += length;
                segOffset += length;
                return;
            }
            int skipped = nul + 1 - offset;
            discarded += skipped;
            segOffset += skipped;
            state = FRAME_START;
            offset += skipped;
            length -= skipped;
        }
        if (end == 0 && !paused) {
            parse(data, offset, offset + length);
            return;
        }
        // Some bytes are already kept: append, but never more than the limits can need, so the
        // kept bytes stay bounded however large the chunk, and no more than what finishes the line
        // or the body they began, so that the rest of the chunk is parsed where it lies (and a body
        // in an owned chunk can still be a view of it).
        while (length > 0) {
            int room = paused ? length : Math.min(Math.min(length, retainBound() - end), finishing(data, offset, length));
            append(data, offset, room);
            offset += room;
            length -= room;
            if (paused) {
                return;
            }
            try {
                parse(buf, 0, end);
            } catch (StompFrameException e) {
                append(data, offset, length); // kept for resync(): nothing fed is silently lost
                throw e;
            }
            if (end == 0 && length > 0 && !paused) {
                parse(data, offset, offset + length);
                return;
            }
        }
    }

    /**
     * Feeds {@code length} bytes of {@code data} from {@code offset} and takes the array over: the
     * caller never writes to it again (a buffer freshly read into and then dropped, for instance).
     * A body of at least 1 KiB that lies whole in those bytes, and is at least a quarter of the
     * array's length, becomes a read-only view of the array instead of a copy: no allocation and no
     * copy, whatever its size. Smaller bodies, and bodies that arrive in pieces, are copied as
     * {@link #add(byte[], int, int)} copies them.
     *
     * <p><b>Lifetime.</b> A frame with a viewed body keeps the array reachable for as long as the
     * frame is; the quarter rule bounds that to four times the body's size. The frame stays valid
     * after this method returns and after the caller drops the array; it breaks only if the caller
     * breaks the promise and writes to the array, which then shows through the frame's body.
     *
     * <pre>{@code
     * byte[] chunk = new byte[64 * 1024];
     * int n = in.read(chunk);
     * parser.addOwned(chunk, 0, n);   // and never touch chunk again: read the next into a new array
     * }</pre>
     *
     * @throws StompFrameException   as {@link #add(byte[], int, int)}
     * @throws IllegalStateException as {@link #add(byte[], int, int)}
     */
    public void addOwned(byte[] data, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, data.length);
        owned = data;
        try {
            add(data, offset, length);
        } finally {
            owned = null;
        }
    }

    /** Feeds the remaining bytes of {@code data} and advances its position to its limit. */
    public void add(ByteBuffer data) {
        if (data.hasArray()) {
            int n = data.remaining();
            add(data.array(), data.arrayOffset() + data.position(), n);
            data.position(data.position() + n);
            return;
        }
        byte[] chunk = new byte[Math.min(data.remaining(), 8192)];
        while (data.hasRemaining()) {
            int n = Math.min(chunk.length, data.remaining());
            data.get(chunk, 0, n);
            add(chunk, 0, n);
        }
    }

    /**
     * Whether a complete frame is available.
     *
     * @throws StompFrameException if bytes that waited behind a CONNECTED frame turn out to be invalid
     */
    public boolean canRead() {
        resumeIfTaken();
        return head != null;
    }

    /**
     * The next complete frame, or {@code null} when none is complete yet.
     *
     * @throws StompFrameException if bytes that waited behind a CONNECTED frame turn out to be invalid
     */
    public StompFrame get() {
        resumeIfTaken();
        StompFrame f = head;
        if (f != null) {
            head = frames.poll();
        }
        return f;
    }

    /** Number of heart-beats (EOLs between frames) seen since creation or the last reset. */
    public long heartBeats() {
        return heartBeats;
    }

    /** Number of bytes {@link #resync()} has thrown away since creation or the last reset. */
    public long discarded() {
        return discarded;
    }

    /** Bytes the header and body scans have examined since creation or reset; for tests of linearity. */
    long scanned() {
        return scanned;
    }

    /**
     * Whether bytes of an unfinished frame are held: the input so far ends inside a frame (a lone
     * CR between frames counts). False after a complete frame and any heart-beats.
     */
    public boolean hasPartialFrame() {
        return state == LINE || state == BODY_NUL || state == BODY_FIXED || state == BODY_FILL || state == TRAILER
                || (state == FRAME_START && end > 0 && !paused);
    }

    /**
     * The bytes this parser holds of the frame it is reading: input kept between calls, the header
     * bytes kept so far, and the body (with a {@code content-length}, the whole body, allocated
     * when the headers end). 0 between frames. Whatever it is fed, this stays within
     * {@link ParserLimits#maxFrameSize() maxFrameSize} plus the header line limit, and so do the
     * arrays behind it (they grow by doubling, but never past what the limits can need, or the
     * bytes of the read at hand).
     * Complete frames waiting in {@link #get()} are not counted. For a client's accounting of the
     * memory a connection holds.
     */
    public long retainedBytes() {
        return (long) end + (raw == null ? 0 : rawEnd) + (body == null ? 0 : body.length);
    }

    /** Whether the parser is stopped by an error and waits for {@link #reset()} or {@link #resync()}. */
    public boolean failed() {
        return state == FAILED;
    }

    /** Drops all state: complete and partial frames, kept bytes, counters and any error. */
    public void reset() {
        head = null;
        frames.clear();
        end = 0;
        state = FRAME_START;
        seg = 0;
        scan = 0;
        segOffset = 0;
        frameOffset = 0;
        scanned = 0;
        paused = false;
        heartBeats = 0;
        discarded = 0;
        failure = null;
        clearFrame();
        forgetValues();
        if (buf.length > 64 * 1024) {
            buf = new byte[256];
        }
    }

    /**
     * After an error, skips to the byte after the next NUL (stomper's {@code syncBuffer()}) and goes
     * on parsing from there. When no NUL has arrived yet, later input is skipped up to and including
     * the first NUL. Frames already complete are kept.
     *
     * @return the bytes of the broken frame thrown away so far (from its first byte)
     * @throws StompFrameException if the bytes after the NUL are broken too
     */
    public long resync() {
        if (state != FAILED) {
            return 0;
        }
        long before = discarded;
        // Kept bytes start at the byte that failed; the broken frame began at frameOffset.
        discarded += segOffset - frameOffset;
        failure = null;
        clearFrame();
        scan = 0;
        int nul = indexOfNul(buf, 0, end);
        if (nul < 0) {
            discarded += end;
            segOffset += end;
            end = 0;
            state = SKIP;
            return discarded - before;
        }
        discarded += nul + 1;
        segOffset += nul + 1;
        end -= nul + 1;
        System.arraycopy(buf, nul + 1, buf, 0, end);
        state = FRAME_START;
        long result = discarded - before;
        if (end > 0) {
            parse(buf, 0, end);
        }
        return result;
    }

    // ---------------------------------------------------------------------------------------------

    private void checkNotFailed() {
        if (state == FAILED) {
            throw new IllegalStateException("parser stopped by an earlier error (" + failure.getMessage()
                    + "); call reset() or resync()");
        }
    }

    private void resumeIfTaken() {
        if (paused && head == null) {
            paused = false;
            if (end > 0) {
                parse(buf, 0, end);
            }
        }
    }

    /**
     * The next size of the input buffer: doubling, so copies stay rare, but never past what one
     * frame can need under the limits (or the bytes at hand, when one read brings more). A 64 MiB
     * frame limit then costs at most the old buffer and one of about 64 MiB at once, not a doubled
     * 128 MiB one on top.
     */
    static int grownCapacity(int current, int needed, ParserLimits limits) {
        long cap = Math.max(needed, (long) limits.maxFrameSize() + limits.maxHeaderLineLength() + 2);
        long doubled = Math.max(needed, 2L * current);
        return (int) Math.min(Math.min(doubled, cap), Integer.MAX_VALUE - 16);
    }

    /**
     * How many of the next {@code length} bytes finish what the kept bytes began: the rest of a
     * header line up to its LF, of a body up to its NUL; all of them when that is not known.
     * Kept bytes always start where the current state began (a line, a body): parse compacts them so.
     */
    private int finishing(byte[] data, int offset, int length) {
        int to = offset + length;
        int last;
        switch (state) {
            case LINE:
                last = indexOf(data, offset, to, (byte) '\n');
                break;
            case BODY_FIXED:
                return Math.max(1, contentLength + 1 - end);
            case BODY_NUL:
                last = indexOfNul(data, offset, to);
                break;
            default:
                return length;
        }
        return last < 0 ? length : last - offset + 1;
    }

    /** The input buffer's size; for tests of its bound. */
    int bufferCapacity() {
        return buf.length;
    }

    /** How many bytes may be kept in the current state before a limit must have tripped. */
    private int retainBound() {
        switch (state) {
            case BODY_NUL:
            case BODY_FIXED:
                return limits.maxFrameSize() - frameBytes + 1;
            default:
                return limits.maxHeaderLineLength() + 2;
        }
    }

    private void append(byte[] data, int offset, int length) {
        if (end + length > buf.length) {
            buf = Arrays.copyOf(buf, grownCapacity(buf.length, end + length, limits));
        }
        System.arraycopy(data, offset, buf, end, length);
        end += length;
    }

    /** Parses a[from, lim); keeps whatever is left of an incomplete frame in buf. */
    private void parse(byte[] a, int from, int lim) {
        // scan is relative to seg and survives between calls: kept bytes are never scanned twice.
        seg = from;
        try {
            run(a, lim);
        } catch (StompFrameException e) {
            keep(a, seg, lim);
            state = FAILED;
            failure = e;
            throw e;
        }
        keep(a, seg, lim);
    }

    private void keep(byte[] a, int from, int lim) {
        messageIdWire = null;
        int n = lim - from;
        if (a == buf) {
            if (from > 0 && n > 0) {
                System.arraycopy(buf, from, buf, 0, n);
            }
            end = n;
        } else {
            end = 0;
            if (n > 0) {
                append(a, from, n);
            }
        }
        seg = 0;
    }

    private void run(byte[] a, int lim) {
        while (true) {
            switch (state) {
                case FRAME_START:
                    if (!frameStart(a, lim)) {
                        return;
                    }
                    break;
                case LINE:
                    if (!line(a, lim)) {
                        return;
                    }
                    break;
                case BODY_NUL:
                    if (!bodyUntilNul(a, lim)) {
                        return;
                    }
                    break;
                case BODY_FIXED:
                    if (!bodyFixed(a, lim)) {
                        return;
                    }
                    break;
                case BODY_FILL:
                    if (!bodyFill(a, lim)) {
                        return;
                    }
                    break;
                case TRAILER:
                    if (!trailer(a, lim)) {
                        return;
                    }
                    break;
                default:
                    throw new IllegalStateException("unexpected parser state " + state);
            }
            if (paused) {
                return;
            }
        }
    }

    /** Skips heart-beats; returns false when out of input. */
    private boolean frameStart(byte[] a, int lim) {
        int i = seg;
        while (i < lim) {
            byte b = a[i];
            if (b == '\n') {
                heartBeats++;
                i++;
            } else if (b == '\r') {
                if (i + 1 >= lim) {
                    break; // wait for the byte after CR
                }
                if (a[i + 1] != '\n') {
                    advance(i);
                    frameOffset = segOffset;
                    throw error("Bare CR (a carriage return must be followed by a line feed)", 0);
                }
                heartBeats++;
                i += 2;
            } else {
                advance(i);
                frameOffset = segOffset;
                state = LINE;
                scan = 0;
                return true;
            }
        }
        advance(i);
        return false;
    }

    private void advance(int to) {
        segOffset += to - seg;
        seg = to;
    }

    /** Scans for the end of the command line or a header line. */
    private boolean line(byte[] a, int lim) {
        int start = seg + scan;
        int maxLine = limits.maxHeaderLineLength();
        // A line may be maxLine bytes plus a CR; anything longer without LF is over the limit.
        int stop = (int) Math.min(lim, (long) seg + maxLine + 2);
        // One pass finds the LF and notes what the line holds, so that the common line (ASCII, no
        // escapes, no CR) is never looked at again before it is turned into strings.
        int i = start;
        int flags = lineFlags;
        int colon = lineColon;
        boolean foundLf = false;
        // Eight bytes a step: where the LF is, where the first ':' is, and whether the line holds a
        // backslash, a CR or a non-ASCII byte. No byte is looked at one by one, however many special
        // bytes a line has (escaped values are full of them).
        while (i + 8 <= stop) {
            long w = (long) LONGS.get(a, i);
            // Most words hold printable ASCII only: no LF, no CR, no other control, no non-ASCII
            // byte (all outside 0x20..0x7f) and no backslash. Two tests tell, and such a word
            // needs nothing more than the search for the colon.
            long bs = zeros(w ^ BACKSLASH_BYTES);
            if (((((w - SPACE_BYTES) | w) & HIGH_BITS) | bs) == 0) {
                if (colon < 0) {
                    long c = zeros(w ^ COLON_BYTES);
                    if (c != 0) {
                        colon = i + (Long.numberOfTrailingZeros(c) >>> 3) - seg;
                    }
                }
                i += 8;
                continue;
            }
            long lf = zeros(w ^ LF_BYTES);
            int k = 8;
            long inLine = -1L;
            if (lf != 0) {
                k = Long.numberOfTrailingZeros(lf) >>> 3;
                inLine = (1L << (8 * k)) - 1; // the bytes before the LF
            }
            if (colon < 0) {
                long c = zeros(w ^ COLON_BYTES) & inLine;
                if (c != 0) {
                    colon = i + (Long.numberOfTrailingZeros(c) >>> 3) - seg;
                }
            }
            long cr = zeros(w ^ CR_BYTES);
            long high = w & HIGH_BITS;
            if (((bs | cr | high) & inLine) != 0) { // one test for the common word, which has none of them
                long special = (bs | high) & inLine; // its lowest flag is exact: false flags lie above a true one
                if (special != 0 && (colon < 0 || i + (Long.numberOfTrailingZeros(special) >>> 3) - seg < colon)) {
                    flags |= SPECIAL_NAME;
                }
                if ((bs & inLine) != 0) {
                    flags |= BACKSLASH;
                }
                if ((cr & inLine) != 0) {
                    flags |= CR;
                }
                if ((high & inLine) != 0) {
                    flags |= HIGH;
                }
            }
            i += k;
            if (lf != 0) {
                foundLf = true;
                break;
            }
        }
        // The last few bytes of the input, one at a time.
        while (!foundLf && i < stop) {
            int c = CLASS[a[i] & 0xff];
            if (c == LF) {
                break;
            }
            if (c == COLON) {
                if (colon < 0) {
                    colon = i - seg;
                }
            } else {
                flags |= c;
                if (colon < 0 && (c == BACKSLASH || c == HIGH)) {
                    flags |= SPECIAL_NAME;
                }
            }
            i++;
        }
        scanned += i - start;
        if (i == stop) {
            if (i - seg > maxLine + 1) {
                throw error("Header line too long (limit maxHeaderLineLength=" + maxLine + " bytes)", maxLine + 1);
            }
            scan = i - seg;
            lineFlags = flags;
            lineColon = colon;
            return false;
        }
        lineFlags = 0;
        lineColon = -1;
        int lineEnd = i;
        if ((flags & CR) != 0 && version.acceptsCrLf()) {
            if (a[lineEnd - 1] == '\r') {
                lineEnd--;
            }
            checkNoCr(a, seg, lineEnd);
        }
        if (lineEnd - seg > maxLine) {
            throw error("Header line too long (limit maxHeaderLineLength=" + maxLine + " bytes)", maxLine);
        }
        int consumed = i + 1 - seg;
        if (frameBytes + consumed > limits.maxFrameSize()) {
            throw error("Frame too large (limit maxFrameSize=" + limits.maxFrameSize() + " bytes)", 0);
        }
        if (command == null) {
            command = command(a, seg, lineEnd);
        } else if (lineEnd == seg) {
            frameBytes += consumed;
            advance(i + 1);
            scan = 0;
            return headersDone(a, lim);
        } else {
            header(a, seg, lineEnd, colon < 0 ? -1 : seg + colon, flags);
        }
        frameBytes += consumed;
        advance(i + 1);
        scan = 0;
        return true;
    }

    private StompCommand command(byte[] a, int from, int to) {
        StompCommand c = StompCommand.of(a, from, to - from);
        if (c == null) {
            throw error("Invalid command: '" + printable(a, from, to) + "'", 0);
        }
        if (!version.supports(c)) {
            throw error("Invalid command: '" + c.name() + "' (not a STOMP " + version.text() + " command)", 0);
        }
        return c;
    }

    private void header(byte[] a, int from, int to, int colon, int flags) {
        if (headerCount >= limits.maxHeaders()) {
            throw error("Too many headers (limit maxHeaders=" + limits.maxHeaders() + ")", 0);
        }
        if (colon < 0) {
            throw error("Header line without ':'", 0);
        }
        if (colon == from) {
            throw error("Empty header name", 0);
        }
        boolean unescape = (flags & BACKSLASH) != 0 && version.escapes(command);
        boolean high = (flags & HIGH) != 0;
        int i = headerCount;
        String name = (flags & SPECIAL_NAME) == 0 ? names.name(i, a, from, colon - from)
                : text(a, from, colon, unescape, high);
        if (2 * i == namesAndValues.length) {
            namesAndValues = i == 0 ? new String[2 * headersHint] : Arrays.copyOf(namesAndValues, Math.max(2 * headersHint, 4 * i));
        }
        namesAndValues[2 * i] = name;
        int valueFrom = colon + 1;
        if (valueFrom == to) {
            namesAndValues[2 * i + 1] = "";
        } else if (high) {
            // UTF-8 is checked now, so that bad input fails here with its offset.
            namesAndValues[2 * i + 1] = text(a, valueFrom, to, unescape, true);
        } else {
            asciiValue(i, name, a, valueFrom, to, unescape);
        }
        headerCount = i + 1;
        if (contentLength < 0 && name.equals(StompHeaders.CONTENT_LENGTH)) {
            String v = namesAndValues[2 * i + 1];
            if (high || (unescape && v != null)) {
                throw invalidContentLength(v);
            }
            // A valid value is digits only, the same on the wire as unescaped: read from the wire
            // bytes, whether or not the value repeats and is shared. One with escapes is invalid, and
            // is shown as it reads, from the bytes kept.
            contentLength = unescape ? contentLength(raw, bounds[2 * i], bounds[2 * i + 1]) : contentLength(a, valueFrom, to);
        }
    }

    /**
     * An ASCII value: the String the last frame had at this index when the bytes are the same (made
     * the second time running; from then on no copy, no unescaping and no allocation for it), else its
     * bytes kept for the frame to decode on demand. A 1.2 MESSAGE's {@code ack} that repeats its
     * {@code message-id} (as Artemis, ActiveMQ and RabbitMQ send it) shares that value's String.
     */
    private void asciiValue(int i, String name, byte[] a, int from, int to, boolean unescape) {
        // Identity, not equals: the names the parser knows are its shared constants; a name that is
        // an equal but other String (one that was escaped) only misses the sharing.
        if (name == StompHeaders.ACK && messageIdWire == a
                && Arrays.equals(a, from, to, a, messageIdWireFrom, messageIdWireTo)) {
            // The same bytes on the wire, read under the same rules: the same value, and nothing to
            // copy or unescape.
            ensureBounds();
            bounds[2 * i] = -1 - messageIdAt; // StompFrame reads it as "the value at messageIdAt"
            return;
        }
        if (repeatedValue(unescape ? escapedValues : plainValues, i, a, from, to, unescape)) {
            return;
        }
        keepRaw(i, a, from, to, unescape);
        if (name == StompHeaders.MESSAGE_ID) {
            if (messageIdAt < 0) {
                messageIdAt = i;
                messageIdWire = a;
                messageIdWireFrom = from;
                messageIdWireTo = to;
            }
        } else if (name == StompHeaders.ACK && messageIdAt >= 0) {
            shareMessageId(i);
        }
    }

    private void forgetValues() {
        plainValues.clear();
        escapedValues.clear();
    }

    /** Whether the value at {@code i} is the one the last frame had there (read the same way): then its String is set. */
    private boolean repeatedValue(IndexMemo memo, int i, byte[] a, int from, int to, boolean unescape) {
        int n = to - from;
        if (!memo.matches(i, a, from, n)) {
            memo.remember(i, a, from, n, null);
            return false;
        }
        String v = memo.string(i);
        if (v == null) { // the second time running: worth a String, which the frames after this one share
            keepRaw(i, a, from, to, unescape);
            v = KnownStrings.HEADER_VALUES.string(raw, bounds[2 * i], bounds[2 * i + 1] - bounds[2 * i]);
            memo.string(i, v);
        }
        namesAndValues[2 * i + 1] = v;
        return true;
    }

    /** The ack just kept at {@code i}: when its value is the message-id's, it becomes a reference to that one. */
    private void shareMessageId(int i) {
        int from = bounds[2 * i];
        if (Arrays.equals(raw, from, bounds[2 * i + 1], raw, bounds[2 * messageIdAt], bounds[2 * messageIdAt + 1])) {
            rawEnd = from; // the last bytes kept, and no longer needed
            bounds[2 * i] = -1 - messageIdAt; // StompFrame reads it as "the value at messageIdAt"
        }
    }

    /** Keeps an ASCII value as bytes, escapes resolved (and checked) on the way: still ASCII. */
    private void keepRaw(int index, byte[] a, int from, int to, boolean unescape) {
        int n = to - from;
        if (raw == null) {
            raw = new byte[Math.max(rawHint, n)];
        } else if (rawEnd + n > raw.length) {
            raw = Arrays.copyOf(raw, Math.max(rawEnd + n, 2 * raw.length));
        }
        ensureBounds();
        bounds[2 * index] = rawEnd;
        if (unescape) {
            rawEnd = unescape(a, from, to, from, raw, rawEnd);
        } else {
            System.arraycopy(a, from, raw, rawEnd, n);
            rawEnd += n;
        }
        bounds[2 * index + 1] = rawEnd;
    }

    private void ensureBounds() {
        if (bounds.length < namesAndValues.length) {
            bounds = bounds.length == 0 ? new int[namesAndValues.length] : Arrays.copyOf(bounds, namesAndValues.length);
        }
    }

    private void checkNoCr(byte[] a, int from, int to) {
        for (int i = from; i < to; i++) {
            if (a[i] == '\r') {
                throw error("Bare CR (a carriage return must be followed by a line feed)", i - seg);
            }
        }
    }

    private String text(byte[] a, int from, int to, boolean unescape, boolean high) {
        int backslash = unescape ? nextBackslash(a, from, to) : to;
        if (backslash < to) {
            int n = to - from;
            if (scratch == null || scratch.length < n) {
                scratch = new byte[Math.max(n, 128)];
            }
            return decode(scratch, 0, unescape(a, from, to, backslash, scratch, 0), high);
        }
        return decode(a, from, to - from, high);
    }

    /**
     * Writes a[from, to) to dst at {@code at} with its escapes resolved and returns the end in dst
     * (never more than {@code to - from} bytes). Bytes before {@code firstBackslash} go over in one
     * copy; after it, one loop copies and resolves as it goes: escaped values are short and dense
     * with escapes (an Artemis message-id has one every few bytes), where a copy call per run of
     * plain bytes costs more than the bytes.
     */
    private int unescape(byte[] a, int from, int to, int firstBackslash, byte[] dst, int at) {
        // No backslash before firstBackslash; there may be none at it (a caller that only knows the line has one).
        int i = nextBackslash(a, firstBackslash, to);
        System.arraycopy(a, from, dst, at, i - from);
        int out = at + i - from;
        // From one backslash to the next: the escape, then the plain run after it copied whole.
        // Broker ids are full of escaped colons (ID\c...\c1\c42), so the runs are short and many.
        while (i < to) {
            if (i + 1 == to) {
                throw error("Invalid escape: trailing '\\' in header", i - seg);
            }
            byte e = a[i + 1];
            byte decoded = e == 'c' ? (byte) ':' : e == '\\' ? (byte) '\\' : e == 'n' ? (byte) '\n'
                    : e == 'r' && version.escapesCarriageReturn() ? (byte) '\r' : 0;
            if (decoded == 0) {
                throw e == 'r'
                        ? error("Invalid escape: '\\r' is not defined in STOMP " + version.text(), i - seg)
                        : error("Invalid escape: '\\" + printable(a, i + 1, i + 2) + "' is not defined in STOMP "
                        + version.text(), i - seg);
            }
            dst[out++] = decoded;
            int run = i + 2;
            if (run < to && a[run] == '\\') {
                i = run; // escapes back to back (\c\c, c\c\\dir): no scan, no empty copy
                continue;
            }
            int next = nextBackslash(a, run, to);
            System.arraycopy(a, run, dst, out, next - run);
            out += next - run;
            i = next;
        }
        return out;
    }

    /** The index of the first backslash in {@code a[from, to)}, or {@code to}; eight bytes at a time. */
    private static int nextBackslash(byte[] a, int from, int to) {
        int i = from;
        for (; i + 8 <= to; i += 8) {
            long hit = zeros((long) LONGS.get(a, i) ^ BACKSLASH_BYTES);
            if (hit != 0) {
                return i + (Long.numberOfTrailingZeros(hit) >>> 3); // the lowest flag is exact
            }
        }
        for (; i < to; i++) {
            if (a[i] == '\\') {
                return i;
            }
        }
        return to;
    }

    private String decode(byte[] a, int from, int length, boolean high) {
        if (!high) {
            return new String(a, from, length, StandardCharsets.ISO_8859_1); // ASCII: a plain copy
        }
        String s = new String(a, from, length, StandardCharsets.UTF_8);
        if (s.indexOf('\uFFFD') < 0) {
            return s;
        }
        // Either a real U+FFFD or malformed UTF-8: only a strict decode can tell.
        if (strictUtf8 == null) {
            strictUtf8 = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT);
        }
        try {
            CharBuffer chars = strictUtf8.decode(ByteBuffer.wrap(a, from, length));
            return chars.toString();
        } catch (CharacterCodingException e) {
            if (version == StompVersion.V1_0) {
                // 1.0 never said headers are UTF-8: keep every byte, one char each.
                return new String(a, from, length, StandardCharsets.ISO_8859_1);
            }
            throw error("Malformed UTF-8 in header (STOMP " + version.text() + " headers are UTF-8)", 0);
        }
    }

    /** content-length from a value kept as (unescaped, ASCII) bytes. */
    private int contentLength(byte[] value, int from, int to) {
        int n = to - from;
        long v = n == 0 || n > 10 ? -1 : 0;
        for (int i = from; i < to && v >= 0; i++) {
            int c = value[i];
            v = c < '0' || c > '9' ? -1 : v * 10 + (c - '0');
        }
        if (v < 0) {
            throw error("Invalid content-length: '" + printable(value, from, to) + "'", 0);
        }
        if (v > limits.maxFrameSize()) {
            throw error("Frame too large: content-length " + v + " (limit maxFrameSize=" + limits.maxFrameSize()
                    + " bytes)", 0);
        }
        return (int) v;
    }

    /** A content-length value that held UTF-8 is never a byte count. */
    private StompFrameException invalidContentLength(String value) {
        return error("Invalid content-length: '" + value + "'", 0);
    }

    private boolean headersDone(byte[] a, int lim) {
        if (contentLength < 0) {
            state = BODY_NUL;
            return true;
        }
        if (contentLength > 0 && !version.allowsBody(command)) {
            throw error("Body not allowed on " + command + " (content-length " + contentLength + ")", 0);
        }
        if ((long) frameBytes + contentLength + 1 > limits.maxFrameSize()) {
            throw error("Frame too large: content-length " + contentLength + " (limit maxFrameSize="
                    + limits.maxFrameSize() + " bytes)", 0);
        }
        state = BODY_FIXED;
        return true;
    }

    private boolean bodyUntilNul(byte[] a, int lim) {
        int start = seg + scan;
        if (scan == 0 && start < lim && a[start] != 0 && !version.allowsBody(command)) {
            throw error("Body not allowed on " + command, 0);
        }
        int maxBody = limits.maxFrameSize() - frameBytes - 1;
        int stop = (int) Math.min(lim, (long) seg + maxBody + 1);
        int nul = indexOfNul(a, start, stop);
        scanned += (nul < 0 ? stop : nul) - start;
        if (nul < 0) {
            if (stop - seg > maxBody) {
                throw error("Frame too large (limit maxFrameSize=" + limits.maxFrameSize() + " bytes)", Math.max(0, maxBody));
            }
            scan = stop - seg;
            return false;
        }
        int from = seg;
        frameBytes += nul + 1 - from;
        advance(nul + 1);
        body(a, from, nul - from);
        return true;
    }

    private boolean bodyFixed(byte[] a, int lim) {
        int available = lim - seg;
        if (available > contentLength) {
            if (a[seg + contentLength] != 0) {
                throw error("Expected NUL after content-length " + contentLength + " body", contentLength);
            }
            int from = seg;
            advance(seg + contentLength + 1);
            frameBytes += contentLength + 1;
            body(a, from, contentLength);
            return true;
        }
        if (contentLength >= DIRECT_FILL_THRESHOLD) {
            body = new byte[contentLength];
            filled = 0;
            state = BODY_FILL;
            return true;
        }
        scan = available;
        return false;
    }

    private boolean bodyFill(byte[] a, int lim) {
        int n = Math.min(lim - seg, contentLength - filled);
        System.arraycopy(a, seg, body, filled, n);
        filled += n;
        advance(seg + n);
        if (filled < contentLength) {
            return false;
        }
        state = TRAILER;
        return true;
    }

    private boolean trailer(byte[] a, int lim) {
        if (seg >= lim) {
            return false;
        }
        if (a[seg] != 0) {
            throw error("Expected NUL after content-length " + contentLength + " body", 0);
        }
        advance(seg + 1);
        frameBytes += contentLength + 1;
        byte[] b = body;
        body = null;
        emit(b, 0, b.length);
        return true;
    }

    /** Emits the frame with the body {@code a[from, from + length)}: a view of an owned array, or a copy. */
    private void body(byte[] a, int from, int length) {
        if (length == 0) {
            emit(NO_BODY, 0, 0);
        } else if (a == owned && length >= MIN_VIEW && 4L * length >= a.length) { // the whole array is what a view keeps reachable
            emit(a, from, length);
        } else {
            emit(Arrays.copyOfRange(a, from, from + length), 0, length);
        }
    }

    private void emit(byte[] b, int from, int length) {
        // The next frame on a connection is most likely shaped like this one: size its arrays so, and they never grow.
        headersHint = Math.min(MAX_HEADERS_HINT, Math.max(MIN_HEADERS_HINT, headerCount));
        rawHint = Math.min(MAX_RAW_HINT, Math.max(MIN_RAW_HINT, rawEnd + (rawEnd >>> 3) + 8));
        StompCommand c = command;
        StompFrame f = FrameAccess.get().adopt(c, namesAndValues, headerCount, raw, bounds, b, from, length, frameBytes);
        if (head == null) {
            head = f;
        } else {
            frames.add(f);
        }
        clearFrame();
        state = FRAME_START;
        scan = 0;
        if (c == StompCommand.CONNECTED) {
            paused = true;
        }
    }

    private void clearFrame() {
        lineFlags = 0;
        lineColon = -1;
        command = null;
        namesAndValues = NO_HEADERS;
        headerCount = 0;
        raw = null;
        rawEnd = 0;
        bounds = NO_BOUNDS;
        messageIdAt = -1;
        messageIdWire = null;
        frameBytes = 0;
        contentLength = -1;
        body = null;
        filled = 0;
    }

    private StompFrameException error(String reason, int relative) {
        StompFrameException e = new StompFrameException(reason, segOffset + relative);
        // Keep the input from the offending byte on, for resync().
        seg += relative;
        segOffset += relative;
        return e;
    }

    /**
     * The high bit of each zero byte of {@code v} (Hacker's Delight, "find a zero byte"; {@code v}
     * is a word XOR a repeated byte, so zero bytes are matches). Exact for every byte below the
     * first match; above it a 0x01 byte may be flagged too. The callers use only the lowest flag
     * or mask to the bytes before the LF, where a false flag implies a real match below it in
     * the same line.
     */
    private static long zeros(long v) {
        return (v - ONES) & ~v & HIGH_BITS;
    }

    private static int indexOfNul(byte[] a, int from, int to) {
        return indexOf(a, from, to, (byte) 0);
    }

    private static int indexOf(byte[] a, int from, int to, byte b) {
        for (int i = from; i < to; i++) {
            if (a[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static String printable(byte[] a, int from, int to) {
        StringBuilder sb = new StringBuilder();
        int stop = Math.min(to, from + 64);
        for (int i = from; i < stop; i++) {
            int v = a[i] & 0xff;
            if (v >= 0x20 && v < 0x7f) {
                sb.append((char) v);
            } else {
                sb.append(String.format("\\x%02x", v));
            }
        }
        if (stop < to) {
            sb.append("...");
        }
        return sb.toString();
    }
}
