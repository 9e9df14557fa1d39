package dev.stompbox.client;

import dev.stompbox.client.internal.Connection;
import dev.stompbox.protocol.AckMode;
import dev.stompbox.protocol.StompBrokerException;
import dev.stompbox.protocol.StompCommand;
import dev.stompbox.protocol.StompConnectTimeoutException;
import dev.stompbox.protocol.StompConnectionException;
import dev.stompbox.protocol.StompException;
import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.StompHeaders;
import dev.stompbox.protocol.StompProtocolException;
import dev.stompbox.protocol.StompReceiptTimeoutException;
import dev.stompbox.protocol.StompVersion;
import dev.stompbox.protocol.commands.Commands;
import dev.stompbox.protocol.commands.ConnectOptions;
import dev.stompbox.protocol.commands.Subscribe;
import dev.stompbox.protocol.commands.SubscriptionToken;
import dev.stompbox.protocol.failover.BrokerAddress;
import dev.stompbox.protocol.failover.ReconnectAttempt;
import dev.stompbox.protocol.failover.ReconnectSchedule;
import dev.stompbox.protocol.session.SessionState;
import dev.stompbox.protocol.session.StompSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * A blocking STOMP client (stompest's {@code sync.Stomp}): dead simple, and it imposes no
 * concurrency model. It drives the protocol module's parser, encoder, session and failover
 * schedule over a socket or TLS.
 *
 * <pre>{@code
 * try (StompClient client = new StompClient(StompClientConfig.builder("tcp://localhost:61613").build())) {
 *     client.connect();
 *     client.send("/queue/test", "test message 1");
 *     Subscription sub = client.subscribe("/queue/test", Map.of("ack", "client-individual"));
 *     StompFrame frame = client.receiveFrame(Duration.ofSeconds(5));
 *     client.ack(frame);
 *     client.disconnect();
 * }
 * }</pre>
 *
 * <p><b>Threads.</b> Any thread may send, subscribe, ack or begin transactions (writes are
 * serialized); one thread at a time receives. Per connection, one daemon reader thread reads the
 * socket continuously: it completes receipts, handles ERROR and heart-beats, and queues MESSAGEs in
 * a bounded inbox. When the inbox is full it stops reading, which pushes back on the broker, and
 * the server-silence check is suspended until it reads again: a slow consumer never looks like a
 * dead server. One small daemon timer per client sends heart-beats when due, whatever the user's
 * threads are doing, expires receipts, and closes a socket whose write stays blocked past the write
 * timeout.
 *
 * <p><b>Failure.</b> Silence from the server beyond the grace factor, a broken socket, invalid
 * bytes or an ERROR frame end the connection: waiting receipts fail at once and blocked calls wake
 * with a {@link StompConnectionException} naming the cause ({@link StompBrokerException} for an
 * ERROR frame). With auto-reconnect on, the client then walks the failover schedule, replays its
 * subscriptions and tells the {@link ConnectionListener} what happened in a
 * {@link ReconnectReport}. Messages belong to the connection they came on: acking one from an
 * earlier connection is a {@link StompAckException}, never a frame on the wire.
 */
public final class StompClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StompClient.class);
    private static final AtomicInteger INSTANCES = new AtomicInteger();
    private static final long TICK_MILLIS = 25;
    private static final long RECEIVE_SLICE_MILLIS = 50;

    private enum State { NEW, CONNECTING, CONNECTED, RECONNECTING, LOST, DISCONNECTED, CLOSED }

    /** A MESSAGE as queued by the reader: the frame, its connection, and whether it needs an ack. */
    private record Delivered(StompFrame frame, long epoch, SubscriptionToken token, AckMode mode, long sequence) {
    }

    private record PendingReceipt(String id, CompletableFuture<Void> future, long startNanos, long deadlineNanos) {
    }

    private final StompClientConfig config;
    private final int instance = INSTANCES.incrementAndGet();
    private final ReconnectSchedule schedule;
    private final Object lifecycle = new Object();
    private final ReentrantLock writeLock = new ReentrantLock();
    private final Object sessionLock = new Object();
    private final StompSession session; // guarded by sessionLock
    private final LinkedBlockingQueue<Delivered> inbox;
    private final Map<String, PendingReceipt> receipts = new ConcurrentHashMap<>();
    private final Map<SubscriptionToken, Subscription> handles = new ConcurrentHashMap<>();
    private final AtomicLong receiptIds = new AtomicLong();
    private final AtomicLong sequences = new AtomicLong();
    private final AtomicLong subscriptionIds = new AtomicLong();
    private final AtomicLong unknownSubscriptionMessages = new AtomicLong();
    private final AtomicLong inboxBytes = new AtomicLong();
    private final ScheduledExecutorService timer;
    private final Semaphore window; // at-least-once: one permit per SEND awaiting its RECEIPT
    private final Semaphore windowKib; // at-least-once: their bodies, a permit per KiB
    private final String receiptPrefix;

    // Deliveries handed out that still need an ack, by identity; guarded by sessionLock.
    private IdentityHashMap<StompFrame, Delivered> unacked = new IdentityHashMap<>();
    private IdentityHashMap<StompFrame, Delivered> stale = new IdentityHashMap<>();

    private volatile State state = State.NEW;
    private volatile Connection connection;
    private volatile Connection activating; // replaying onto it, not yet the live one: the timer watches its writes too
    private volatile long epoch;
    private volatile StompException failure;
    private volatile StompBrokerException pendingError;
    private Delivered peeked; // receiving thread only

    /** A client for {@code config}; nothing happens on the network until {@link #connect()}. */
    public StompClient(StompClientConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.schedule = new ReconnectSchedule(config.failoverUri());
        this.session = new StompSession(config.version());
        this.session.graceFactor(config.graceFactor());
        this.session.atLeastOnce(config.atLeastOnce());
        this.window = new Semaphore(config.maxUnreceipted());
        this.windowKib = new Semaphore(windowKib(config.maxUnreceiptedBytes()));
        // Random part: consumers pair re-sent copies by receipt id, across producer processes too.
        this.receiptPrefix = "stompbox-" + instance + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt()) + "-";
        this.inbox = new LinkedBlockingQueue<>(config.inboxCapacity());
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
            Thread th = Executors.defaultThreadFactory().newThread(r);
            th.setName("stompbox-client-" + instance + "-timer");
            th.setDaemon(true);
            return th;
        });
        t.setRemoveOnCancelPolicy(true);
        this.timer = t;
        timer.scheduleWithFixedDelay(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** A client for {@code uri} with default settings. */
    public static StompClient create(String uri) {
        return new StompClient(StompClientConfig.builder(uri).build());
    }

    public StompClientConfig config() {
        return config;
    }

    /** Whether a connection is up (CONNECTED received and not lost since). */
    public boolean isConnected() {
        return state == State.CONNECTED;
    }

    /** The broker currently connected to, or {@code null}. */
    public BrokerAddress broker() {
        Connection c = connection;
        return c == null || state != State.CONNECTED ? null : c.broker();
    }

    /** The negotiated STOMP version (the configured one while not connected). */
    public StompVersion version() {
        synchronized (sessionLock) {
            return session.version();
        }
    }

    /**
     * Bytes the client holds for data it has read but not yet handed out: MESSAGEs waiting for
     * {@code receiveFrame} (at most {@code inboxCapacity} of them; the client stops reading the
     * socket when the inbox is full) plus what the parser holds of the frame being read
     * ({@link dev.stompbox.protocol.codec.StompParser#retainedBytes()}, bounded by the parser limits).
     */
    public long bufferedBytes() {
        Connection c = connection;
        return inboxBytes.get() + (c == null ? 0 : c.parserRetainedBytes());
    }

    /** MESSAGE frames dropped because no active subscription matched (normal after UNSUBSCRIBE). */
    public long unknownSubscriptionMessages() {
        return unknownSubscriptionMessages.get();
    }

    // -- connecting -------------------------------------------------------------------------------

    /**
     * Connects, walking the failover schedule: each attempt waits its delay, opens the socket
     * (within the connect timeout) and waits for CONNECTED (within the connected timeout).
     *
     * @throws StompConnectTimeoutException when the schedule is spent ("Reconnect timeout: N attempts")
     * @throws StompBrokerException         when the broker answers CONNECT with ERROR (never retried)
     */
    public void connect() {
        connect(null);
    }

    /**
     * Connects, giving up when {@code deadline} has passed, so that even a schedule that retries
     * forever cannot hang the caller.
     *
     * @throws StompConnectionException when the deadline passes first
     */
    public void connect(Duration deadline) {
        synchronized (lifecycle) {
            if (state == State.CLOSED) {
                throw new IllegalStateException("client is closed");
            }
            if (state == State.CONNECTED || state == State.CONNECTING || state == State.RECONNECTING) {
                throw new IllegalStateException("already " + state.name().toLowerCase());
            }
            state = State.CONNECTING;
        }
        long deadlineNanos = deadline == null ? Long.MAX_VALUE : System.nanoTime() + deadline.toNanos();
        try {
            Connection c = establish(schedule.iterator(), deadlineNanos, false);
            activate(c, null);
        } catch (RuntimeException e) {
            synchronized (lifecycle) {
                state = State.DISCONNECTED;
            }
            throw e;
        }
    }

    private Connection establish(Iterator<ReconnectAttempt> attempts, long deadlineNanos, boolean reconnect) {
        StompException last = null;
        while (true) {
            ReconnectAttempt attempt;
            try {
                attempt = attempts.next();
            } catch (StompConnectTimeoutException e) {
                if (last != null && !config.failoverUri().failover()) {
                    throw last; // one broker, one attempt: its own failure says more than "0 attempts"
                }
                if (last != null) {
                    e.initCause(last);
                }
                log.warn("giving up connecting: {}", e.getMessage());
                throw e;
            }
            long delayNanos = attempt.delay().toNanos();
            if (deadlineNanos != Long.MAX_VALUE && System.nanoTime() + delayNanos > deadlineNanos) {
                throw new StompConnectionException("connect deadline passed before attempt " + attempt.attempt()
                        + " to " + attempt.broker(), last);
            }
            if (delayNanos > 0) {
                try {
                    config.sleeper().sleep(attempt.delay());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new StompConnectionException("interrupted while waiting to reconnect", e);
                }
            }
            if (state != State.CONNECTING && state != State.RECONNECTING) {
                throw new StompConnectionException("connecting abandoned: client " + state.name().toLowerCase(), last);
            }
            log.info("connecting to {} (attempt {}, after {} ms)", attempt.broker(), attempt.attempt(), attempt.delay().toMillis());
            try {
                Connection c = open(attempt.broker(), deadlineNanos);
                config.metrics().connectAttempt(reconnect, true);
                return c;
            } catch (StompBrokerException e) {
                config.metrics().connectAttempt(reconnect, false);
                log.error("{} refused the connection: {}", attempt.broker(), e.getMessage());
                throw e;
            } catch (StompException e) {
                config.metrics().connectAttempt(reconnect, false);
                log.warn("attempt {} failed: {}", attempt.attempt(), e.getMessage());
                last = e;
            }
        }
    }

    private Connection open(BrokerAddress broker, long deadlineNanos) {
        Duration connectTimeout = bounded(config.connectTimeout(), deadlineNanos);
        Connection c;
        try {
            c = Connection.open(broker, config, connectTimeout);
        } catch (IOException e) {
            throw new StompConnectionException("cannot connect to " + broker + ": " + e.getMessage(), e);
        }
        try {
            StompFrame connect;
            synchronized (sessionLock) {
                session.close(false);
                ConnectOptions.Builder options = ConnectOptions.builder().host(config.virtualHost())
                        .login(config.login()).passcode(config.passcode()).heartBeat(config.heartBeat())
                        .headers(config.connectHeaders());
                connect = session.connect(options.build());
            }
            if (log.isDebugEnabled()) {
                log.debug(">>> {}", connect.info()); // info() masks the passcode
            }
            c.write(connect);
            StompFrame reply = c.readFrame(bounded(config.connectedTimeout(), deadlineNanos));
            if (reply != null && log.isDebugEnabled()) {
                log.debug("<<< {}", reply.info());
            }
            if (reply == null) {
                throw new StompConnectionException("no CONNECTED from " + broker + " within "
                        + bounded(config.connectedTimeout(), deadlineNanos).toMillis() + " ms");
            }
            if (reply.command() == StompCommand.ERROR) {
                throw new StompBrokerException(reply);
            }
            synchronized (sessionLock) {
                session.connected(reply);
                c.version(session.version());
                long now = millis();
                session.sent(now);
                session.received(now);
            }
            log.info("connected to {} (STOMP {}, session {}, heart-beats {} ms out / {} ms in)", broker, c.version(),
                    reply.header(StompHeaders.SESSION), session.clientHeartBeat(), session.serverHeartBeat());
            return c;
        } catch (IOException e) {
            c.close();
            synchronized (sessionLock) {
                session.close(false);
            }
            throw new StompConnectionException("lost " + broker + " while connecting: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            c.close();
            synchronized (sessionLock) {
                session.close(false);
            }
            throw e;
        }
    }

    private static Duration bounded(Duration timeout, long deadlineNanos) {
        if (deadlineNanos == Long.MAX_VALUE) {
            return timeout;
        }
        long left = Math.max(1_000_000, deadlineNanos - System.nanoTime());
        return Duration.ofNanos(Math.min(timeout.toNanos(), left));
    }

    /** Makes {@code c} the live connection; {@code lost} is the loss it recovers from, if any. */
    private void activate(Connection c, Lost lost) {
        List<Subscription> replayed = new ArrayList<>();
        List<String> resent = new ArrayList<>();
        writeLock.lock();
        activating = c;
        try {
            List<StompFrame> frames = new ArrayList<>();
            synchronized (sessionLock) {
                for (dev.stompbox.protocol.session.Subscription s : session.replay()) {
                    Subscribe again = session.subscribe(s.destination(), s.headers(), null, s.context());
                    frames.add(again.frame());
                    Subscription handle = handles.get(again.token());
                    if (handle != null) {
                        replayed.add(handle);
                    }
                }
                if (session.atLeastOnce()) {
                    for (StompFrame again : session.resend()) {
                        resent.add(again.header(StompHeaders.RECEIPT));
                        frames.add(again);
                    }
                }
            }
            for (StompFrame f : frames) {
                c.write(f);
            }
            // Still under the write lock: a SEND made now must find the client connected, not
            // reconnecting, or it would be queued behind re-sends that have already gone out.
            synchronized (lifecycle) {
                if (state != State.CONNECTING && state != State.RECONNECTING) {
                    // disconnect() or close() came first: this connection is no longer wanted.
                    c.close();
                    throw new AbandonedException("connecting abandoned: client " + state.name().toLowerCase());
                }
                epoch++;
                connection = c;
                failure = null;
                state = State.CONNECTED;
            }
        } catch (IOException e) {
            c.close();
            throw new StompConnectionException("lost " + c.broker() + " while replaying subscriptions and SENDs", e);
        } finally {
            activating = null;
            writeLock.unlock();
        }
        c.opened();
        if (!resent.isEmpty()) {
            config.metrics().sendsResent(resent.size());
        }
        c.startReader("stompbox-client-" + instance + "-reader-" + epoch, epoch, new Connection.Handler() {
            @Override
            public void data(Connection conn) {
                synchronized (sessionLock) {
                    session.received(millis());
                }
            }

            @Override
            public void frame(Connection conn, StompFrame frame) {
                onFrame(conn, frame);
            }

            @Override
            public void lost(Connection conn, Throwable cause) {
                onLoss(conn, cause);
            }
        });
        if (lost == null) {
            notifyListener(l -> l.connected(c.broker()));
        } else {
            ReconnectReport report = new ReconnectReport(c.broker(), replayed, lost.receipts, resent, lost.unacked, lost.discarded, lost.cause);
            log.info("reconnected to {}: replayed {} subscription(s), re-sent {} SEND(s); {} receipt(s) failed, {} message(s) unacked, {} dropped",
                    c.broker(), replayed.size(), resent.size(), lost.receipts.size(), lost.unacked.size(), lost.discarded);
            notifyListener(l -> l.reconnected(report));
        }
    }

    // -- sending ----------------------------------------------------------------------------------

    /** A text SEND (UTF-8). */
    public Receipt send(String destination, String body) {
        return send(destination, body.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    /**
     * A SEND with a copy of {@code body}. A {@code receipt} header in {@code headers} asks for that
     * receipt; with {@link StompClientConfig#receipts()} on, one is asked for anyway and awaited.
     */
    public Receipt send(String destination, byte[] body, Map<String, String> headers) {
        Map<String, String> hs = new LinkedHashMap<>(headers);
        String explicit = hs.remove(StompHeaders.RECEIPT);
        if (config.atLeastOnce() && !hs.containsKey(StompHeaders.TRANSACTION)) {
            String rid = explicit != null ? explicit : newReceiptId();
            return publish(Commands.send(destination, body, hs, rid));
        }
        return execute(explicit, explicit != null, (s, rid) -> s.send(destination, body, hs, rid));
    }

    /**
     * Sends a SEND frame built by the caller, for instance with a body adopted without copying
     * ({@link StompFrame.Builder#bodyWithoutCopy}). Its {@code receipt} header, if any, is tracked.
     */
    public Receipt send(StompFrame frame) {
        String explicit = frame.header(StompHeaders.RECEIPT);
        if (config.atLeastOnce() && frame.command() == StompCommand.SEND && frame.header(StompHeaders.TRANSACTION) == null) {
            if (frame.header(StompHeaders.DESTINATION) == null) {
                throw new StompProtocolException("Expected a SEND frame with a destination, got [" + frame.info() + "]");
            }
            return publish(explicit != null ? frame : frame.withAddedHeader(StompHeaders.RECEIPT, newReceiptId()));
        }
        return execute(explicit, explicit != null, (s, rid) -> s.send(rid == null || explicit != null ? frame
                : frame.withAddedHeader(StompHeaders.RECEIPT, rid)));
    }

    Receipt sendInTransaction(String transaction, String destination, byte[] body, Map<String, String> headers) {
        Map<String, String> hs = new LinkedHashMap<>(headers);
        hs.put(StompHeaders.TRANSACTION, transaction);
        return send(destination, body, hs);
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
        Receipt receipt = execute(explicit, explicit != null, (s, rid) -> {
            made[0] = s.subscribe(destination, hs, rid, null);
            return made[0].frame();
        });
        Map<String, String> all = new LinkedHashMap<>();
        for (dev.stompbox.protocol.Header h : made[0].frame().headers()) {
            if (!h.name().equals(StompHeaders.RECEIPT)) {
                all.putIfAbsent(h.name(), h.value());
            }
        }
        Subscription handle = new Subscription(made[0].token(), destination, all, receipt);
        handles.put(made[0].token(), handle);
        return handle;
    }

    /** Unsubscribes; MESSAGEs already on their way for it are dropped and counted. */
    public Receipt unsubscribe(Subscription subscription) {
        return unsubscribe(subscription, false);
    }

    /** Unsubscribes, asking for a receipt when {@code withReceipt}. */
    public Receipt unsubscribe(Subscription subscription, boolean withReceipt) {
        Receipt r = execute(null, withReceipt, (s, rid) -> s.unsubscribe(subscription.token(), rid));
        handles.remove(subscription.token());
        return r;
    }

    // -- receiving --------------------------------------------------------------------------------

    /**
     * The next MESSAGE, waiting as long as it takes (through reconnects, with auto-reconnect on).
     *
     * @throws StompConnectionException when the connection is lost and not (or no longer) being
     *                                  re-established; {@link StompBrokerException} for an ERROR frame
     */
    public StompFrame receiveFrame() {
        return receive(Long.MAX_VALUE);
    }

    /** The next MESSAGE, or {@code null} if none arrives within {@code timeout}. */
    public StompFrame receiveFrame(Duration timeout) {
        return receive(System.nanoTime() + timeout.toNanos());
    }

    /** Whether a MESSAGE can be received, waiting at most {@code timeout} for one. */
    public boolean canRead(Duration timeout) {
        if (peeked != null) {
            return true;
        }
        peeked = next(System.nanoTime() + timeout.toNanos());
        return peeked != null;
    }

    private StompFrame receive(long deadlineNanos) {
        Delivered d = peeked != null ? peeked : next(deadlineNanos);
        peeked = null;
        if (d == null) {
            return null;
        }
        if (d.mode() != AckMode.AUTO) {
            synchronized (sessionLock) {
                (d.epoch() == epoch ? unacked : stale).put(d.frame(), d);
            }
        }
        config.metrics().messageDelivered();
        return d.frame();
    }

    private Delivered next(long deadlineNanos) {
        while (true) {
            StompBrokerException error = pendingError;
            if (error != null) {
                pendingError = null;
                throw error;
            }
            Delivered d;
            try {
                long left = deadlineNanos == Long.MAX_VALUE ? Long.MAX_VALUE : deadlineNanos - System.nanoTime();
                d = inbox.poll(Math.max(0, Math.min(TimeUnit.MILLISECONDS.toNanos(RECEIVE_SLICE_MILLIS), left)), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StompConnectionException("interrupted while receiving", e);
            }
            if (d != null) {
                inboxBytes.addAndGet(-d.frame().wireLength());
                return d;
            }
            State s = state;
            if (s == State.LOST || s == State.DISCONNECTED || s == State.NEW || s == State.CLOSED) {
                if (inbox.isEmpty()) {
                    throw notConnected();
                }
                continue;
            }
            if (deadlineNanos != Long.MAX_VALUE && System.nanoTime() >= deadlineNanos) {
                return null;
            }
        }
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
        Delivered d;
        synchronized (sessionLock) {
            d = unacked.get(message);
            if (d == null) {
                if (stale.containsKey(message)) {
                    throw new StompAckException("message " + message.header(StompHeaders.MESSAGE_ID)
                            + " came on an earlier connection; not acknowledged, the broker will redeliver it");
                }
                throw new StompAckException("message " + message.header(StompHeaders.MESSAGE_ID)
                        + " is not awaiting an ack from this client (already acknowledged, ack mode auto, or not received here)");
            }
        }
        StompFrame target = transaction == null ? message : message.withHeader(StompHeaders.TRANSACTION, transaction);
        Receipt r = execute(null, withReceipt, (s, rid) -> nack ? s.nack(target, rid) : s.ack(target, rid));
        if (nack) {
            config.metrics().messageNacked();
        } else {
            config.metrics().messageAcked();
        }
        synchronized (sessionLock) {
            // client mode is cumulative: the earlier messages of the subscription are settled too.
            unacked.values().removeIf(o -> o == d || (d.mode() == AckMode.CLIENT && o.token().equals(d.token())
                    && o.sequence() <= d.sequence()));
        }
        return r;
    }

    // -- transactions -----------------------------------------------------------------------------

    /** Begins a transaction; see {@link Transaction}. */
    public Transaction begin() {
        String[] id = new String[1];
        execute(null, false, (s, rid) -> {
            StompFrame f = s.begin(null, rid);
            id[0] = f.header(StompHeaders.TRANSACTION);
            return f;
        });
        return new Transaction(this, id[0], epoch);
    }

    void finishTransaction(String transaction, boolean commit) {
        execute(null, false, (s, rid) -> commit ? s.commit(transaction, rid) : s.abort(transaction, rid));
    }

    long epoch() {
        return epoch;
    }

    // -- disconnecting ----------------------------------------------------------------------------

    /** Disconnects, waiting at most the disconnect timeout for the DISCONNECT's receipt. */
    public void disconnect() {
        disconnect(config.disconnectTimeout());
    }

    /**
     * Sends DISCONNECT with a receipt, waits at most {@code timeout} for it, and closes the socket in
     * any case. Subscriptions are forgotten.
     *
     * @throws StompReceiptTimeoutException if the receipt did not come (the socket is closed anyway)
     */
    public void disconnect(Duration timeout) {
        Connection c;
        State was;
        synchronized (lifecycle) {
            c = connection;
            was = state;
            state = state == State.CLOSED ? State.CLOSED : State.DISCONNECTED;
        }
        if (was == State.RECONNECTING) {
            // The reconnect sees the new state only after its current wait; what waits for it
            // (kept at-least-once SENDs among it) fails now, not then.
            synchronized (sessionLock) {
                session.dropUnreceipted();
            }
            failPendingReceipts(new StompConnectionException("disconnected while reconnecting"));
            return;
        }
        if (was != State.CONNECTED || c == null) {
            return;
        }
        String rid = newReceiptId();
        PendingReceipt pending = track(rid, timeout);
        try {
            writeLock.lock();
            try {
                StompFrame bye;
                synchronized (sessionLock) {
                    bye = session.disconnect(rid);
                }
                c.write(bye);
            } finally {
                writeLock.unlock();
            }
            new Receipt(rid, pending.future(), timeout).await(timeout);
            log.info("disconnected from {}", c.broker());
        } catch (IOException e) {
            log.warn("DISCONNECT to {} failed: {}", c.broker(), e.getMessage());
        } catch (StompReceiptTimeoutException e) {
            log.warn("no receipt for DISCONNECT from {} within {} ms; closing anyway", c.broker(), timeout.toMillis());
            throw e;
        } catch (StompConnectionException e) {
            log.debug("connection ended before the DISCONNECT receipt: {}", e.getMessage());
        } finally {
            c.close();
            synchronized (sessionLock) {
                session.close(true);
                unacked = new IdentityHashMap<>();
                stale = new IdentityHashMap<>();
            }
            handles.clear();
            failPendingReceipts(new StompConnectionException("disconnected"));
        }
    }

    /** Disconnects (quietly, if that fails) and stops the client's timer. The client cannot be reused. */
    @Override
    public void close() {
        try {
            disconnect();
        } catch (RuntimeException e) {
            log.debug("disconnect on close: {}", e.getMessage());
        }
        synchronized (lifecycle) {
            state = State.CLOSED;
            Connection c = connection;
            if (c != null) {
                c.close();
            }
        }
        timer.shutdownNow();
    }

    // -- the machinery ----------------------------------------------------------------------------

    @FunctionalInterface
    private interface Command {
        StompFrame build(StompSession session, String receiptId);
    }

    /**
     * Builds a frame from the session and writes it, both under the write lock so that frames go
     * out in the order the session saw them. A receipt is tracked before the write, because the
     * RECEIPT can beat the write's return.
     */
    private Receipt execute(String explicitReceipt, boolean wantReceipt, Command command) {
        Connection c = requireConnected();
        boolean waitForIt = config.receipts();
        String rid = explicitReceipt != null ? explicitReceipt : (wantReceipt || waitForIt ? newReceiptId() : null);
        PendingReceipt pending = null;
        writeLock.lock();
        try {
            StompFrame frame;
            synchronized (sessionLock) {
                frame = command.build(session, rid);
            }
            if (rid != null) {
                pending = track(rid, config.receiptTimeout());
            }
            c.write(frame);
            synchronized (sessionLock) {
                session.sent(millis());
            }
            if (log.isDebugEnabled()) {
                log.debug(">>> {}", frame.info());
            }
        } catch (IOException e) {
            onLoss(c, new StompConnectionException("write to " + c.broker() + " failed: " + e.getMessage(), e));
            throw notConnected();
        } catch (StompProtocolException e) {
            if (rid != null) {
                receipts.remove(rid);
            }
            throw e;
        } finally {
            writeLock.unlock();
        }
        if (pending == null) {
            return Receipt.NONE;
        }
        Receipt r = new Receipt(rid, pending.future(), config.receiptTimeout());
        if (waitForIt) {
            r.await();
        }
        return r;
    }

    /**
     * At-least-once: takes a window permit (waiting at most the write timeout), then writes the
     * SEND when connected or leaves it queued in the session while reconnecting. Either way the
     * session keeps it until its RECEIPT, and {@link #activate} writes what is kept again. Deciding
     * and writing under the write lock keeps SENDs in call order, and keeps a queued SEND from
     * slipping in between a reconnect's re-sends and its first new frame.
     */
    private Receipt publish(StompFrame frame) {
        String rid = frame.header(StompHeaders.RECEIPT);
        Duration timeout = config.receiptTimeout();
        long start = System.nanoTime();
        requireLiveOrRecovering();
        int kib = kibOf(frame, windowKib(config.maxUnreceiptedBytes()));
        boolean counted = false;
        try {
            Duration room = config.writeTimeout(); // a full window blocks like a full socket would
            long deadline = System.nanoTime() + room.toNanos();
            if (!window.tryAcquire(room.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new StompReceiptTimeoutException(rid, room, "No room to send '" + rid + "' within " + room.toMillis()
                        + " ms: " + config.maxUnreceipted() + " SENDs already await their RECEIPT (maxUnreceipted)");
            }
            counted = true;
            if (!windowKib.tryAcquire(kib, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                window.release();
                throw new StompReceiptTimeoutException(rid, room, "No room to send '" + rid + "' within " + room.toMillis()
                        + " ms: the SENDs awaiting their RECEIPT already hold close to " + config.maxUnreceiptedBytes()
                        + " bytes (maxUnreceiptedBytes)");
            }
        } catch (InterruptedException e) {
            if (counted) {
                window.release();
            }
            Thread.currentThread().interrupt();
            throw new StompConnectionException("interrupted while waiting for room to send " + rid, e);
        }
        PendingReceipt pending = new PendingReceipt(rid, new CompletableFuture<>(), start, start + timeout.toNanos());
        Connection written = null;
        boolean registered = false;
        writeLock.lock();
        try {
            Connection c = connection;
            synchronized (sessionLock) {
                if (state == State.CONNECTED && c != null && session.state() == SessionState.CONNECTED) {
                    session.send(frame);
                    written = c;
                } else if (state == State.RECONNECTING) {
                    session.queue(frame);
                } else {
                    throw notConnected();
                }
                receipts.put(rid, pending);
                registered = true;
            }
            pending.future().whenComplete((v, t) -> {
                window.release();
                windowKib.release(kib);
            });
            if (written != null) {
                try {
                    written.write(frame);
                    synchronized (sessionLock) {
                        session.sent(millis());
                    }
                    if (log.isDebugEnabled()) {
                        log.debug(">>> {}", frame.info());
                    }
                } catch (IOException e) {
                    // Kept by the session: it goes out again after the reconnect, or fails with it.
                    onLoss(written, new StompConnectionException("write to " + written.broker() + " failed: " + e.getMessage(), e));
                }
            } else {
                log.debug("queued {} until the connection is back", rid);
            }
        } catch (RuntimeException e) {
            if (!registered) {
                // The permits are the future's to release only once the future exists for the client.
                window.release();
                windowKib.release(kib);
            }
            throw e;
        } finally {
            writeLock.unlock();
        }
        Receipt r = new Receipt(rid, pending.future(), timeout);
        if (config.receipts()) {
            r.await(Duration.ofNanos(Math.max(0, start + timeout.toNanos() - System.nanoTime()) + TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS * 2)));
        }
        return r;
    }

    /** The byte window in KiB permits. */
    static int windowKib(long bytes) {
        return (int) Math.min(Integer.MAX_VALUE, bytes / 1024);
    }

    /** The KiB a SEND's body takes of the window (rounded up), never more than the whole window. */
    static int kibOf(StompFrame frame, int windowKib) {
        return (int) Math.min(windowKib, (frame.bodyLength() + 1023L) / 1024);
    }

    private void requireLiveOrRecovering() {
        State s = state;
        if (s != State.CONNECTED && s != State.RECONNECTING) {
            throw notConnected();
        }
    }

    private PendingReceipt track(String rid, Duration timeout) {
        long now = System.nanoTime();
        PendingReceipt p = new PendingReceipt(rid, new CompletableFuture<>(), now, now + timeout.toNanos());
        receipts.put(rid, p);
        return p;
    }

    private String newReceiptId() {
        return receiptPrefix + receiptIds.incrementAndGet();
    }

    private Connection requireConnected() {
        Connection c = connection;
        if (state != State.CONNECTED || c == null) {
            throw notConnected();
        }
        return c;
    }

    private StompConnectionException notConnected() {
        StompException f = failure;
        if (f instanceof StompConnectionException) {
            return (StompConnectionException) f;
        }
        return new StompConnectionException("not connected (" + state.name().toLowerCase() + ")", f);
    }

    /** Reader thread: one frame from the broker. */
    private void onFrame(Connection c, StompFrame frame) {
        if (log.isDebugEnabled()) {
            log.debug("<<< {}", frame.info());
        }
        switch (frame.command()) {
            case MESSAGE -> queue(c, frame);
            case RECEIPT -> {
                PendingReceipt p;
                try {
                    // Session and map together: a loss deciding meanwhile what to fail sees both or neither.
                    synchronized (sessionLock) {
                        p = receipts.remove(session.receipt(frame));
                    }
                } catch (StompProtocolException e) {
                    log.warn("ignoring RECEIPT: {}", e.getMessage());
                    return;
                }
                if (p != null) {
                    config.metrics().receiptReceived(System.nanoTime() - p.startNanos());
                    p.future().complete(null);
                }
            }
            case ERROR -> {
                StompBrokerException error = new StompBrokerException(frame);
                log.warn("{} sent ERROR: {}", c.broker(), error.getMessage());
                String about = frame.header(StompHeaders.RECEIPT_ID);
                PendingReceipt refused = null;
                if (about != null) {
                    synchronized (sessionLock) {
                        refused = receipts.remove(about);
                        if (refused != null) {
                            session.cancelReceipt(about); // the broker refused that very frame: never re-send it
                        }
                    }
                }
                if (refused != null) {
                    refused.future().completeExceptionally(error);
                }
                pendingError = error;
                onLoss(c, error);
            }
            default -> log.warn("ignoring unexpected {} from {}", frame.command(), c.broker());
        }
    }

    private void queue(Connection c, StompFrame frame) {
        dev.stompbox.protocol.session.Subscription sub;
        try {
            synchronized (sessionLock) {
                sub = session.message(frame).orElse(null);
            }
        } catch (StompProtocolException e) {
            log.warn("dropping invalid MESSAGE: {}", e.getMessage());
            unknownSubscriptionMessages.incrementAndGet();
            return;
        }
        if (sub == null) {
            unknownSubscriptionMessages.incrementAndGet();
            log.debug("dropping MESSAGE for unknown subscription: {}", frame.info());
            return;
        }
        AckMode mode = AckMode.of(sub.headers().get(StompHeaders.ACK));
        Delivered d = new Delivered(frame, c.epoch(), sub.token(), mode, sequences.incrementAndGet());
        inboxBytes.addAndGet(frame.wireLength()); // before the offer: a receiver may take it at once
        try {
            while (!inbox.offer(d, RECEIVE_SLICE_MILLIS, TimeUnit.MILLISECONDS)) {
                // Full: by not reading we push back on the broker; the silence check waits with us.
                if (!c.pause(true)) {
                    inboxBytes.addAndGet(-frame.wireLength());
                    return;
                }
            }
        } catch (InterruptedException e) {
            inboxBytes.addAndGet(-frame.wireLength());
            Thread.currentThread().interrupt();
            return;
        }
        if (c.pause(false)) {
            synchronized (sessionLock) {
                // The beats that piled up while paused are in the socket, unread: time from now.
                session.received(millis());
            }
        }
    }

    /** What a lost connection leaves behind, for the reconnect report; {@code receipts} are those that failed with it. */
    private record Lost(Throwable cause, List<String> receipts, List<StompFrame> unacked, int discarded) {
    }

    /** Ends connection {@code c} (if it is still the live one) and starts a reconnect when configured. */
    private void onLoss(Connection c, Throwable cause) {
        boolean reconnect;
        synchronized (lifecycle) {
            if (c != connection || state != State.CONNECTED) {
                c.close();
                return;
            }
            reconnect = config.autoReconnect();
            state = reconnect ? State.RECONNECTING : State.LOST;
            failure = cause instanceof StompConnectionException ? (StompConnectionException) cause
                    : new StompConnectionException("connection to " + c.broker() + " lost: " + cause.getMessage(), cause);
        }
        c.close();
        log.warn("connection to {} lost: {}", c.broker(), cause.getMessage());
        List<StompFrame> unackedFrames;
        synchronized (sessionLock) {
            session.close(false);
            if (!reconnect) {
                session.dropUnreceipted();
            }
            unackedFrames = new ArrayList<>(unacked.keySet());
            stale = unacked;
            unacked = new IdentityHashMap<>();
        }
        // At-least-once SENDs the session keeps are re-sent after the reconnect, not failed. Asked
        // per receipt, not from a snapshot: a SEND queued since the state changed is kept as well.
        List<String> failed = failPendingReceipts(new StompConnectionException("connection lost before the RECEIPT: "
                + cause.getMessage(), cause), id -> !session.isKept(id));
        int discarded = 0;
        for (Delivered d : inbox) {
            // remove(d), not the iterator's: a receiver may take d meanwhile, and then it is not ours to count.
            if (d.mode() != AckMode.AUTO && d.epoch() == c.epoch() && inbox.remove(d)) {
                inboxBytes.addAndGet(-d.frame().wireLength());
                discarded++;
            }
        }
        notifyListener(l -> l.connectionLost(cause));
        if (!reconnect) {
            return;
        }
        Lost lost = new Lost(cause, failed, unackedFrames, discarded);
        Thread t = new Thread(() -> reconnect(lost), "stompbox-client-" + instance + "-reconnect");
        t.setDaemon(true);
        t.start();
    }

    private void reconnect(Lost lost) {
        Iterator<ReconnectAttempt> attempts = schedule.iterator();
        try {
            while (true) {
                Connection c = establish(attempts, Long.MAX_VALUE, true);
                try {
                    activate(c, lost);
                    return;
                } catch (AbandonedException e) {
                    throw e;
                } catch (StompConnectionException e) {
                    // Lost again between CONNECTED and the replay: that is one more failed attempt.
                    log.warn("{}; trying the next attempt", e.getMessage());
                }
            }
        } catch (StompException e) {
            synchronized (lifecycle) {
                if (state == State.RECONNECTING) {
                    state = State.LOST;
                }
                failure = e;
            }
            log.error("reconnect failed: {}", e.getMessage());
            List<String> dropped;
            synchronized (sessionLock) {
                dropped = session.dropUnreceipted();
            }
            if (!dropped.isEmpty()) {
                log.warn("{} unreceipted SEND(s) fail with the reconnect", dropped.size());
            }
            failPendingReceipts(e);
            notifyListener(l -> l.reconnectFailed(e));
        }
    }

    /** The client was disconnected or closed while a connection was being made. */
    private static final class AbandonedException extends StompConnectionException {
        private static final long serialVersionUID = 1L;

        AbandonedException(String message) {
            super(message);
        }
    }

    private void failPendingReceipts(StompException cause) {
        failPendingReceipts(cause, id -> true);
    }

    /**
     * Fails the pending receipts {@code which} selects, deciding under the session lock (where a
     * RECEIPT takes its entry and the session's record together) and completing outside it. An
     * entry is failed only by whoever removes it from the map, so nothing completes twice.
     *
     * @return the ids failed, oldest first
     */
    private List<String> failPendingReceipts(StompException cause, Predicate<String> which) {
        List<PendingReceipt> failed = new ArrayList<>();
        synchronized (sessionLock) {
            for (PendingReceipt p : receipts.values()) {
                if (which.test(p.id()) && receipts.remove(p.id(), p)) {
                    failed.add(p);
                }
            }
        }
        failed.sort(java.util.Comparator.comparingLong(PendingReceipt::startNanos));
        List<String> ids = new ArrayList<>(failed.size());
        for (PendingReceipt p : failed) {
            p.future().completeExceptionally(cause);
            ids.add(p.id());
        }
        return ids;
    }

    /** Timer: heart-beats, silence, blocked writes, expired receipts. */
    private void tick() {
        try {
            Connection replaying = activating;
            if (replaying != null && replaying.writeBlockedFor(millis()) > config.writeTimeout().toMillis()) {
                // A broker that answered CONNECT but does not read: closing the socket ends the
                // blocked replay with an IOException, and the reconnect moves on to its next attempt.
                log.warn("write to {} blocked for more than {} ms while replaying; closing it", replaying.broker(),
                        config.writeTimeout().toMillis());
                replaying.close();
            }
            Connection c = connection;
            if (c != null && state == State.CONNECTED) {
                long now = millis();
                if (c.writeBlockedFor(now) > config.writeTimeout().toMillis()) {
                    onLoss(c, new StompConnectionException("write to " + c.broker() + " blocked for more than "
                            + config.writeTimeout().toMillis() + " ms"));
                    return;
                }
                boolean due;
                boolean overdue;
                long silent;
                long period;
                synchronized (sessionLock) {
                    due = session.millisUntilBeat(now) <= TICK_MILLIS;
                    // The engine's error margin on top of the grace (a tenth of the period, at least 100 ms);
                    // this client moves onto the engine next, and this line goes with it.
                    overdue = !c.paused() && session.serverOverdue(now - Math.max(100, session.serverHeartBeat() / 10));
                    silent = now - session.lastReceived();
                    period = session.serverHeartBeat();
                }
                if (overdue) {
                    config.metrics().heartBeatMissed();
                    onLoss(c, new StompConnectionException("server silent for " + silent + " ms (heart-beat every "
                            + period + " ms, grace " + config.graceFactor() + "x)"));
                    return;
                }
                if (due && writeLock.tryLock()) {
                    try {
                        c.writeHeartBeat();
                        synchronized (sessionLock) {
                            session.sent(millis());
                        }
                    } catch (IOException e) {
                        onLoss(c, new StompConnectionException("heart-beat to " + c.broker() + " failed: " + e.getMessage(), e));
                    } finally {
                        writeLock.unlock();
                    }
                }
            }
            long nowNanos = System.nanoTime();
            for (PendingReceipt p : receipts.values()) {
                if (nowNanos - p.deadlineNanos() > 0 && receipts.remove(p.id(), p)) {
                    synchronized (sessionLock) {
                        session.cancelReceipt(p.id());
                    }
                    config.metrics().receiptTimedOut();
                    p.future().completeExceptionally(new StompReceiptTimeoutException(p.id(), config.receiptTimeout()));
                }
            }
        } catch (RuntimeException e) {
            log.error("client timer failed", e);
        }
    }

    private void notifyListener(java.util.function.Consumer<ConnectionListener> call) {
        try {
            call.accept(config.listener());
        } catch (RuntimeException e) {
            log.warn("connection listener failed", e);
        }
    }

    private static long millis() {
        return System.nanoTime() / 1_000_000;
    }

    @Override
    public String toString() {
        return "StompClient[" + config.uri() + ", " + state.name().toLowerCase() + "]";
    }
}
