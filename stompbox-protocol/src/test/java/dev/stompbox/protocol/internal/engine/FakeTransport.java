package dev.stompbox.protocol.internal.engine;

import dev.stompbox.protocol.HeartBeat;
import dev.stompbox.protocol.StompCommand;
import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.StompVersion;
import dev.stompbox.protocol.codec.ParserLimits;
import dev.stompbox.protocol.codec.StompEncoder;
import dev.stompbox.protocol.codec.StompParser;
import dev.stompbox.protocol.commands.ConnectOptions;
import dev.stompbox.protocol.failover.BrokerAddress;
import dev.stompbox.protocol.failover.FailoverUri;
import dev.stompbox.protocol.failover.ReconnectSchedule;
import dev.stompbox.protocol.metrics.StompMetrics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Drives a {@link ConnectionEngine} the way a client does, with a clock and a transport that are
 * plain fields: what the engine asks to open, close and write is recorded, and the test answers.
 */
final class FakeTransport implements EngineHandler {
    static final Duration RECEIPT_TIMEOUT = Duration.ofSeconds(30);
    static final Duration WRITE_TIMEOUT = Duration.ofSeconds(5);
    static final Duration DISCONNECT_TIMEOUT = Duration.ofSeconds(10);

    record Open(int conn, BrokerAddress broker, Duration timeout) {
    }

    final ConnectionEngine engine;
    long now = 1_000_000_000L;
    final List<Open> opens = new ArrayList<>();
    final List<Integer> closes = new ArrayList<>();
    final List<StompFrame> written = new ArrayList<>(); // every frame written, heart-beats as null
    final List<Delivery> delivered = new ArrayList<>();
    final List<String> events = new ArrayList<>();
    final List<String> attemptFailures = new ArrayList<>();
    final List<Reconnection> reconnections = new ArrayList<>();
    final List<Throwable> ended = new ArrayList<>();
    int rooms;
    boolean autoWrite = true; // report every write as done at once

    FakeTransport(String uri, UnaryOperator<Settings> tune) {
        Settings s = tune.apply(new Settings(uri));
        engine = new ConnectionEngine(s.build(), new ReconnectSchedule(FailoverUri.parse(uri), new Random(1), Set.of()),
                s.log, "test");
    }

    /** The settings a test changes; the rest as the clients' defaults. */
    static final class Settings {
        String uri;
        StompVersion version = StompVersion.V1_2;
        HeartBeat heartBeat = HeartBeat.NONE;
        boolean autoReconnect;
        boolean atLeastOnce;
        int maxUnreceipted = 1000;
        long maxUnreceiptedBytes = 64L << 20;
        long maxPendingWriteBytes = 4L << 20;
        ParserLimits limits = ParserLimits.defaults();
        StompMetrics metrics = StompMetrics.NONE;
        EngineLog log = EngineLog.NONE;

        Settings(String uri) {
            this.uri = uri;
        }

        Settings autoReconnect() {
            autoReconnect = true;
            return this;
        }

        Settings atLeastOnce() {
            atLeastOnce = true;
            return this;
        }

        EngineSettings build() {
            return new EngineSettings(FailoverUri.parse(uri), version, ConnectOptions.builder().host("/").heartBeat(heartBeat).build(),
                    2.0, Duration.ofSeconds(10), Duration.ofSeconds(10), RECEIPT_TIMEOUT, DISCONNECT_TIMEOUT, WRITE_TIMEOUT,
                    limits, autoReconnect, atLeastOnce, maxUnreceipted, maxUnreceiptedBytes, maxPendingWriteBytes, metrics);
        }
    }

    // -- the client's side -------------------------------------------------------------------------

    /** Applies the effects and, with autoWrite, writes what is queued; what a client does after each call. */
    FakeTransport pump() {
        do {
            engine.applyEffects(this);
            if (autoWrite) {
                writeAll();
            }
        } while (engine.hasEffects());
        return this;
    }

    void writeAll() {
        Outbound o;
        while ((o = engine.nextWrite()) != null) {
            written.add(o.frame());
            engine.written(o, now);
        }
    }

    FakeTransport advance(Duration d) {
        now += d.toNanos();
        engine.tick(now);
        return pump();
    }

