package dev.stompbox.client;

import dev.stompbox.client.internal.EngineRunner;
import dev.stompbox.client.internal.Waiting;
import dev.stompbox.protocol.AckMode;
import dev.stompbox.protocol.StompBrokerException;
import dev.stompbox.protocol.StompCommand;
import dev.stompbox.protocol.StompConnectTimeoutException;
import dev.stompbox.protocol.StompConnectionException;
import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.StompHeaders;
import dev.stompbox.protocol.StompProtocolException;
import dev.stompbox.protocol.StompReceiptTimeoutException;
import dev.stompbox.protocol.StompVersion;
import dev.stompbox.protocol.commands.Commands;
import dev.stompbox.protocol.commands.Subscribe;
import dev.stompbox.protocol.connection.ConnectionConfig;
import dev.stompbox.protocol.failover.BrokerAddress;
import dev.stompbox.protocol.failover.ReconnectSchedule;
import dev.stompbox.protocol.interceptor.StompInterceptor;
import dev.stompbox.protocol.internal.engine.ConnectionEngine;
import dev.stompbox.protocol.internal.engine.Interception;
import dev.stompbox.protocol.internal.engine.ConnectionState;
import dev.stompbox.protocol.internal.engine.Delivery;
import dev.stompbox.protocol.internal.engine.EngineLog;
import dev.stompbox.protocol.internal.engine.EngineSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A blocking STOMP client (stompest's {@code sync.Stomp}): dead simple, and it imposes no
 * concurrency model. It drives the protocol module's parser, encoder, session and failover
 * schedule over a socket or TLS.
 *
 * <pre>{@code
 * try (StompClient client = StompClient.create(StompClientConfig.builder("tcp://localhost:61613").build())) {
 *     client.connect();
 *     client.send("/queue/test", "test message 1");
 *     Subscription sub = client.subscribe("/queue/test", Map.of("ack", "client-individual"));
 *     StompFrame frame = client.receiveFrame(Duration.ofSeconds(5));
 *     client.ack(frame);
 *     client.disconnect();
 * }
 * }</pre>
 *
 * <p><b>Threads.</b> Any thread may send, subscribe, ack or begin transactions; one thread at a
 * time receives. A call writes its frame on the caller's thread (or, when another thread is writing
 * at that moment, leaves it to that thread, which keeps the order of the calls). The connection
 * rules live in the connection engine the asynchronous client runs too, under one lock that is
 * never held across I/O; three daemon threads per client serve it for the client's whole life: a
 * reader, which reads the socket continuously (it completes receipts, handles ERROR and heart-beats,
 * and queues MESSAGEs in an inbox), a timer, asleep until the engine's next deadline (heart-beats,
 * receipt timeouts, server silence, writes that make no progress), and a writer for what no call
 * writes (heart-beats, a reconnect's replay). When the inbox holds {@code inboxCapacity} messages
 * the reader stops reading, which pushes back on the broker, and the server-silence check is
 * suspended until it reads again: a slow consumer never looks like a dead server. Listener calls
 * run one at a time, in order, on a thread of their own, never under the client's lock.
 *
 * <p><b>Backpressure.</b> At most {@code maxPendingWriteBytes} wait to be written (and, with
 * at-least-once publishing, at most the window awaits RECEIPTs); a send beyond that blocks until
 * there is room, at most the write timeout. A connection whose writes make no progress for the write
 * timeout is lost.
 *
 * <p><b>Failure.</b> Silence from the server beyond the grace factor, a broken socket, invalid
 * bytes or an ERROR frame end the connection: waiting receipts fail at once and blocked calls wake
 * with a {@link StompConnectionException} naming the cause ({@link StompBrokerException} for an
 * ERROR frame). With auto-reconnect on, the client then walks the failover schedule, replays its
 * subscriptions and tells the {@link dev.stompbox.protocol.connection.ConnectionListener} what
 * happened in a {@link dev.stompbox.protocol.connection.ReconnectReport}. Messages belong to the connection they came on: acking one from an
 * earlier connection is a {@link StompAckException}, never a frame on the wire.
 */
public final class StompClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StompClient.class);
    private static final AtomicInteger INSTANCES = new AtomicInteger();
    private static final Duration MARGIN = Duration.ofSeconds(1); // past the engine's own timeouts, which fail first

    private final StompClientConfig config;
    private final int instance = INSTANCES.incrementAndGet();
    private final AtomicLong subscriptionIds = new AtomicLong();
    private final EngineRunner runner;
    private Delivery peeked; // receiving thread only

    private StompClient(StompClientConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        ConnectionEngine engine = new ConnectionEngine(EngineSettings.from(config), new ReconnectSchedule(config.failoverUri()),
                EngineLog.of(log::isDebugEnabled, log::debug, log::info, log::warn, log::error), String.valueOf(instance));
        this.runner = new EngineRunner(config, engine, instance);
    }

    /** A client for {@code config}; nothing happens on the network until {@link #connect()}. */
    public static StompClient create(StompClientConfig config) {
        return new StompClient(Objects.requireNonNull(config, "config"));
    }

    /** A client for {@code uri} with default settings. */
    public static StompClient create(String uri) {
        return StompClient.create(StompClientConfig.builder(uri).build());
    }

    public StompClientConfig config() {
        return config;
    }

    /** Whether a connection is up (CONNECTED received and not lost since). */
    public boolean isConnected() {
        return runner.state() == ConnectionState.CONNECTED;
    }

    /** The broker currently connected to, or {@code null}. */
    public BrokerAddress broker() {
        return runner.read(ConnectionEngine::broker);
    }

    /** The negotiated STOMP version (the configured one while not connected). */
    public StompVersion version() {
        return runner.read(ConnectionEngine::version);
    }

    /**
     * Bytes the client holds for data it has read but not yet handed out: MESSAGEs waiting for
     * {@code receiveFrame} (the reader stops once {@code inboxCapacity} wait) plus what the parser
     * holds of the frame being read ({@link dev.stompbox.protocol.codec.StompParser#retainedBytes()},
     * bounded by the parser limits). 0 once the connection has ended.
     */
    public long bufferedBytes() {
        return runner.bufferedBytes();
    }

    /**
     * Completes when the connection has ended for good: normally after {@link #disconnect()} or
     * {@link #close()}, exceptionally with the cause otherwise (an ERROR, a loss without
     * auto-reconnect, a spent reconnect schedule). Each {@link #connect()} starts a new one.
     */
    public CompletableFuture<Void> disconnected() {
        return runner.ended();
    }

    /** MESSAGE frames dropped because no active subscription matched (normal after UNSUBSCRIBE). */
    public long unknownSubscriptionMessages() {
        return runner.read(ConnectionEngine::unknownSubscriptionMessages);
    }

    // -- connecting -------------------------------------------------------------------------------

    /**
     * Connects, walking the failover schedule: each attempt waits its delay, opens the socket
     * (within the connect timeout) and waits for CONNECTED (within the connected timeout); all of
     * it within the configured {@code connectDeadline} (60 s unless set).
     *
     * @throws StompConnectTimeoutException when the schedule is spent ("Reconnect timeout: N attempts")
     * @throws StompBrokerException         when the broker answers CONNECT with ERROR (never retried)
     */
    public void connect() {
        connect(config.connectDeadline());
    }

    /**
     * Connects, giving up when {@code bound} has passed, so that even a schedule that retries
     * forever cannot hang the caller ({@link ConnectionConfig#FOREVER}: no bound).
     *
     * @throws StompConnectionException when the deadline passes first
     */
    public void connect(Duration bound) {
        Duration deadline = ConnectionConfig.bound(bound);
        long now = EngineRunner.now();
        CompletableFuture<Void> connected = runner.call(e -> {
            CompletableFuture<Void> f = e.connect(now, deadline == null ? ConnectionEngine.NONE : now + deadline.toNanos());
            runner.rearmEnded();
            return f;
        }, false);
        Waiting.await(connected, deadline == null ? null : deadline.plus(MARGIN), "connect");
    }

    // -- sending ----------------------------------------------------------------------------------

    /** A text SEND (UTF-8). */
    public Receipt send(String destination, String body) {
        return send(destination, body, Map.of());
    }

    /** A text SEND (UTF-8) with headers; see {@link #send(String, byte[], Map)}. */
    public Receipt send(String destination, String body, Map<String, String> headers) {
        return send(destination, body.getBytes(StandardCharsets.UTF_8), headers);
    }

    /**
     * A SEND with a copy of {@code body}. A {@code receipt} header in {@code headers} asks for that
     * receipt; with {@link StompClientConfig#receipts()} on, one is asked for anyway and awaited.
     */
    public Receipt send(String destination, byte[] body, Map<String, String> headers) {
        Map<String, String> hs = new LinkedHashMap<>(headers);
        String explicit = hs.remove(StompHeaders.RECEIPT);
        if (config.interceptor() != StompInterceptor.NONE) {
            return Interception.around(config.interceptor().beforeSend(destination, hs), () -> sendNow(destination, body, hs, explicit));
        }
        return sendNow(destination, body, hs, explicit);
    }

    private Receipt sendNow(String destination, byte[] body, Map<String, String> hs, String explicit) {
        if (config.atLeastOnce() && !hs.containsKey(StompHeaders.TRANSACTION)) {
            return publish(rid -> Commands.send(destination, body, hs, explicit != null ? explicit : rid));
        }
        return execute(explicit, explicit != null, false, (s, rid) -> s.send(destination, body, hs, rid));
    }

    /**
     * Sends a SEND frame built by the caller, for instance with a body adopted without copying
     * ({@link StompFrame.Builder#bodyWithoutCopy}). Its {@code receipt} header, if any, is tracked.
     */
    public Receipt send(StompFrame frame) {
        if (config.interceptor() != StompInterceptor.NONE && frame.command() == StompCommand.SEND) {
            Interception.Send send = Interception.beforeSend(config.interceptor(), frame);
            return Interception.around(send.scope(), () -> sendNow(send.frame()));
        }
        return sendNow(frame);
    }

    private Receipt sendNow(StompFrame frame) {
        String explicit = frame.header(StompHeaders.RECEIPT);
        if (config.atLeastOnce() && frame.command() == StompCommand.SEND && frame.header(StompHeaders.TRANSACTION) == null) {
            if (frame.header(StompHeaders.DESTINATION) == null) {
                throw new StompProtocolException("Expected a SEND frame with a destination, got [" + frame.info() + "]");
            }
            return publish(rid -> explicit != null ? frame : frame.withAddedHeader(StompHeaders.RECEIPT, rid));
        }
        return execute(explicit, explicit != null, false, (s, rid) -> s.send(rid == null || explicit != null ? frame
                : frame.withAddedHeader(StompHeaders.RECEIPT, rid)));
    }

    Receipt sendInTransaction(String transaction, long epoch, String destination, byte[] body, Map<String, String> headers) {
        Map<String, String> hs = new LinkedHashMap<>(headers);
        String explicit = hs.remove(StompHeaders.RECEIPT);
        hs.put(StompHeaders.TRANSACTION, transaction);
        Supplier<Receipt> send = () -> execute(explicit, explicit != null, false, (s, rid) -> s.send(destination, body, hs, rid),
                transaction, epoch, null);
        return config.interceptor() != StompInterceptor.NONE
                ? Interception.around(config.interceptor().beforeSend(destination, hs), send) : send.get();
    }

    // -- subscriptions ----------------------------------------------------------------------------

    /**
     * Subscribes. An {@code id} is generated unless {@code headers} hold one; {@code ack} defaults
     * to auto. A {@code receipt} header asks for that receipt (see {@link Subscription#receipt()}).
     */
    public Subscription subscribe(String destination, Map<String, String> headers) {
        Map<String, String> hs = new LinkedHashMap<>(headers);
        String explicit = hs.remove(StompHeaders.RECEIPT);
        AckMode.of(hs.get(StompHeaders.ACK)); // fail early on a mode that does not exist
        // An id in every version (1.0 allows one): handles and replay then work the same everywhere.
        hs.putIfAbsent(StompHeaders.ID, "sub-" + instance + "-" + subscriptionIds.incrementAndGet());
        Subscribe[] made = new Subscribe[1];
        Receipt receipt = execute(explicit, explicit != null, false, (s, rid) -> {
            made[0] = s.subscribe(destination, hs, rid, null);
            return made[0].frame();
        });
        Map<String, String> all = made[0].frame().headerMap();
        all.remove(StompHeaders.RECEIPT);
        return new Subscription(made[0].token(), destination, all, receipt);
    }

    /** Unsubscribes; MESSAGEs already on their way for it are dropped and counted. */
    public Receipt unsubscribe(Subscription subscription) {
        return unsubscribe(subscription, false);
    }

    /** Unsubscribes, asking for a receipt when {@code withReceipt}. */
    public Receipt unsubscribe(Subscription subscription, boolean withReceipt) {
        return execute(null, withReceipt, false, (s, rid) -> s.unsubscribe(subscription.token(), rid));
    }

    // -- receiving --------------------------------------------------------------------------------

    /**
     * The next MESSAGE, waiting as long as it takes (through reconnects, with auto-reconnect on).
     *
     * @throws StompConnectionException when the connection is lost and not (or no longer) being
     *                                  re-established; {@link StompBrokerException} for an ERROR frame
     */
    public StompFrame receiveFrame() {
        return receive(ConnectionEngine.NONE);
    }

    /** The next MESSAGE, or {@code null} if none arrives within {@code timeout}. */
    public StompFrame receiveFrame(Duration timeout) {
        return receive(EngineRunner.now() + timeout.toNanos());
    }

    /** Whether a MESSAGE can be received, waiting at most {@code timeout} for one. */
    public boolean canRead(Duration timeout) {
        if (peeked == null) {
            peeked = runner.take(EngineRunner.now() + timeout.toNanos(), false);
        }
        return peeked != null;
    }

    private StompFrame receive(long deadline) {
        Delivery d = peeked;
        peeked = null;
        if (d != null) {
            runner.handedOut(d);
        } else {
            d = runner.take(deadline, true);
        }
        return d == null ? null : Interception.received(config.interceptor(), d.frame());
    }

    // -- acknowledging ----------------------------------------------------------------------------

    /**
     * Acknowledges a MESSAGE received from this client on the current connection (with the headers
     * the negotiated version needs).
     *
     * @throws StompAckException if it came on an earlier connection, was acked already, or needs no ack
     */
    public Receipt ack(StompFrame message) {
        return acknowledge(message, false, null, false);
    }

    /** {@link #ack(StompFrame)}, asking for a receipt when {@code withReceipt}. */
    public Receipt ack(StompFrame message, boolean withReceipt) {
        return acknowledge(message, false, null, withReceipt);
    }

    /** Rejects a MESSAGE (STOMP 1.1 and later); the broker redelivers or dead-letters it. */
    public Receipt nack(StompFrame message) {
        return acknowledge(message, true, null, false);
    }

    /** {@link #nack(StompFrame)}, asking for a receipt when {@code withReceipt}. */
    public Receipt nack(StompFrame message, boolean withReceipt) {
        return acknowledge(message, true, null, withReceipt);
    }

    Receipt acknowledge(StompFrame message, boolean nack, String transaction, boolean withReceipt) {
        Receipt r = runner.call(e -> {
            switch (e.ackCheck(message)) {
                case EARLIER_CONNECTION -> throw new StompAckException("message " + message.header(StompHeaders.MESSAGE_ID)
                        + " came on an earlier connection; not acknowledged, the broker will redeliver it");
                case NOT_AWAITING -> throw new StompAckException("message " + message.header(StompHeaders.MESSAGE_ID)
                        + " is not awaiting an ack from this client (already acknowledged, ack mode auto, or not received here)");
                default -> {
                }
            }
            String rid = withReceipt || config.receipts() ? e.newReceiptId() : null;
            return receipt(rid, e.settle(e.delivery(message), nack, transaction, rid, EngineRunner.now()));
        }, true);
        return awaited(r);
    }

    // -- transactions -----------------------------------------------------------------------------

    /** Begins a transaction; see {@link Transaction}. */
    public Transaction begin() {
        String[] id = new String[1];
        long[] epoch = new long[1];
        execute(null, false, false, (s, rid) -> {
            StompFrame f = s.begin(null, rid);
            id[0] = f.header(StompHeaders.TRANSACTION);
            return f;
        }, null, -1, epoch);
        return new Transaction(this, id[0], epoch[0]);
    }

    void finishTransaction(String transaction, long epoch, boolean commit) {
        execute(null, false, false, (s, rid) -> commit ? s.commit(transaction, rid) : s.abort(transaction, rid), transaction, epoch, null);
    }

    long epoch() {
        return runner.read(ConnectionEngine::epoch);
    }

    // -- disconnecting ----------------------------------------------------------------------------

    /** Disconnects, waiting at most the disconnect timeout for the DISCONNECT's receipt. */
    public void disconnect() {
        disconnect(config.disconnectTimeout());
    }

    /**
     * Sends DISCONNECT with a receipt, reading on (messages that arrive now are dropped, and the
     * broker redelivers those that needed an ack) until its RECEIPT or {@code timeout}, and closes
     * the socket in any case. Messages received and not taken are dropped too, and their number
     * logged. Subscriptions are forgotten.
     *
     * @throws StompReceiptTimeoutException if the receipt did not come (the socket is closed anyway)
     */
    public void disconnect(Duration timeout) {
        CompletableFuture<Void> done = runner.call(e -> {
            CompletableFuture<Void> f = e.disconnect(EngineRunner.now(), timeout);
            e.sendDisconnect(EngineRunner.now());
            return f;
        }, false);
        runner.awaitNoOpening(config.connectTimeout()); // an attempt under way when reconnecting ends before this returns
        try {
            Waiting.await(done, timeout.plus(MARGIN), "disconnect");
        } catch (StompReceiptTimeoutException e) {
            throw e;
        } catch (StompConnectionException e) {
            log.debug("connection ended before the DISCONNECT receipt: {}", e.getMessage());
        }
    }

    /**
     * Disconnects gracefully (bounded by the disconnect timeout; quietly, if that fails), then stops
     * the client's threads. The client cannot be reused.
     */
    @Override
    public void close() {
        try {
            disconnect();
        } catch (RuntimeException e) {
            log.debug("disconnect on close: {}", e.getMessage());
        }
        closeNow();
    }

    /**
     * Closes at once, without DISCONNECT: the socket closes, waiting calls and receipts fail with
     * "client closed", the client's threads stop. The client cannot be reused.
     */
    public void closeNow() {
        runner.shutdown();
    }

    // -- the machinery ----------------------------------------------------------------------------

    private Receipt execute(String explicit, boolean wantReceipt, boolean settling, ConnectionEngine.Command command) {
        return execute(explicit, wantReceipt, settling, command, null, -1, null);
    }

    /**
     * Queues a frame built from the session and writes it (or leaves it to the thread writing),
     * waiting for room at most the write timeout; with receipts on, awaits its RECEIPT.
     */
    private Receipt execute(String explicit, boolean wantReceipt, boolean settling, ConnectionEngine.Command command,
                            String transaction, long txEpoch, long[] epochOut) {
        Receipt r = runner.call(e -> {
            if (transaction != null) {
                e.requireEpoch(transaction, txEpoch);
            }
            String rid = explicit != null ? explicit : wantReceipt || config.receipts() ? e.newReceiptId() : null;
            if (!settling && e.isConnected()) {
                runner.awaitWriteRoom(e);
            }
            CompletableFuture<Void> f = e.execute(command, rid, false, settling, EngineRunner.now());
            if (epochOut != null) {
                epochOut[0] = e.epoch();
            }
            return receipt(rid, f);
        }, true);
        return awaited(r);
    }

    private Receipt receipt(String rid, CompletableFuture<Void> f) {
        return rid == null || f == null ? Receipt.NONE : new Receipt(rid, f, config.receiptTimeout());
    }

    private Receipt awaited(Receipt r) {
        if (config.receipts() && r != Receipt.NONE) {
            r.await(config.receiptTimeout().plus(MARGIN));
        }
        return r;
    }

    /**
     * At-least-once: the SEND is kept until its RECEIPT and written again after a reconnect; made
     * while reconnecting, it waits for the new connection; with the window full, it waits for room
     * (see {@link EngineRunner#publish}).
     */
    private Receipt publish(Function<String, StompFrame> frameFor) {
        long start = EngineRunner.now();
        Receipt r = runner.call(e -> {
            StompFrame frame = frameFor.apply(e.newReceiptId());
            return new Receipt(frame.header(StompHeaders.RECEIPT), runner.publish(e, frame, start), config.receiptTimeout());
        }, false);
        return awaited(r);
    }

    @Override
    public String toString() {
        return "StompClient[" + config.uri() + ", " + runner.state().name().toLowerCase() + "]";
    }
}
