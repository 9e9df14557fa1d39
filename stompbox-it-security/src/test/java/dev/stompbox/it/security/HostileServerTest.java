package dev.stompbox.it.security;

import dev.stompbox.async.AsyncStompClientConfig;
import dev.stompbox.async.AsyncStompClient;
import dev.stompbox.client.StompClient;
import dev.stompbox.client.StompClientConfig;
import dev.stompbox.protocol.HeartBeat;
import dev.stompbox.protocol.StompConnectionException;
import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.StompFrameException;
import dev.stompbox.protocol.codec.ParserLimits;
import dev.stompbox.testkit.ServerConnection;
import dev.stompbox.testkit.StompTestServer;
import dev.stompbox.testkit.junit.StompTestServerExtension;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A server that sends what no broker should, against both clients: each case ends in a typed error
 * naming what was wrong, or is handled within bounds, and the client never hangs. The limits are
 * the defaults except a frame limit of 1 MiB.
 */
@ExtendWith(StompTestServerExtension.class)
class HostileServerTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final int MAX_FRAME = 1024 * 1024;
    private static final String MESSAGE_HEAD = "MESSAGE\nsubscription:s\ndestination:/queue/h\nmessage-id:1\n";
    /** Messages a client may hold for the application before it stops reading (inboxCapacity, maxBufferedMessages). */
    private static final int HELD_MESSAGES = 50;
    /** What the parser may hold at most, per {@code StompParser#retainedBytes()}: the frame limit plus the line limit. */
    private static final long PARSER_BOUND = MAX_FRAME + 65_536 + 2;

    StompTestServer server;

    enum Kind { BLOCKING, ASYNC }

    /** One client of either kind, subscribed with id {@code s}. */
    private interface Victim extends AutoCloseable {
        /** The next body delivered, or null after {@code timeout}. */
        String nextBody(Duration timeout) throws Exception;

        /** Waits for the connection to end and returns why. */
        Throwable awaitLoss(Duration timeout) throws Exception;

        boolean connected();

        long unknownSubscriptionMessages();

        /** A SEND without receipt (a RECEIPT would land in the middle of the test's raw bytes). */
        void send(String body) throws Exception;

        /** The most the client's own accounting ({@code bufferedBytes()}) showed, sampled every millisecond. */
        long peakBufferedBytes();

        /** Stops taking messages (blocking: nobody receives; async: the handler waits) until {@link #release()}. */
        void hold();

        void release();

        @Override
        void close();
    }

    private Victim connect(Kind kind) throws Exception {
        ParserLimits limits = ParserLimits.defaults().withMaxFrameSize(MAX_FRAME);
        if (kind == Kind.BLOCKING) {
            StompClient c = StompClient.create(StompClientConfig.builder(server.uri()).parserLimits(limits).inboxCapacity(HELD_MESSAGES)
                    .heartBeat(new HeartBeat(0, 0)).disconnectTimeout(Duration.ofSeconds(1)).build());
            c.connect();
            c.subscribe("/queue/h", Map.of("id", "s", "receipt", "sub")).receipt().await(TIMEOUT);
            Sampler sampler = new Sampler(c::bufferedBytes);
            return new Victim() {
                @Override
                public long peakBufferedBytes() {
                    return sampler.peak();
                }

                @Override
                public void hold() {
                    // nothing to do: the blocking client holds what nobody receives
                }

                @Override
                public void release() {
                }

                @Override
                public String nextBody(Duration timeout) {
                    StompFrame f = c.receiveFrame(timeout);
                    return f == null ? null : f.bodyAsString();
                }

                @Override
                public Throwable awaitLoss(Duration timeout) {
                    long deadline = System.nanoTime() + timeout.toNanos();
                    while (System.nanoTime() < deadline) {
                        try {
                            c.receiveFrame(Duration.ofMillis(200));
                        } catch (StompConnectionException e) {
                            return e;
                        }
                    }
                    throw new AssertionError("connection not lost within " + timeout);
                }

                @Override
                public boolean connected() {
                    return c.isConnected();
                }

                @Override
                public long unknownSubscriptionMessages() {
                    return c.unknownSubscriptionMessages();
                }

                @Override
                public void send(String body) {
                    c.send("/queue/other", body.getBytes(StandardCharsets.UTF_8), Map.of());
                }

                @Override
                public void close() {
                    sampler.stop();
                    c.close();
                }
            };
        }
        AsyncStompClient c = AsyncStompClient.create(AsyncStompClientConfig.builder(server.uri()).parserLimits(limits)
                .maxBufferedMessages(HELD_MESSAGES).heartBeat(new HeartBeat(0, 0)).disconnectTimeout(Duration.ofSeconds(1)).build());
        c.connect().get(20, TimeUnit.SECONDS);
        BlockingQueue<String> bodies = new LinkedBlockingQueue<>();
        AtomicReference<CountDownLatch> gate = new AtomicReference<>(new CountDownLatch(0));
        c.subscribe("/queue/h", Map.of("id", "s", "receipt", "sub"), (client, f) -> {
            gate.get().await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            bodies.add(f.bodyAsString());
            return null;
        }).get(20, TimeUnit.SECONDS);
        Sampler sampler = new Sampler(c::bufferedBytes);
        return new Victim() {
            @Override
            public long peakBufferedBytes() {
                return sampler.peak();
            }

            @Override
            public void hold() {
                gate.set(new CountDownLatch(1));
            }

            @Override
            public void release() {
                gate.get().countDown();
            }

            @Override
            public String nextBody(Duration timeout) throws InterruptedException {
                return bodies.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            }

            @Override
            public Throwable awaitLoss(Duration timeout) throws Exception {
                try {
                    c.disconnected().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                    throw new AssertionError("ended without a cause");
                } catch (ExecutionException e) {
                    return e.getCause();
                } catch (TimeoutException e) {
                    throw new AssertionError("connection not lost within " + timeout, e);
                }
            }

            @Override
            public boolean connected() {
                return c.isConnected();
            }

            @Override
            public long unknownSubscriptionMessages() {
                return c.unknownSubscriptionMessages();
            }

            @Override
            public void send(String body) throws Exception {
                c.send("/queue/other", body.getBytes(StandardCharsets.UTF_8), Map.of()).get(20, TimeUnit.SECONDS);
            }

            @Override
            public void close() {
                release();
                sampler.stop();
                c.close();
            }
        };
    }

    /** Polls a client's {@code bufferedBytes()} every millisecond and keeps the highest value. */
    private static final class Sampler {
        private final AtomicLong peak = new AtomicLong();
        private final Thread thread;
        private volatile boolean stopped;

        Sampler(LongSupplier bufferedBytes) {
            thread = new Thread(() -> {
                while (!stopped) {
                    peak.accumulateAndGet(bufferedBytes.getAsLong(), Math::max);
                    LockSupport.parkNanos(1_000_000);
                }
            }, "buffered-bytes-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        long peak() {
            return peak.get();
        }

        void stop() {
            stopped = true;
        }
    }

    /** The client's own accounting never passed what its parser limits allow (nothing was held for the application). */
    private static void assertParserBounded(Victim v) {
        System.out.printf("peak bufferedBytes %,d (bound %,d)%n", v.peakBufferedBytes(), PARSER_BOUND);
        assertThat(v.peakBufferedBytes()).as("peak bufferedBytes").isLessThanOrEqualTo(PARSER_BOUND);
    }

    /** The server's side of the newest connection, once the client has subscribed on it. */
    private ServerConnection serverSide() {
        ServerConnection sc = server.awaitConnection(server.connections().size() - 1, TIMEOUT);
        sc.awaitReceived(f -> "s".equals(f.header("id")), TIMEOUT);
        return sc;
    }

    /** Streams {@code total} bytes made of {@code pattern} in 1 MiB chunks until the client hangs up; returns the bytes queued. */
    private static long stream(ServerConnection sc, byte[] prefix, byte[] pattern, long total) throws InterruptedException {
        sc.sendRaw(prefix);
        byte[] chunk = new byte[1024 * 1024];
        for (int i = 0; i < chunk.length; i++) {
            chunk[i] = pattern[i % pattern.length];
        }
        long sent = 0;
        while (sent < total && sc.isOpen()) {
            sc.sendRaw(chunk);
            sent += chunk.length;
            Thread.sleep(20); // paced: the test kit queues what it is given
        }
        return sent;
    }

    /** Connects a client of {@code kind}, sends it {@code wire} and returns the reason it gave for hanging up. */
    private String refusal(Kind kind, byte[] wire) throws Exception {
        try (Victim v = connect(kind)) {
            serverSide().sendRaw(wire);
            String reason = reason(v.awaitLoss(TIMEOUT));
            assertParserBounded(v);
            return reason;
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static String reason(Throwable loss) {
        assertThat(loss).isInstanceOf(StompConnectionException.class).hasMessageContaining("invalid data");
        assertThat(loss.getCause()).isInstanceOf(StompFrameException.class);
        return ((StompFrameException) loss.getCause()).reason();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aHundredMegabyteHeaderLineIsRefusedAtItsLimit(Kind kind) throws Exception {
        try (Victim v = connect(kind)) {
            ServerConnection sc = serverSide();
            long sent = stream(sc, (MESSAGE_HEAD + "x:").getBytes(StandardCharsets.US_ASCII), new byte[] {'a'}, 100L << 20);
            assertThat(reason(v.awaitLoss(TIMEOUT))).startsWith("Header line too long (limit maxHeaderLineLength=65536");
            assertThat(sent).as("the client hung up long before 100 MB").isLessThan(100L << 20);
            assertParserBounded(v);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aMillionHeadersAreRefusedAtTheHeaderLimit(Kind kind) throws Exception {
        try (Victim v = connect(kind)) {
            stream(serverSide(), MESSAGE_HEAD.getBytes(StandardCharsets.US_ASCII), "h:v\n".getBytes(StandardCharsets.US_ASCII), 4_000_000);
            assertThat(reason(v.awaitLoss(TIMEOUT))).isEqualTo("Too many headers (limit maxHeaders=1000)");
            assertParserBounded(v);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void contentLengthThatIsNegativeHugeOrNotANumberIsATypedError(Kind kind) throws Exception {
        for (String value : new String[] {"-1", "99999999999", "ten"}) {
            assertThat(refusal(kind, ascii(MESSAGE_HEAD + "content-length:" + value + "\n\nbody\0")))
                    .isEqualTo("Invalid content-length: '" + value + "'");
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aContentLengthThatLiesIsCaughtAtTheMissingNul(Kind kind) throws Exception {
        assertThat(refusal(kind, ascii(MESSAGE_HEAD + "content-length:3\n\nhello\0")))
                .isEqualTo("Expected NUL after content-length 3 body");
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aContentLengthAboveTheFrameLimitIsRefusedBeforeTheBodyArrives(Kind kind) throws Exception {
        assertThat(refusal(kind, ascii(MESSAGE_HEAD + "content-length:" + (2 * MAX_FRAME) + "\n\n")))
                .startsWith("Frame too large: content-length " + (2 * MAX_FRAME));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void invalidUtf8InAHeaderIsATypedError(Kind kind) throws Exception {
        byte[] head = ascii(MESSAGE_HEAD + "name:");
        byte[] wire = Arrays.copyOf(head, head.length + 5);
        wire[head.length] = (byte) 0xC3;
        wire[head.length + 1] = (byte) 0x28; // not a continuation byte
        wire[head.length + 2] = '\n';
        wire[head.length + 3] = '\n';
        wire[head.length + 4] = 0;
        assertThat(refusal(kind, wire)).startsWith("Malformed UTF-8 in header");
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aBareCarriageReturnIsATypedError(Kind kind) throws Exception {
        assertThat(refusal(kind, ascii(MESSAGE_HEAD + "name:a\rb\n\n\0"))).startsWith("Bare CR");
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void tenMegabytesOfHeartBeatsAreCountedNotKeptAndTheNextMessageArrives(Kind kind) throws Exception {
        try (Victim v = connect(kind)) {
            ServerConnection sc = serverSide();
            stream(sc, new byte[0], new byte[] {'\n'}, 10L << 20);
            sc.sendRaw((MESSAGE_HEAD + "\nafter the beats\0").getBytes(StandardCharsets.US_ASCII));
            assertThat(v.nextBody(TIMEOUT)).isEqualTo("after the beats");
            assertThat(v.connected()).isTrue();
            assertParserBounded(v);
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aFrameOneByteEvery100MillisecondsNeitherHangsNorBlocksTheClient(Kind kind) throws Exception {
        try (Victim v = connect(kind)) {
            ServerConnection sc = serverSide();
            byte[] frame = "MESSAGE\nsubscription:s\n\nslow\0".getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < frame.length; i++) {
                sc.sendRaw(new byte[] {frame[i]});
                if (i == frame.length / 2) {
                    v.send("meanwhile"); // a half-read frame does not hold up the client's own work
                    assertThat(sc.awaitReceived(f -> "meanwhile".equals(f.bodyAsString()), TIMEOUT)).isNotNull();
                }
                Thread.sleep(100);
            }
            assertThat(v.nextBody(TIMEOUT)).isEqualTo("slow");
            assertThat(v.connected()).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aMessageForAnUnknownSubscriptionIsCountedAndDropped(Kind kind) throws Exception {
        try (Victim v = connect(kind)) {
            ServerConnection sc = serverSide();
            sc.sendMessage("nobody", "/queue/h", "lost".getBytes(StandardCharsets.UTF_8));
            sc.sendMessage("s", "/queue/h", "kept".getBytes(StandardCharsets.UTF_8));
            assertThat(v.nextBody(TIMEOUT)).isEqualTo("kept");
            assertThat(v.unknownSubscriptionMessages()).isEqualTo(1);
            assertThat(v.connected()).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aFloodOfMessagesNobodyTakesIsHeldWithinTheClientsLimitAndThenDelivered(Kind kind) throws Exception {
        int count = 2_000;
        byte[] payload = new byte[10_000];
        Arrays.fill(payload, (byte) 'f');
        try (Victim v = connect(kind)) {
            v.hold();
            ServerConnection sc = serverSide();
            for (int i = 0; i < count; i++) {
                sc.sendMessage("s", "/queue/h", payload); // 20 MB in all; the kit queues it, the client reads what it may
            }
            Thread.sleep(1_000);
            long frame = payload.length + 200; // the body and a generous allowance for its headers
            // What a client holds: its message limit, the frames of one socket read beyond it (64 KiB), and the parser.
            long limit = (HELD_MESSAGES + 64 * 1024 / payload.length + 1) * frame + PARSER_BOUND;
            assertThat(v.peakBufferedBytes()).as("peak bufferedBytes while nobody took a message")
                    .isGreaterThan(HELD_MESSAGES / 2 * (long) payload.length).isLessThanOrEqualTo(limit);
            System.out.printf("flood: peak bufferedBytes %,d (bound %,d)%n", v.peakBufferedBytes(), limit);
            v.release();
            for (int i = 0; i < count; i++) {
                assertThat(v.nextBody(TIMEOUT)).as("message %d of %d", i, count).hasSize(payload.length);
            }
            assertThat(v.connected()).isTrue();
            assertThat(v.peakBufferedBytes()).isLessThanOrEqualTo(limit);
        }
    }
}
