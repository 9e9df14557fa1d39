package dev.stompbox.async.internal;

import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.codec.StompEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;

/**
 * How the asynchronous client puts a frame into Netty buffers: the head encoded straight into a
 * pooled buffer from the channel's allocator (no intermediate array); a body under
 * {@value #LARGE_BODY} bytes copied after it in the same buffer; a larger body handed to Netty as
 * a buffer of its own that wraps the frame's memory (no copy), the head, the body and the NUL
 * joined in a composite. Not API: the benchmarks measure this very path.
 */
public final class NettyFrames {
    /** A body this long or longer is written from the frame's own memory, not copied. */
    public static final int LARGE_BODY = 8 * 1024;
    private static final ByteBuf NUL = Unpooled.unreleasableBuffer(Unpooled.directBuffer(1, 1).writeByte(0)).asReadOnly();

    private NettyFrames() {
    }

    /**
     * The frame's bytes, owned by the caller (release them, or hand them to a channel, which does).
     *
     * @throws dev.stompbox.protocol.StompProtocolException if the frame cannot be written in the encoder's version
     */
    public static ByteBuf encode(ByteBufAllocator alloc, StompEncoder encoder, StompFrame frame) {
        int body = frame.bodyLength();
        boolean inline = body < LARGE_BODY;
        ByteBuf head = alloc.heapBuffer(encoder.maxHeadLength(frame) + (inline ? body + 1 : 0));
        try {
            int start = head.arrayOffset() + head.writerIndex();
            int end = encoder.encodeHead(frame, head.array(), start);
            head.writerIndex(head.writerIndex() + end - start);
            if (inline) {
                frame.copyBodyTo(head.array(), head.arrayOffset() + head.writerIndex()); // no view objects: nothing allocated
                head.writerIndex(head.writerIndex() + body);
                return head.writeByte(0);
            }
            CompositeByteBuf whole = alloc.compositeBuffer(3);
            return whole.addComponents(true, head, Unpooled.wrappedBuffer(frame.bodyBuffer()), NUL.duplicate());
        } catch (RuntimeException e) {
            head.release();
            throw e;
        }
    }

    /** One heart-beat EOL. */
    public static ByteBuf heartBeat(ByteBufAllocator alloc) {
        return alloc.buffer(1, 1).writeByte('\n');
    }
}
