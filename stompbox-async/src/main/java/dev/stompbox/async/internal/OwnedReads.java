package dev.stompbox.async.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;

/**
 * Reads a plain TCP connection into a fresh, unpooled heap array each time, sized as Netty's
 * adaptive allocator guesses. Nothing else ever writes to such an array, so the connection engine
 * can hand it to the parser as owned ({@code StompParser.addOwned}): a body that arrives whole
 * becomes a view of it, where a pooled buffer would need a copy before it goes back to the pool.
 * Releasing the buffer after the read only drops Netty's reference; the array lives on, garbage
 * collected, for as long as a frame views it.
 *
 * <p>Only for channels whose reads reach the client as read (no TLS or WebSocket decoder in
 * between, which hand over buffers of their own). Stateless and shareable.
 */
public final class OwnedReads implements RecvByteBufAllocator {
    /** Heap, and never pooled: the arrays must not be handed to anyone else after a release. */
    private static final ByteBufAllocator UNPOOLED_HEAP = new UnpooledByteBufAllocator(false);
    public static final OwnedReads INSTANCE = new OwnedReads();

    private final AdaptiveRecvByteBufAllocator sizes = new AdaptiveRecvByteBufAllocator();

    private OwnedReads() {
    }

    /** Whether {@code buf} is one of the buffers this allocator made, so its array may be owned. */
    public static boolean owns(ByteBuf buf) {
        return buf.alloc() == UNPOOLED_HEAP && buf.hasArray();
    }

    @Override
    public Handle newHandle() {
        return new DelegatingHandle(sizes.newHandle()) {
            @Override
            public ByteBuf allocate(ByteBufAllocator alloc) {
                return UNPOOLED_HEAP.heapBuffer(guess());
            }
        };
    }
}
