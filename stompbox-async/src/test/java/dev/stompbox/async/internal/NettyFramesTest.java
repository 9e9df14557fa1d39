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
        int[] sizes = {0, 1, 1000, 20, NettyFrames.LARGE_BODY - 1, NettyFrames.LARGE_BODY, NettyFrames.LARGE_BODY + 1, 64 * 1024, 1 << 20, 5};
        NettyFrames frames = new NettyFrames(); // one, as a connection has: its reused array must never show through
        for (int size : sizes) {
            byte[] body = new byte[size];
            new Random(size).nextBytes(body);
            StompFrame f = send(body);
            ByteBuf buf = frames.encode(POOL, ENCODER, f);
            try {
                assertThat(buf.isDirect() || buf.nioBufferCount() > 1).as("what the socket takes without another copy").isTrue();
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
    @DisplayName("buffers made one after another from one reused array each keep their own bytes, a head past the array's bound too")
    void buffersOutliveTheNextEncode() {
        NettyFrames frames = new NettyFrames();
        StompFrame first = send("first".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        StompFrame huge = StompFrame.builder(StompCommand.SEND).header("destination", "/queue/h")
                .header("x", "v".repeat(NettyFrames.MAX_SCRATCH + 10)).body("b").build();
        StompFrame second = send("second!".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        ByteBuf a = frames.encode(POOL, ENCODER, first);
        ByteBuf h = frames.encode(POOL, ENCODER, huge);
        ByteBuf b = frames.encode(POOL, ENCODER, second);
        try {
            assertThat(ByteBufUtil.getBytes(a)).isEqualTo(ENCODER.encode(first));
            assertThat(ByteBufUtil.getBytes(h)).isEqualTo(ENCODER.encode(huge));
            assertThat(ByteBufUtil.getBytes(b)).isEqualTo(ENCODER.encode(second));
        } finally {
            a.release();
            h.release();
            b.release();
        }
    }

    @Test
    @DisplayName("a large body is a view of the frame's memory (no copy), a small one is copied next to the head")
    void largeBodyWithoutCopy() {
        byte[] large = new byte[NettyFrames.LARGE_BODY];
        byte[] small = new byte[NettyFrames.LARGE_BODY - 1];
        ByteBuf l = new NettyFrames().encode(POOL, ENCODER, send(large));
        ByteBuf s = new NettyFrames().encode(POOL, ENCODER, send(small));
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
        assertThatThrownBy(() -> new NettyFrames().encode(pool, ENCODER, bad)).isInstanceOf(StompProtocolException.class);
        assertThat(pool.metric().heapArenas().stream().mapToLong(a -> a.numActiveAllocations()).sum()).isZero();
        assertThat(pool.metric().directArenas().stream().mapToLong(a -> a.numActiveAllocations()).sum()).isZero();
    }
}
