package dev.stompbox.async.internal;

import dev.stompbox.protocol.StompCommand;
import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.StompProtocolException;
import dev.stompbox.protocol.StompVersion;
import dev.stompbox.protocol.codec.StompEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NettyFramesTest {
    private static final StompEncoder ENCODER = StompEncoder.of(StompVersion.V1_2);
    private static final PooledByteBufAllocator POOL = new PooledByteBufAllocator(false);

    private static StompFrame send(byte[] body) {
        return StompFrame.builder(StompCommand.SEND).header("destination", "/queue/ü:" + body.length).bodyWithoutCopy(body).build();
    }

    @Test
    @DisplayName("frames of every size around the large-body threshold are the encoder's bytes, in pooled buffers released once")
    void bytesAreTheEncodersBytes() {
        int[] sizes = {0, 1, NettyFrames.LARGE_BODY - 1, NettyFrames.LARGE_BODY, NettyFrames.LARGE_BODY + 1, 64 * 1024, 1 << 20};
        for (int size : sizes) {
            byte[] body = new byte[size];
            new Random(size).nextBytes(body);
            StompFrame f = send(body);
            ByteBuf buf = NettyFrames.encode(POOL, ENCODER, f);
            try {
                assertThat(ByteBufUtil.getBytes(buf)).as("%d-byte body", size).isEqualTo(ENCODER.encode(f));
            } finally {
                assertThat(buf.release()).as("one release frees it all").isTrue();
            }
        }
        ByteBuf beat = NettyFrames.heartBeat(POOL);
        assertThat(ByteBufUtil.getBytes(beat)).containsExactly('\n');
        assertThat(beat.release()).isTrue();
    }

    @Test
    @DisplayName("a large body is a view of the frame's memory (no copy), a small one is copied next to the head")
    void largeBodyWithoutCopy() {
        byte[] large = new byte[NettyFrames.LARGE_BODY];
        byte[] small = new byte[NettyFrames.LARGE_BODY - 1];
        ByteBuf l = NettyFrames.encode(POOL, ENCODER, send(large));
        ByteBuf s = NettyFrames.encode(POOL, ENCODER, send(small));
        try {
            large[0] = 42; // after encoding: the buffer sees it only if it holds no copy
            small[0] = 42;
            int head = ENCODER.headLength(send(large));
            assertThat(l.getByte(head)).isEqualTo((byte) 42);
            assertThat(s.getByte(ENCODER.headLength(send(small)))).isZero();
        } finally {
            l.release();
            s.release();
        }
    }

    @Test
    @DisplayName("a frame the version cannot carry is refused and leaves no buffer behind")
    void refusedFrameReleasesItsBuffer() {
        PooledByteBufAllocator pool = new PooledByteBufAllocator(false);
        StompFrame bad = StompFrame.builder(StompCommand.CONNECT).header("login", "a\nb").build();
        assertThatThrownBy(() -> NettyFrames.encode(pool, ENCODER, bad)).isInstanceOf(StompProtocolException.class);
        assertThat(pool.metric().heapArenas().stream().mapToLong(a -> a.numActiveAllocations()).sum()).isZero();
    }
}
