package dev.stompbox.benchmarks;

import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.codec.StompParser;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.stomp.StompSubframeAggregator;
import io.netty.handler.codec.stomp.StompSubframeDecoder;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.stomp.Frame;
import io.vertx.ext.stomp.impl.FrameParser;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.springframework.messaging.simp.stomp.StompDecoder;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/** Decoding the same wire bytes (64 frames in turn), one frame per operation: Stompbox, its peers, and two floors. */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class DecodeBenchmark {
    private static final int FRAMES = 64;

    @Param({Workloads.SMALL_SEND, Workloads.BROKER_MESSAGE, Workloads.ESCAPED, Workloads.ONE_KIB, Workloads.SIXTY_FOUR_KIB, Workloads.ONE_MIB})
    public String workload;

    /** Frames as a connection sees them in turn (see {@link Workloads#wires}); every contender decodes the same sequence. */
    private byte[][] wires;
    /** The same frames back to back, as one connection's byte stream. */
    private byte[] stream;
    private int next;
    private StompParser parser;
    private EmbeddedChannel netty;
    private EmbeddedChannel nettyAggregated;
    private StompDecoder spring;
    private FrameParser vertx;
    private Frame vertxFrame;

    @Setup
    public void setUp() {
        wires = Workloads.wires(workload, FRAMES);
        stream = new byte[java.util.Arrays.stream(wires).mapToInt(w -> w.length).sum()];
        int at = 0;
        for (byte[] w : wires) {
            System.arraycopy(w, 0, stream, at, w.length);
            at += w.length;
        }
        parser = new StompParser();
        netty = new EmbeddedChannel(new StompSubframeDecoder(64 * 1024, 2 * 1024 * 1024));
        nettyAggregated = new EmbeddedChannel(new StompSubframeDecoder(64 * 1024, 2 * 1024 * 1024), new StompSubframeAggregator(2 * 1024 * 1024));
        spring = new StompDecoder();
        vertx = new FrameParser().handler(f -> vertxFrame = f);
    }

    private byte[] wire() {
        return wires[next++ & (FRAMES - 1)];
    }

    @Benchmark
    public StompFrame stompbox() {
        byte[] wire = wire();
        parser.add(wire);
        return parser.get();
    }

    /**
     * Decoded and then every header value read. Stompbox turns plain header values into strings on
     * first access, while every peer builds them all while decoding; this is the like-for-like
     * figure for a reader that looks at every header.
     */
    @Benchmark
    public void stompboxReadingHeaders(Blackhole bh) {
        byte[] wire = wire();
        parser.add(wire);
        StompFrame f = parser.get();
        for (int i = 0, n = f.headerCount(); i < n; i++) {
            bh.consume(f.headerValue(i));
        }
        bh.consume(f);
    }

    /**
     * Fed with {@link StompParser#addOwned}: the array is handed over, as the asynchronous client
     * hands over each buffer it reads into, so a whole large body is a view rather than a copy.
     */
    @Benchmark
    public StompFrame stompboxOwned() {
        byte[] wire = wire();
        parser.addOwned(wire, 0, wire.length);
        return parser.get();
    }

    /**
     * Fed as TCP would: the 64 frames back to back, cut into 1 460-byte segments wherever the cuts
     * fall, so that frames start and end mid-segment (a frame fed alone in segments never shares one
     * with the next, and a frame under 1 460 bytes would not be cut at all). Counted per frame.
     */
    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public int stompboxChunks1460(Blackhole bh) {
        return feedInSegments(parser, stream, 1460, bh);
    }

    /** Feeds {@code stream} in {@code segment}-byte pieces, every frame to {@code bh}; answers how many frames came. */
    static int feedInSegments(StompParser parser, byte[] stream, int segment, Blackhole bh) {
        int frames = 0;
        for (int at = 0; at < stream.length; at += segment) {
            parser.add(stream, at, Math.min(segment, stream.length - at));
            for (StompFrame f; (f = parser.get()) != null; frames++) {
                bh.consume(f);
            }
        }
        return frames;
    }

    /** The frames of this workload back to back. */
    byte[] stream() {
        return stream;
    }

    /** The frames of this workload one by one. */
    byte[][] wires() {
        return wires;
    }

    /** One byte at a time: the worst fragmentation. */
    @Benchmark
    public void stompboxChunks1(Blackhole bh) {
        byte[] wire = wire();
        for (int at = 0; at < wire.length; at++) {
            parser.add(wire, at, 1);
        }
        bh.consume(parser.get());
    }

    @Benchmark
    public void netty(Blackhole bh) {
        decode(netty, wire(), bh);
    }

    /** Netty with its aggregator: one {@code StompFrame} with the whole body, as a client hands it to a user. */
    @Benchmark
    public void nettyAggregated(Blackhole bh) {
        decode(nettyAggregated, wire(), bh);
    }

    private static void decode(EmbeddedChannel channel, byte[] wire, Blackhole bh) {
        channel.writeInbound(Unpooled.wrappedBuffer(wire));
        Object o;
        while ((o = channel.readInbound()) != null) {
            bh.consume(o);
            ReferenceCountUtil.release(o);
        }
    }

    @Benchmark
    public Object spring() {
        byte[] wire = wire();
        return spring.decode(ByteBuffer.wrap(wire));
    }

    @Benchmark
    public Frame vertx() {
        byte[] wire = wire();
        vertx.handle(Buffer.buffer(wire));
        return vertxFrame;
    }

    /** Floor: the least any parser of these bytes must do, find the NUL. */
    @Benchmark
    public int floorScanForNul() {
        byte[] w = wire();
        for (int i = 0; i < w.length; i++) {
            if (w[i] == 0) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Floor for a decoder that hands over a complete body of its own: a fresh array the size of the
     * bytes, filled by one copy (allocation and zeroing included).
     */
    @Benchmark
    public byte[] floorCopyIntoNewArray() {
        byte[] wire = wire();
        return java.util.Arrays.copyOf(wire, wire.length);
    }

}
