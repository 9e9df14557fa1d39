package dev.stompbox.async.internal;

import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.codec.StompEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;

/**
 * How the asynchronous client puts a frame into Netty buffers: the head encoded into a reused array
 * and copied once into a pooled direct buffer, where the socket takes it from (a heap buffer would
 * be copied into a direct one by Netty on its way out, after a pooled heap buffer was taken and
 * given back for nothing); a body under {@value #LARGE_BODY} bytes in the same buffer; a larger body
 * handed to Netty as a buffer of its own that wraps the frame's memory (no copy here), the head, the
 * body and the NUL joined in a composite. One per connection, used on its event loop: not
 * thread-safe. Not API: the benchmarks measure this very path.
 *
 * <pre>{@code
 * NettyFrames frames = new NettyFrames();
 * channel.write(frames.encode(channel.alloc(), encoder, frame));
 * }</pre>
 */
public final class NettyFrames {
    /** A body this long or longer is written from the frame's own memory, not copied. */
    public static final int LARGE_BODY = 8 * 1024;
    /** The reused array grows to this; a frame whose head and small body need more gets an array of its own. */
    static final int MAX_SCRATCH = 64 * 1024;
    private static final ByteBuf NUL = Unpooled.unreleasableBuffer(Unpooled.directBuffer(1, 1).writeByte(0)).asReadOnly();

    private byte[] scratch = new byte[1024];

    /**
     * The frame's bytes, owned by the caller (release them, or hand them to a channel, which does).
     *
     * @throws dev.stompbox.protocol.StompProtocolException if the frame cannot be written in the
     *                                                      encoder's version; no buffer is then taken
     */
    public ByteBuf encode(ByteBufAllocator alloc, StompEncoder encoder, StompFrame frame) {
        int body = frame.bodyLength();
        boolean inline = body < LARGE_BODY;
        byte[] a = room(encoder.maxHeadLength(frame) + (inline ? body + 1 : 0));
        int end = encoder.encodeHead(frame, a, 0);
        if (inline) {
            frame.copyBodyTo(a, end); // no view objects: nothing allocated
            end += body;
            a[end++] = 0;
            return alloc.directBuffer(end, end).writeBytes(a, 0, end);
        }
        ByteBuf head = alloc.directBuffer(end, end).writeBytes(a, 0, end);
        try {
            CompositeByteBuf whole = alloc.compositeBuffer(3);
            return whole.addComponents(true, head, Unpooled.wrappedBuffer(frame.bodyBuffer()), NUL.duplicate());
        } catch (RuntimeException e) {
            head.release();
            throw e;
        }
    }

    private byte[] room(int n) {
        if (n > MAX_SCRATCH) {
            return new byte[n]; // rare, and not kept: a connection's array stays small
        }
        if (scratch.length < n) {
            scratch = new byte[Math.min(MAX_SCRATCH, Math.max(n, 2 * scratch.length))];
        }
        return scratch;
    }

    /** One heart-beat EOL. */
    public static ByteBuf heartBeat(ByteBufAllocator alloc) {
        return alloc.buffer(1, 1).writeByte('\n');
    }
}