    /** Moves the clock to the engine's next deadline and ticks. */
    FakeTransport toDeadline() {
        long next = engine.nextDeadline(now);
        if (next == ConnectionEngine.NONE) {
            throw new AssertionError("the engine has no deadline");
        }
        now = Math.max(now, next);
        engine.tick(now);
        return pump();
    }

    int lastConn() {
        return opens.get(opens.size() - 1).conn();
    }

    /** Answers the last open and sends CONNECTED (with {@code heartBeat}, server side: send,receive). */
    FakeTransport accept(String heartBeat) {
        int c = lastConn();
        engine.opened(c, now);
        pump();
        StompFrame.Builder connected = StompFrame.builder(StompCommand.CONNECTED).header("version", "1.2").header("server", "fake/1");
        if (heartBeat != null) {
            connected.header("heart-beat", heartBeat);
        }
        return receive(connected.build());
    }

    FakeTransport connect() {
        engine.connect(now, ConnectionEngine.NONE);
        engine.tick(now);
        pump();
        return accept(null);
    }

    FakeTransport receive(StompFrame frame) {
        byte[] bytes = StompEncoder.of(StompVersion.V1_2).encode(frame);
        engine.received(lastConn(), bytes, 0, bytes.length, now);
        return pump();
    }

    /** These frames in one chunk, as one read from the socket would hand them over. */
    FakeTransport receiveTogether(StompFrame... frames) {
        return receiveTogether(frames, "");
    }

    /** These frames and then {@code raw} (invalid bytes, say) in one chunk. */
    FakeTransport receiveTogether(StompFrame[] frames, String raw) {
        java.io.ByteArrayOutputStream chunk = new java.io.ByteArrayOutputStream();
        for (StompFrame f : frames) {
            chunk.writeBytes(StompEncoder.of(StompVersion.V1_2).encode(f));
        }
        chunk.writeBytes(raw.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        byte[] bytes = chunk.toByteArray();
        engine.received(lastConn(), bytes, 0, bytes.length, now);
        return pump();
    }

    FakeTransport receipt(String id) {
        return receive(StompFrame.builder(StompCommand.RECEIPT).header("receipt-id", id).build());
    }

    FakeTransport message(String subscription, String id, String body) {
        return receive(StompFrame.builder(StompCommand.MESSAGE).header("subscription", subscription).header("message-id", id)
                .header("destination", "/queue/a").header("ack", id).body(body).build());
    }

    FakeTransport drop() {
        engine.closed(lastConn(), new java.io.IOException("Connection reset"), now);
        return pump();
    }

    List<StompCommand> commands() {
        List<StompCommand> list = new ArrayList<>();
        for (StompFrame f : written) {
            list.add(f == null ? null : f.command());
        }
        return list;
    }

    StompFrame lastWritten() {
        return written.get(written.size() - 1);
    }

    static StompFrame parse(byte[] bytes) {
        StompParser p = new StompParser();
        p.add(bytes);
        return p.get();
    }

    // -- EngineHandler -----------------------------------------------------------------------------

    @Override
    public void open(int conn, BrokerAddress broker, Duration timeout) {
        opens.add(new Open(conn, broker, timeout));
    }

    @Override
    public void close(int conn) {
        closes.add(conn);
    }

    @Override
    public void deliver(Delivery delivery) {
        delivered.add(delivery);
    }

    @Override
    public void connected(BrokerAddress broker) {
        events.add("connected " + broker.port());
    }

    @Override
    public void connectionLost(long epoch, Throwable cause) {
        events.add("lost " + epoch + ": " + cause.getMessage());
    }

    @Override
    public void reconnected(Reconnection reconnection) {
        events.add("reconnected " + reconnection.broker().port());
        reconnections.add(reconnection);
    }

    @Override
    public void attemptFailed(BrokerAddress broker, Throwable cause) {
        attemptFailures.add(broker.port() + ": " + cause.getMessage());
    }

    @Override
    public void reconnectFailed(Throwable cause) {
        events.add("reconnect failed: " + cause.getMessage());
    }

    @Override
    public void ended(Throwable cause) {
        ended.add(cause);
        events.add("ended" + (cause == null ? "" : ": " + cause.getMessage()));
    }

    @Override
    public void room() {
        rooms++;
    }
}
