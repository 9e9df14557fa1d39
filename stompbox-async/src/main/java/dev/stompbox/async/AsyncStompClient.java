// Over 600 lines for now: the public face and the engine glue are still one class; the glue (pump, timer,
// channel events) moves to its own class when both clients share the face shape.
package dev.stompbox.async;

import dev.stompbox.protocol.AckMode;
import dev.stompbox.protocol.StompBackpressureException;
import dev.stompbox.protocol.StompBrokerException;
import dev.stompbox.protocol.StompCommand;
import dev.stompbox.protocol.StompConnectTimeoutException;
import dev.stompbox.protocol.StompConnectionException;
import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.StompHeaders;
import dev.stompbox.protocol.StompProtocolException;
import dev.stompbox.protocol.StompVersion;
import dev.stompbox.protocol.codec.StompEncoder;
import dev.stompbox.protocol.commands.Commands;
import dev.stompbox.protocol.commands.Subscribe;
import dev.stompbox.protocol.connection.ConnectionListener;
import dev.stompbox.protocol.connection.ReconnectReport;
import dev.stompbox.protocol.failover.BrokerAddress;
import dev.stompbox.protocol.failover.ReconnectSchedule;
import dev.stompbox.protocol.internal.engine.ConnectionEngine;
import dev.stompbox.protocol.internal.engine.ConnectionState;
import dev.stompbox.protocol.internal.engine.Delivery;
import dev.stompbox.protocol.internal.engine.Effect;
import dev.stompbox.protocol.internal.engine.EngineHandler;
import dev.stompbox.protocol.internal.engine.EngineLog;
import dev.stompbox.protocol.internal.engine.EngineSettings;
import dev.stompbox.protocol.internal.engine.Outbound;
import dev.stompbox.protocol.internal.engine.Reconnection;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * An asynchronous STOMP client on Netty (stompest's Twisted client, with {@link CompletableFuture}
 * where Twisted had Deferreds): per-subscription handlers with bounded concurrency, error
 * destinations, graceful shutdown, connect / CONNECTED / disconnect timeouts, auto-reconnect with
 * subscription replay, over TCP, TLS and WebSocket ({@code ws://}, {@code wss://}).
 *
 * <pre>{@code
 * AsyncStompClient client = AsyncStompClient.create(AsyncStompClientConfig.builder("tcp://localhost:61613").build());
 * client.connect().join();
 * client.subscribe("/queue/testIn", Map.of("ack", "client-individual"),
 *         (c, frame) -> c.send("/queue/testOut", frame.bodyAsString() + "+1"),
 *         SubscriptionOptions.builder().errorDestination("/queue/testTransformerError").build()).join();
 * ...
 * client.disconnect().join();        // waits for in-flight handlers, then DISCONNECT with receipt
 * }</pre>
 *
 * <p><b>Threads.</b> All connection state lives on one Netty event loop, in the connection engine
 * the blocking client drives too; every public method may be called from any thread and hands its
 * work to that loop. Handlers run on the subscription's executor, else the client's (a bounded pool
 * by default), or on the event loop when asked. The event loop never runs user code otherwise, so
 * a slow handler never delays heart-beats.
 *
 * <p><b>Flow control.</b> Messages for a subscription (or a client) that has as many handlers running
 * as allowed wait, in order; once {@code maxBufferedMessages} wait, the client stops reading the
 * socket (Netty auto-read off) until a handler finishes ({@link #bufferedBytes()} tells how much is
 * held). While reading is paused on purpose the server-silence check is suspended and the client's
 * own beats keep going.
 *
 * <p><b>Backpressure.</b> {@code send} never blocks and never drops: at most
 * {@code maxPendingWriteBytes} wait to be written (and, with at-least-once publishing, at most the
 * window awaits RECEIPTs); beyond that a SEND fails at once with {@link StompBackpressureException},
 * and {@link #whenReady()} completes once there is room. While connected, SENDs reach the wire in
 * the order of the calls. A connection whose writes make no progress for {@code writeTimeout} is
 * lost, not left to pile up.
 */
public final class AsyncStompClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AsyncStompClient.class);
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final AsyncStompClientConfig config;
    private final int instance = INSTANCES.incrementAndGet();
    private final EventLoopGroup ownGroup;
    private final EventLoop loop;
    private final ExecutorService ownExecutor;
    private final ConnectionEngine engine; // event loop only
    private final Dispatcher dispatcher;
    private final ChannelOpener opener;
    private volatile CompletableFuture<Void> disconnected = new CompletableFuture<>(); // made again by connect
    private final List<Effect> effects = new ArrayList<>();
    private final List<CompletableFuture<Void>> readyWaiters = new ArrayList<>();
    private final java.util.concurrent.atomic.AtomicLong subscriptionIds = new java.util.concurrent.atomic.AtomicLong();

    // Event loop only.
    private final Map<String, AsyncSubscription> subscriptions = new LinkedHashMap<>();
    private int conn;
    private Channel channel;
    private BrokerAddress broker;
    private boolean paused;
    private byte[] scratch = new byte[0];
    private ScheduledFuture<?> timer;
    private long timerAt = ConnectionEngine.NONE;
    private Throwable disconnectCause;
    private int discarded;
    private volatile ConnectionState state = ConnectionState.NEW;
    private volatile StompVersion negotiatedVersion;
    private volatile long parserRetained;
    private volatile long unknownSubscriptionMessages;
    private volatile int unfinishedHandlers;

    private AsyncStompClient(AsyncStompClientConfig config) {
        this.config = config;
        if (config.eventLoopGroup() != null) {
            this.ownGroup = null;
            this.loop = config.eventLoopGroup().next();
        } else {
            java.util.concurrent.ThreadFactory threads = r -> daemon(r, "stompbox-async-" + instance + "-loop");
            this.ownGroup = new MultiThreadIoEventLoopGroup(1, threads, NioIoHandler.newFactory());
            this.loop = ownGroup.next();
        }
        Executor executor = config.executor();
        if (executor == null) {
            int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
            AtomicInteger n = new AtomicInteger();
            ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
                    new ArrayBlockingQueue<>(Math.max(16, config.maxConcurrency())),
                    r -> daemon(r, "stompbox-async-" + instance + "-handler-" + n.incrementAndGet()));
            pool.allowCoreThreadTimeOut(true);
            this.ownExecutor = pool;
            executor = pool;
        } else {
            this.ownExecutor = null;
        }
        this.engine = new ConnectionEngine(EngineSettings.from(config), new ReconnectSchedule(config.failoverUri()),
                EngineLog.of(log::isDebugEnabled, log::debug, log::info, log::warn, log::error), String.valueOf(instance));
        this.dispatcher = new Dispatcher(this, executor);
        this.opener = new ChannelOpener(config, loop, new ChannelEvents());
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** A client for {@code config}; nothing happens on the network until {@link #connect()}. */
    public static AsyncStompClient create(AsyncStompClientConfig config) {
        return new AsyncStompClient(Objects.requireNonNull(config, "config"));
    }

    /** A client for {@code uri} with default settings. */
    public static AsyncStompClient create(String uri) {
        return create(AsyncStompClientConfig.builder(uri).build());
    }

    public AsyncStompClientConfig config() {
        return config;
    }

    public boolean isConnected() {
        return state == ConnectionState.CONNECTED;
    }

    /** The broker currently connected to, or {@code null}. */
    public BrokerAddress broker() {
        BrokerAddress b = broker;
        return state == ConnectionState.CONNECTED ? b : null;
    }

    /** The negotiated STOMP version of the current (or last) connection; the configured one before. */
    public StompVersion version() {
        StompVersion v = negotiatedVersion;
        return v == null ? config.version() : v;
    }

    /**
     * Bytes the client holds for data it has read but not yet handled: MESSAGEs waiting for a
     * handler (what flow control keeps bounded) plus what the parser holds of the frame being read
     * ({@link dev.stompbox.protocol.codec.StompParser#retainedBytes()}, bounded by the parser limits).
     * 0 once the connection has ended.
     */
    public long bufferedBytes() {
        return dispatcher.bufferedBytes() + parserRetained;
    }

    /** MESSAGE frames dropped because no active subscription matched. */
    public long unknownSubscriptionMessages() {
        return unknownSubscriptionMessages;
    }

    /** Handlers still running when the last graceful disconnect gave up waiting for them. */
    public int unfinishedHandlers() {
        return unfinishedHandlers;
    }

    /**
     * Completes when the client's connection has ended for good: normally after
     * {@link #disconnect()}, exceptionally with the cause otherwise (an ERROR, a failed handler
     * without error destination, a loss without auto-reconnect, a spent reconnect schedule).
     */
    public CompletableFuture<Void> disconnected() {
        return disconnected;
    }

    /**
     * Completes once a SEND would be taken: fewer than {@code maxPendingWriteBytes} wait to be
     * written and, with at-least-once publishing, the window has a place. Never blocks.
     */
    public CompletableFuture<Void> whenReady() {
        CompletableFuture<Void> ready = new CompletableFuture<>();
        run(ready, () -> {
            if (engine.roomForSend()) {
                ready.complete(null);
            } else {
                readyWaiters.add(ready);
            }
        });
        return ready;
    }

    // -- connecting -------------------------------------------------------------------------------

    /**
     * Connects along the failover schedule; completes with this client once CONNECTED arrived, or
     * exceptionally ({@link StompConnectTimeoutException} when the schedule is spent,
     * {@link StompBrokerException} when the broker answers CONNECT with ERROR, never retried).
     */
    public CompletableFuture<AsyncStompClient> connect() {
        return connect(null);
    }

    /**
     * {@link #connect()}, giving up when {@code deadline} has passed, so that even a schedule that
     * retries forever ends ({@link StompConnectionException} "connect deadline passed").
     */
    public CompletableFuture<AsyncStompClient> connect(Duration deadline) {
        return call(() -> {
            long now = System.nanoTime();
            CompletableFuture<Void> connected = engine.connect(now, deadline == null ? ConnectionEngine.NONE : now + deadline.toNanos());
            if (disconnected.isDone()) {
                disconnected = new CompletableFuture<>();
            }
            return connected;
        }).thenApply(v -> this);
    }

    // -- sending ----------------------------------------------------------------------------------

    /** A text SEND (UTF-8); completes once written. */
    public CompletableFuture<Void> send(String destination, String body) {
        return send(destination, body.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    /**
     * A SEND with a copy of {@code body}. Completes once written, or, when {@code headers} ask for a
     * {@code receipt} (or at-least-once publishing is on), once that RECEIPT arrived (failing on its
     * timeout or on connection loss). Fails at once with {@link StompBackpressureException} when the
     * client holds as much as it may; see {@link #whenReady()}.
     */
    public CompletableFuture<Void> send(String destination, byte[] body, Map<String, String> headers) {
        Map<String, String> hs = new LinkedHashMap<>(headers);
        String receipt = hs.remove(StompHeaders.RECEIPT);
        if (config.atLeastOnce() && !hs.containsKey(StompHeaders.TRANSACTION)) {
            return publish(rid -> Commands.send(destination, body, hs, rid), receipt);
        }
        return sendCommand(receipt, (s, rid) -> s.send(destination, body, hs, rid));
    }

    /** Sends a SEND frame built by the caller (a body adopted without copying, for instance). */
    public CompletableFuture<Void> send(StompFrame frame) {
        String receipt = frame.header(StompHeaders.RECEIPT);
        if (config.atLeastOnce() && frame.command() == StompCommand.SEND && frame.header(StompHeaders.TRANSACTION) == null) {
            if (frame.header(StompHeaders.DESTINATION) == null) {
                return CompletableFuture.failedFuture(new StompProtocolException("Expected a SEND frame with a destination, got ["
                        + frame.info() + "]"));
            }
            return publish(rid -> receipt != null ? frame : frame.withAddedHeader(StompHeaders.RECEIPT, rid), receipt);
        }
        return sendCommand(receipt, (s, rid) -> s.send(frame));
    }

    private CompletableFuture<Void> sendCommand(String receipt, ConnectionEngine.Command command) {
        return call(() -> {
            engine.requireWriteRoom();
            return engine.execute(command, receipt, true, false, System.nanoTime());
        });
    }

    CompletableFuture<Void> sendInTransaction(String transaction, long txEpoch, String destination, byte[] body,
                                              Map<String, String> headers) {
        Map<String, String> hs = new LinkedHashMap<>(headers);
        String receipt = hs.remove(StompHeaders.RECEIPT);
        hs.put(StompHeaders.TRANSACTION, transaction);
        return command(receipt, (s, rid) -> {
            engine.requireEpoch(transaction, txEpoch);
            return s.send(destination, body, hs, rid);
        });
    }

    /** At-least-once: kept by the engine until its RECEIPT, and re-sent after a reconnect. */
    private CompletableFuture<Void> publish(Function<String, StompFrame> frame, String receipt) {
        long start = System.nanoTime();
        return call(() -> engine.publish(frame.apply(receipt != null ? receipt : engine.newReceiptId()), start, System.nanoTime()));
    }

    String newReceiptId(String purpose) {
        return engine.newReceiptId(purpose);
    }

    // -- subscriptions and transactions -----------------------------------------------------------

    /**
     * Subscribes {@code handler} to {@code destination}; completes with the subscription once the
     * SUBSCRIBE is written (or its RECEIPT arrived, when {@code headers} ask for one).
     */
    public CompletableFuture<AsyncSubscription> subscribe(String destination, Map<String, String> headers, MessageHandler handler,
                                                         SubscriptionOptions options) {
        Objects.requireNonNull(handler, "handler");
        Map<String, String> hs = new LinkedHashMap<>(headers);
        String receipt = hs.remove(StompHeaders.RECEIPT);
        AckMode mode = AckMode.of(hs.get(StompHeaders.ACK));
        if (options.concurrency() > 1 && mode == AckMode.CLIENT) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("concurrency " + options.concurrency()
                    + " needs ack mode auto or client-individual: client acks are cumulative and would ack messages still in flight"));
        }
        hs.putIfAbsent(StompHeaders.ID, "sub-" + instance + "-" + subscriptionIds.incrementAndGet());
        AsyncSubscription[] made = new AsyncSubscription[1];
        return command(receipt, (s, rid) -> {
            Subscribe sub = s.subscribe(destination, hs, rid, null);
            made[0] = new AsyncSubscription(sub.token(), destination, hs, handler, options);
            subscriptions.put(sub.token().value(), made[0]);
            return sub.frame();
        }).thenApply(v -> made[0]);
    }

    /** A subscription with default options. */
    public CompletableFuture<AsyncSubscription> subscribe(String destination, Map<String, String> headers, MessageHandler handler) {
        return subscribe(destination, headers, handler, SubscriptionOptions.defaults());
    }

    /** Unsubscribes; handlers already running finish, and their acks still go out. */
    public CompletableFuture<Void> unsubscribe(AsyncSubscription subscription) {
        return command(null, (s, rid) -> {
            StompFrame f = s.unsubscribe(subscription.token(), rid);
            subscriptions.remove(subscription.token().value());
            return f;
        });
    }

    /** Begins a transaction; completes once BEGIN is written. */
    public CompletableFuture<AsyncTransaction> begin() {
        String[] id = new String[1];
        long[] began = new long[1];
        return command(null, (s, rid) -> {
            StompFrame f = s.begin(null, rid);
            id[0] = f.header(StompHeaders.TRANSACTION);
            began[0] = engine.epoch();
            return f;
        }).thenApply(v -> new AsyncTransaction(this, id[0], began[0]));
    }

    CompletableFuture<Void> finishTransaction(String transaction, long txEpoch, boolean commit) {
        // The receipt id is made on the event loop: the engine is touched nowhere else.
        return call(() -> engine.execute((s, rid) -> {
            engine.requireEpoch(transaction, txEpoch);
            return commit ? s.commit(transaction, rid) : s.abort(transaction, rid);
        }, engine.newReceiptId("tx"), true, false, System.nanoTime()));
    }

    private CompletableFuture<Void> command(String receipt, ConnectionEngine.Command command) {
        return call(() -> engine.execute(command, receipt, true, false, System.nanoTime()));
    }

    /** A command that settles a message (the forward of a failed one), allowed during a graceful disconnect. */
    CompletableFuture<Void> settling(String receipt, ConnectionEngine.Command command) {
        return call(() -> engine.execute(command, receipt, true, true, System.nanoTime()));
    }

    CompletableFuture<Void> engineSettle(Delivery d, boolean nack) {
        CompletableFuture<Void> r = engine.settle(d, nack, null, null, System.nanoTime());
        pump();
        return r;
    }

    // -- disconnecting ----------------------------------------------------------------------------

    /**
     * Disconnects gracefully: no new message is handed to a handler (those waiting are not acked,
     * so the broker redelivers them), running handlers may finish, then DISCONNECT with a receipt;
     * all of it within one disconnect timeout (handlers that do not finish are reported), and the
     * socket closes. The future completes when closed.
     */
    public CompletableFuture<Void> disconnect() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        run(done, () -> {
            if (beginDisconnect(null)) {
                disconnected.whenComplete((v, t) -> done.complete(null));
            } else {
                done.complete(null); // nothing was connected: nothing to wait for
            }
        });
        return done;
    }

    void disconnectOnError(Throwable cause) {
        if (engine.state() == ConnectionState.CONNECTED) {
            beginDisconnect(cause);
        }
    }

    /** @return whether a connection was up (or going down) and ends with this */
    private boolean beginDisconnect(Throwable cause) {
        ConnectionState was = engine.state();
        boolean live = was == ConnectionState.CONNECTED;
        engine.disconnect(System.nanoTime());
        if (live) {
            disconnectCause = cause;
            dispatcher.stop();
            if (dispatcher.inFlight() == 0) {
                engine.sendDisconnect(System.nanoTime());
            }
        }
        pump();
        return live || was == ConnectionState.DISCONNECTING;
    }

    /** A handler finished; the last one lets a graceful disconnect go on. */
    void handlerFinished(int inFlight) {
        if (inFlight == 0 && engine.state() == ConnectionState.DISCONNECTING) {
            engine.sendDisconnect(System.nanoTime());
        }
        pump();
    }

    /**
     * Disconnects gracefully, waiting for it at most the disconnect timeout (and a second), then
     * releases the client's threads. Called on the client's event loop, which must never wait, it
     * closes at once instead, as {@link #closeNow()}.
     */
    @Override
    public void close() {
        if (!loop.inEventLoop()) {
            try {
                disconnect().get(config.disconnectTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                log.debug("disconnect on close: {}", e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        closeNow();
    }

    /** Closes at once, without DISCONNECT: waiting futures fail with "client closed"; the client's threads are released. */
    public void closeNow() {
        Runnable closing = () -> {
            engine.close(System.nanoTime());
            pump();
            disconnected.complete(null); // never connected, or ended already: nothing else completes it
            cancelTimer();
        };
        try {
            loop.execute(closing);
        } catch (RejectedExecutionException e) {
            // The caller's event loop group is already shut down: nothing else runs on the loop's
            // state any more, so fail what still waits from here rather than leave it hanging.
            log.debug("event loop already terminated; closing on the caller's thread");
            closing.run();
        }
        if (ownGroup != null) {
            ownGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
        if (ownExecutor != null) {
            ownExecutor.shutdown();
        }
    }

    // -- the event loop ---------------------------------------------------------------------------

    EventLoop loop() {
        return loop;
    }

    /** Work for the engine: on the loop, its result (or failure) into the returned future. */
    private <T> CompletableFuture<T> call(java.util.function.Supplier<CompletableFuture<T>> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        run(result, () -> {
            try {
                CompletableFuture<T> f = work.get();
                if (f == null) {
                    result.complete(null);
                } else {
                    f.whenComplete((v, t) -> {
                        if (t == null) {
                            result.complete(v);
                        } else {
                            result.completeExceptionally(Dispatcher.unwrap(t));
                        }
                    });
                }
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            } finally {
                pump();
            }
        });
        return result;
    }

    private void run(CompletableFuture<?> result, Runnable task) {
        try {
            loop.execute(task);
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(new StompConnectionException("client closed", e));
        }
    }

    /**
     * Runs {@code task} on the event loop; from a handler's thread, after the client was closed and
     * its loop ended, there is nothing left to run it against (the connection, and with it the ack,
     * is gone: the broker redelivers), so it is dropped rather than thrown at the handler's thread.
     */
    void onLoop(Runnable task) {
        try {
            loop.execute(task);
        } catch (RejectedExecutionException e) {
            log.debug("event loop ended; dropping a handler's completion");
        }
    }

    /** Applies what the engine asked for, writes what it queued, and sets the timer to its next deadline. */
    private void pump() {
        while (engine.hasEffects()) {
            mirror(); // before the effects: a future completed by them must find these up to date
            engine.takeEffects(effects);
            for (Effect e : effects) {
                try {
                    e.apply(handler);
                } catch (RuntimeException ex) {
                    log.warn("applying an engine effect failed", ex);
                }
            }
            effects.clear();
            flush();
        }
        flush();
        mirror();
        long now = System.nanoTime();
        long next = engine.nextDeadline(now);
        if (next < timerAt) {
            cancelTimer();
            timerAt = next;
            timer = loop.schedule(this::onTimer, Math.max(0, next - now), TimeUnit.NANOSECONDS);
        }
    }

    /** What other threads may read of the engine's state, copied on the event loop. */
    private void mirror() {
        state = engine.state();
        parserRetained = engine.parserRetainedBytes();
        unknownSubscriptionMessages = engine.unknownSubscriptionMessages();
    }

    private void onTimer() {
        timer = null;
        timerAt = ConnectionEngine.NONE;
        engine.tick(System.nanoTime());
        pump();
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        timerAt = ConnectionEngine.NONE;
    }

    private void flush() {
        Outbound o;
        boolean wrote = false;
        while ((o = engine.nextWrite()) != null) {
            Outbound out = o;
            if (channel == null || out.conn() != conn) {
                engine.writeFailed(out, new StompConnectionException("connection closed"), System.nanoTime());
                continue;
            }
            ByteBuf buf = out.isHeartBeat() ? Unpooled.wrappedBuffer(StompEncoder.heartBeat())
                    : Unpooled.wrappedBuffer(out.encoder().encode(out.frame()));
            if (log.isDebugEnabled() && !out.isHeartBeat()) {
                log.debug(">>> {}", out.frame().info());
            }
            channel.write(ChannelOpener.wire(broker, buf)).addListener(f -> {
                if (f.isSuccess()) {
                    engine.written(out, System.nanoTime());
                } else {
                    engine.writeFailed(out, f.cause(), System.nanoTime());
                }
                if (engine.hasEffects()) {
                    pump();
                }
            });
            wrote = true;
        }
        if (wrote && channel != null) {
            channel.flush();
        }
    }

    void pauseReading(boolean pause) {
        if (pause == paused || channel == null) {
            return;
        }
        paused = pause;
        channel.config().setAutoRead(!pause);
        engine.readingPaused(pause, System.nanoTime());
        if (!pause) {
            channel.read();
        }
    }

    /** What the engine asks of this client. */
    private final EngineHandler handler = new EngineHandler() {
        @Override
        public void open(int c, BrokerAddress b, Duration timeout) {
            conn = c;
            broker = b;
            paused = false;
            channel = null;
            opener.open(c, b, timeout);
        }

        @Override
        public void close(int c) {
            if (c == conn && channel != null) {
                channel.close();
                channel = null;
            }
        }

        @Override
        public void deliver(Delivery d) {
            AsyncSubscription sub = subscriptions.get(d.subscription().token().value());
            if (sub != null) {
                dispatcher.deliver(d, sub);
            }
        }

        @Override
        public void connected(BrokerAddress b) {
            negotiatedVersion = engine.version();
            dispatcher.start();
            notifyListener(l -> l.connected(b));
        }

        @Override
        public void connectionLost(long epoch, Throwable cause) {
            discarded += dispatcher.lost(epoch);
            notifyListener(l -> l.connectionLost(cause));
        }

        @Override
        public void reconnected(Reconnection r) {
            negotiatedVersion = engine.version();
            dispatcher.drain();
            ReconnectReport report = r.report(discarded);
            discarded = 0;
            notifyListener(l -> l.reconnected(report));
        }

        @Override
        public void reconnectFailed(Throwable cause) {
            notifyListener(l -> l.reconnectFailed(cause));
        }

        @Override
        public void ended(Throwable cause) {
            unfinishedHandlers = dispatcher.inFlight();
            dispatcher.stop();
            subscriptions.clear();
            cancelTimer();
            Throwable why = cause != null ? cause : disconnectCause;
            disconnectCause = null;
            if (why == null) {
                disconnected.complete(null);
            } else {
                disconnected.completeExceptionally(why);
            }
        }

        @Override
        public void room() {
            List<CompletableFuture<Void>> waiting = new ArrayList<>(readyWaiters);
            readyWaiters.clear();
            waiting.forEach(f -> f.complete(null));
        }
    };

    /** What happens on the channels, reported to the engine. */
    private final class ChannelEvents implements ChannelOpener.Events {
        @Override
        public void ready(int c, Channel ch) {
            if (c == conn) {
                channel = ch;
            }
            engine.opened(c, System.nanoTime());
            if (c != conn) {
                ch.close();
            }
            pump();
        }

        @Override
        public void openFailed(int c, Throwable cause) {
            engine.openFailed(c, cause, System.nanoTime());
            pump();
        }

        @Override
        public void read(int c, ByteBuf content) {
            if (content.hasArray()) {
                engine.received(c, content.array(), content.arrayOffset() + content.readerIndex(), content.readableBytes(), System.nanoTime());
            } else {
                // A direct buffer: one copy into a reused array; the parser keeps only what it needs.
                int n = content.readableBytes();
                if (scratch.length < n) {
                    scratch = new byte[Math.max(n, 64 * 1024)];
                }
                content.getBytes(content.readerIndex(), scratch, 0, n);
                engine.received(c, scratch, 0, n, System.nanoTime());
            }
            pump();
        }

        @Override
        public void ended(int c, Throwable cause) {
            engine.closed(c, cause, System.nanoTime());
            pump();
        }
    }

    private void notifyListener(Consumer<ConnectionListener> call) {
        try {
            call.accept(config.listener());
        } catch (RuntimeException e) {
            log.warn("connection listener failed", e);
        }
    }

    /** Waiting messages looked at by the dispatcher so far (read on the event loop); for tests of linearity. */
    long drainSteps() {
        try {
            return loop.submit(dispatcher::drainSteps).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** How long writes may make no progress before the connection counts as lost; exposed for tests of the bound. */
    Duration writeTimeout() {
        return config.writeTimeout();
    }

    @Override
    public String toString() {
        return "AsyncStompClient[" + config.uri() + ", " + state.name().toLowerCase() + "]";
    }
}
