package dev.stompbox.benchmarks;

import dev.stompbox.async.internal.NettyFrames;
import dev.stompbox.client.internal.FrameOutput;
import dev.stompbox.protocol.Header;
import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.StompVersion;
import dev.stompbox.protocol.codec.StompEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.stomp.DefaultStompFrame;
import io.netty.handler.codec.stomp.StompCommand;
import io.netty.handler.codec.stomp.StompSubframeEncoder;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.stomp.Command;
import io.vertx.ext.stomp.Frame;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.springframework.messaging.Message;
import org.springframework.messaging.simp.stomp.StompHeaderAccessor;
import org.springframework.messaging.support.MessageBuilder;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Encoding the same frame, one per operation: Stompbox, its peers, and a plain copy as the floor. */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class EncodeBenchmark {
    @Param({Workloads.SMALL_SEND, Workloads.BROKER_MESSAGE, Workloads.ESCAPED, Workloads.ONE_KIB, Workloads.SIXTY_FOUR_KIB})
    public String workload;

    private StompFrame frame;
    private StompEncoder encoder;
    private final NettyFrames nettyFrames = new NettyFrames(); // one per connection, as the client has
    private ByteBuffer target;
    private EmbeddedChannel netty;
    private io.netty.handler.codec.stomp.StompFrame nettyFrame;
    private org.springframework.messaging.simp.stomp.StompEncoder spring;
    private Message<byte[]> springMessage;
    private Frame vertxFrame;
    private byte[] body;
    private byte[] copy;
    private FrameOutput blocking;

    @Setup
    public void setUp() {
        frame = Workloads.frame(workload);
        encoder = StompEncoder.of(StompVersion.V1_2);
        target = ByteBuffer.allocate(encoder.encodedLength(frame));
        body = frame.body();
        copy = new byte[body.length];
        blocking = new FrameOutput(OutputStream.nullOutputStream());

        netty = new EmbeddedChannel(new StompSubframeEncoder());
        nettyFrame = new DefaultStompFrame(StompCommand.valueOf(frame.command().name()), Unpooled.wrappedBuffer(body));
        for (Header h : frame.headers()) {
            nettyFrame.headers().add(h.name(), h.value());
        }

        spring = new org.springframework.messaging.simp.stomp.StompEncoder();
        StompHeaderAccessor accessor = StompHeaderAccessor.create(org.springframework.messaging.simp.stomp.StompCommand.valueOf(frame.command().name()));
        for (Header h : frame.headers()) {
            accessor.addNativeHeader(h.name(), h.value());
        }
        accessor.setLeaveMutable(true);
        springMessage = MessageBuilder.createMessage(body, accessor.getMessageHeaders());

        Map<String, String> headers = new LinkedHashMap<>();
        for (Header h : frame.headers()) {
            headers.putIfAbsent(h.name(), h.value());
        }
        vertxFrame = new Frame(Command.valueOf(frame.command().name()), headers, Buffer.buffer(body));
    }

    /**
     * As the asynchronous client writes: the connection engine measures the frame when it is queued
     * (which refuses a frame that cannot be written, and counts the bytes waiting); then the head goes
     * into the connection's reused array and from there into a pooled direct Netty buffer, a small
     * body with it, a large one wrapped as a buffer of its own (no copy), from the allocator a channel
     * has by default; released as the channel would.
     */
    @Benchmark
    public void stompbox(Blackhole bh) {
        bh.consume(encoder.encodedLength(frame));
        ByteBuf buf = nettyFrames.encode(ByteBufAllocator.DEFAULT, encoder, frame);
        bh.consume(buf);
        buf.release();
    }

    /**
     * As the blocking client writes: measured by the connection engine when queued, then the head into
     * its reused output buffer, a large body from the frame to the stream.
     */
    @Benchmark
    public void stompboxBlocking(Blackhole bh) throws IOException {
        bh.consume(encoder.encodedLength(frame));
        blocking.write(encoder, frame);
        blocking.flush();
    }

    /** Into a reused ByteBuffer ({@code StompEncoder.encode(frame, ByteBuffer)}), for users of the codec alone. */
    @Benchmark
    public ByteBuffer stompboxByteBuffer() {
        target.clear();
        encoder.encode(frame, target);
        return target;
    }

    /** Into a fresh exact-size array. */
    @Benchmark
    public byte[] stompboxArray() {
        return encoder.encode(frame);
    }

    @Benchmark
    public void netty(Blackhole bh) {
        ((ByteBuf) nettyFrame.content()).retain();
        netty.writeOutbound(nettyFrame);
        Object o;
        while ((o = netty.readOutbound()) != null) {
            bh.consume(o);
            ReferenceCountUtil.release(o);
        }
    }

    @Benchmark
    public byte[] spring() {
        return spring.encode(springMessage);
    }

    @Benchmark
    public Buffer vertx() {
        return vertxFrame.toBuffer();
    }

    /** Floor for large bodies: one plain copy of the body. */
    @Benchmark
    public byte[] floorCopy() {
        System.arraycopy(body, 0, copy, 0, body.length);
        return copy;
    }
}
