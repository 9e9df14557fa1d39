package dev.stompbox.async;

import dev.stompbox.async.internal.SendBound;
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
import dev.stompbox.protocol.commands.Commands;
import dev.stompbox.protocol.commands.Prefetch;
import dev.stompbox.protocol.commands.Subscribe;
import dev.stompbox.protocol.connection.ConnectionConfig;
import dev.stompbox.protocol.failover.BrokerAddress;
import dev.stompbox.protocol.failover.ReconnectSchedule;
import dev.stompbox.protocol.interceptor.StompInterceptor;
import dev.stompbox.protocol.internal.engine.ConnectionEngine;
import dev.stompbox.protocol.internal.engine.Interception;
import dev.stompbox.protocol.internal.engine.ConnectionState;
import dev.stompbox.protocol.internal.engine.EngineLog;
import dev.stompbox.protocol.internal.engine.EngineSettings;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * An asynchronous STOMP client on Netty (stompest's Twisted client, with {@link CompletableFuture}
 * where Twisted had Deferreds): per-subscription handlers with bounded concurrency, error
 * destinations, graceful shutdown, connect / CONNECTED / disconnect timeouts, auto-reconnect with
 * subscription replay, over TCP, TLS and WebSocket ({@code ws://}, {@code wss://}).
 *
 * <pre>{@code
 * AsyncStompClient client = AsyncStompClient.create("tcp://localhost:61613");
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
 * work to that loop. Handlers run on the subscription's executor, else the client's (by default a
 * pool of up to {@code maxConcurrency} threads, a thread made only when every one is busy), or on
 * the event loop when asked. The event loop never runs user code otherwise, so
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
    private final ExecutorService ownExecutor;
    private final LoopRunner runner;
    private final Dispatcher dispatcher;
    private final AtomicLong subscriptionIds = new AtomicLong();
    private final java.util.Set<String> warned = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private AsyncStompClient(AsyncStompClientConfig config) {
        this.config = config;
        AsyncStompResources shared = config.resources();
        EventLoopGroup group = config.eventLoopGroup() != null ? config.eventLoopGroup()
                : shared != null ? shared.eventLoopGroup() : null;
        if (group == null) {
            group = new MultiThreadIoEventLoopGroup(1, AsyncStompResources.daemons("stompbox-async-" + instance + "-loop-"),
                    NioIoHandler.newFactory());
            this.ownGroup = group;
        } else {
            this.ownGroup = null;
        }
        Executor executor = config.executor() != null ? config.executor() : shared != null ? shared.executor() : null;
        if (executor == null) {
            // Up to a thread for every handler the client lets run at once (a smaller pool would cap
            // the subscriptions' concurrency without saying so), made only when all are busy.
            ThreadPoolExecutor pool = AsyncStompResources.handlerPool(config.maxConcurrency(), config.maxConcurrency(),
                    AsyncStompResources.daemons("stompbox-async-" + instance + "-handler-"));
            this.ownExecutor = pool;
            executor = pool;
        } else {
            this.ownExecutor = null;
        }
        ConnectionEngine engine = new ConnectionEngine(EngineSettings.from(config), new ReconnectSchedule(config.failoverUri()),
                EngineLog.of(log::isDebugEnabled, log::debug, log::info, log::warn, log::error), String.valueOf(instance));
        this.runner = new LoopRunner(config, group.next(), engine);
        this.dispatcher = new Dispatcher(this, runner, executor);
        runner.dispatcher(dispatcher);
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

    /** Whether a connection is up (CONNECTED received and not lost since). */
    public boolean isConnected() {
        return runner.state() == ConnectionState.CONNECTED;
    }

    /** The broker currently connected to, or {@code null}. */
    public BrokerAddress broker() {
        return runner.broker();
    }

    /** The negotiated STOMP version of the current (or last) connection; the configured one before. */
    public StompVersion version() {
        return runner.version();
    }

    /**
     * Bytes the client holds for data it has read but not yet handled: MESSAGEs waiting for a
     * handler (what flow control keeps bounded) plus what the parser holds of the frame being read
     * ({@link dev.stompbox.protocol.codec.StompParser#retainedBytes()}, bounded by the parser limits).
     * 0 once the connection has ended.
     */
    public long bufferedBytes() {
        return dispatcher.bufferedBytes() + runner.parserRetained();
    }

    /** MESSAGE frames dropped because no active subscription matched. */
    public long unknownSubscriptionMessages() {
        return runner.unknownSubscriptionMessages();
    }

    /** Handlers still running when the last graceful disconnect gave up waiting for them. */
    public int unfinishedHandlers() {
        return runner.unfinishedHandlers();
    }

    /**
     * Completes when the connection has ended for good: normally after {@link #disconnect()} or
     * {@link #close()}, exceptionally with the cause otherwise (an ERROR, a failed handler without
     * error destination, a loss without auto-reconnect, a spent reconnect schedule). Each
     * {@link #connect()} starts a new one.
     */
    public CompletableFuture<Void> disconnected() {
        return runner.disconnected();
    }

    /**
     * Completes once a SEND would be taken: fewer than {@code maxPendingWriteBytes} wait to be
     * written and, with at-least-once publishing, the window has a place. Never blocks. A single
     * producer that waits on it before each send is never refused, and keeps its order.
     */
    public CompletableFuture<Void> whenReady() {
        return runner.whenReady();
    }

    // -- connecting -------------------------------------------------------------------------------

    /**
     * Connects along the failover schedule, within the configured {@code connectDeadline} (60 s
     * unless set); completes with this client once CONNECTED arrived, or
     * exceptionally ({@link StompConnectTimeoutException} when the schedule is spent,
     * {@link StompBrokerException} when the broker answers CONNECT with ERROR, never retried).
     */
    public CompletableFuture<AsyncStompClient> connect() {
        return connect(config.connectDeadline());
    }

    /**
     * {@link #connect()}, giving up when {@code deadline} has passed, so that even a schedule that
     * retries forever ends ({@link StompConnectionException} "connect deadline passed").
     */
    public CompletableFuture<AsyncStompClient> connect(Duration bound) {
        return runner.connect(ConnectionConfig.bound(bound)).thenApply(v -> this);
    }

    // -- sending ----------------------------------------------------------------------------------

    /** A text SEND (UTF-8); completes once written. */
    public CompletableFuture<Void> send(String destination, String body) {
        return send(destination, body, Map.of());
    }

    /** A text SEND (UTF-8) with headers; see {@link #send(String, byte[], Map)}. */
    public CompletableFuture<Void> send(String destination, String body, Map<String, String> headers) {
        return send(destination, body.getBytes(StandardCharsets.UTF_8), headers);
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
        if (config.interceptor() != StompInterceptor.NONE) {
            return Interception.aroundAsync(() -> config.interceptor().beforeSend(destination, hs), () -> sendNow(destination, body, hs, receipt));
        }
        return sendNow(destination, body, hs, receipt);
    }

    private CompletableFuture<Void> sendNow(String destination, byte[] body, Map<String, String> hs, String receipt) {
        if (config.atLeastOnce() && !hs.containsKey(StompHeaders.TRANSACTION)) {
            return publish(rid -> Commands.send(destination, body, hs, rid), receipt);
        }
        return sendCommand(receipt, SendBound.of(destination, hs, body.length), (s, rid) -> s.send(destination, body, hs, rid));
    }

    /** Sends a SEND frame built by the caller (a body adopted without copying, for instance). */
    public CompletableFuture<Void> send(StompFrame frame) {
        if (config.interceptor() != StompInterceptor.NONE && frame.command() == StompCommand.SEND) {
            Interception.Send[] send = new Interception.Send[1];
            return Interception.aroundAsync(() -> (send[0] = Interception.beforeSend(config.interceptor(), frame)).scope(),
                    () -> sendNow(send[0].frame()));
        }
        return sendNow(frame);
    }

    private CompletableFuture<Void> sendNow(StompFrame frame) {
        String receipt = frame.header(StompHeaders.RECEIPT);
        if (config.atLeastOnce() && frame.command() == StompCommand.SEND && frame.header(StompHeaders.TRANSACTION) == null) {
            if (frame.header(StompHeaders.DESTINATION) == null) {
                return CompletableFuture.failedFuture(new StompProtocolException("Expected a SEND frame with a destination, got ["
                        + frame.info() + "]"));
            }
            return publish(rid -> receipt != null ? frame : frame.withAddedHeader(StompHeaders.RECEIPT, rid), receipt);
        }
        return sendCommand(receipt, SendBound.of(frame), (s, rid) -> s.send(frame));
    }

    private CompletableFuture<Void> sendCommand(String receipt, long bound, ConnectionEngine.Command command) {
        return runner.callSend(bound, e -> {
            e.requireWriteRoom();
            return e.execute(command, receipt, true, false, System.nanoTime());
        });
    }

    CompletableFuture<Void> sendInTransaction(String transaction, long txEpoch, String destination, byte[] body,
                                              Map<String, String> headers) {
        Map<String, String> hs = new LinkedHashMap<>(headers);
        String receipt = hs.remove(StompHeaders.RECEIPT);
        hs.put(StompHeaders.TRANSACTION, transaction);
        if (config.interceptor() != StompInterceptor.NONE) {
            return Interception.aroundAsync(() -> config.interceptor().beforeSend(destination, hs),
                    () -> sendInTransactionNow(transaction, txEpoch, destination, body, hs, receipt));
        }
        return sendInTransactionNow(transaction, txEpoch, destination, body, hs, receipt);
    }

    private CompletableFuture<Void> sendInTransactionNow(String transaction, long txEpoch, String destination, byte[] body,
                                                         Map<String, String> hs, String receipt) {
        // Never refused for room, but counted in transit: a plain SEND after it must not be either.
        return runner.callSend(SendBound.of(destination, hs, body.length), e -> e.execute((s, rid) -> {
            e.requireEpoch(transaction, txEpoch);
            return s.send(destination, body, hs, rid);
        }, receipt, true, false, System.nanoTime()));
    }

    /** At-least-once: kept by the engine until its RECEIPT, and re-sent after a reconnect. */
    private CompletableFuture<Void> publish(Function<String, StompFrame> frame, String receipt) {
        long start = System.nanoTime();
        return runner.call(e -> e.publish(frame.apply(receipt != null ? receipt : e.newReceiptId()), start, System.nanoTime()));
    }

    // -- subscriptions and transactions -----------------------------------------------------------

    /**
     * Subscribes {@code handler} to {@code destination}; completes with the subscription once the
     * broker accepted it (its RECEIPT arrived), or fails with the broker's ERROR when it refused the
     * destination or the selector. With {@code SubscriptionOptions.confirm(false)}, and no
     * {@code receipt} header, it completes once the SUBSCRIBE is written. A loss before the RECEIPT
     * fails it only without auto-reconnect (the replayed SUBSCRIBE asks for the receipt again).
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
        ConnectionEngine.Command subscribe = (s, rid) -> {
            askPrefetch(s.server(), hs, options);
            Subscribe sub = s.subscribe(destination, hs, rid, null);
            made[0] = new AsyncSubscription(sub.token(), destination, hs, handler, options);
            runner.subscribed(made[0]);
            return sub.frame();
        };
        // Confirmed: complete once the broker accepted it, fail with its ERROR when it refuses.
        return runner.call(e -> e.execute(subscribe, receipt != null ? receipt : options.confirm() ? e.newReceiptId("sub") : null,
                true, false, System.nanoTime())).whenComplete((v, failed) -> {
                    if (failed != null && made[0] != null) {
                        runner.onLoop(() -> dispatcher.forgetIfRefused(made[0]));
                    }
                }).thenApply(v -> made[0]);
    }

    /** On the loop: the broker's own prefetch header for {@code options.prefetch()}, and a word when it cannot be had. */
    private void askPrefetch(String server, Map<String, String> headers, SubscriptionOptions options) {
        if (options.prefetch() > 0 && Prefetch.asked(server, headers).isEmpty()) {
            Prefetch.header(server, options.prefetch()).ifPresentOrElse(h -> headers.put(h.getKey(), h.getValue()),
                    () -> warnOnce("prefetch", "cannot ask for a prefetch of {} messages: {}", options.prefetch(), Prefetch.whyNot(server)));
        }
        Prefetch.asked(server, headers).filter(n -> n < options.concurrency()).ifPresent(n -> warnOnce("concurrency",
                "concurrency {} is above the prefetch of {}: the broker sends at most {} messages ahead, so at most {} handlers run",
                options.concurrency(), n, n, n));
    }

    private void warnOnce(String what, String message, Object... args) {
        if (warned.add(what)) {
            log.warn(message, args);
        }
    }

    /** A subscription with default options. */
    public CompletableFuture<AsyncSubscription> subscribe(String destination, Map<String, String> headers, MessageHandler handler) {
        return subscribe(destination, headers, handler, SubscriptionOptions.defaults());
    }

    /**
     * Unsubscribes gracefully: in the client ack modes no new message of the subscription is handed
     * to its handler (those waiting are let go unacked, for the broker to hand to another consumer),
     * handlers already running finish and their acks are written, and then the UNSUBSCRIBE goes out (a
     * broker returns the unacked messages of a closed subscription, so an ack after it would be lost).
     * With ack {@code auto} the messages that still come are handled: they are the client's alone.
     * Handlers still running after the disconnect timeout do not hold it back longer; their messages
     * are redelivered. When the UNSUBSCRIBE cannot be sent, the future fails and the subscription goes
     * on as before. In one of the subscription's own handlers, do not wait for the future (nor return it
     * as the handler's stage): it waits for that handler to finish, which it would then do only after the
     * disconnect timeout, with its message redelivered.
     */
    public CompletableFuture<Void> unsubscribe(AsyncSubscription subscription) {
        CompletableFuture<Void> drained = new CompletableFuture<>();
        runner.onLoop(() -> dispatcher.close(subscription, drained));
        return drained.completeOnTimeout(null, config.disconnectTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .thenCompose(v -> sendUnsubscribe(subscription))
                .whenComplete((v, e) -> {
                    if (e != null) {
                        runner.onLoop(() -> dispatcher.reopen(subscription));
                    }
                });
    }

    private CompletableFuture<Void> sendUnsubscribe(AsyncSubscription subscription) {
        if (subscription.inFlight() > 0) {
            log.warn("unsubscribing {} with {} handler(s) still running after {}: their messages will be redelivered",
                    subscription, subscription.inFlight(), config.disconnectTimeout());
        }
        return command(null, (s, rid) -> {
            StompFrame f = s.unsubscribe(subscription.token(), rid);
            runner.unsubscribed(subscription);
            return f;
        });
    }

    /** Begins a transaction; completes once BEGIN is written. */
    public CompletableFuture<AsyncTransaction> begin() {
        String[] id = new String[1];
        long[] began = new long[1];
        return runner.call(e -> e.execute((s, rid) -> {
            StompFrame f = s.begin(null, rid);
            id[0] = f.header(StompHeaders.TRANSACTION);
            began[0] = e.epoch();
            return f;
        }, null, true, false, System.nanoTime())).thenApply(v -> new AsyncTransaction(this, id[0], began[0]));
    }

    CompletableFuture<Void> finishTransaction(String transaction, long txEpoch, boolean commit) {
        // The receipt id is made on the event loop: the engine is touched nowhere else.
        return runner.call(e -> e.execute((s, rid) -> {
            e.requireEpoch(transaction, txEpoch);
            return commit ? s.commit(transaction, rid) : s.abort(transaction, rid);
        }, e.newReceiptId("tx"), true, false, System.nanoTime()));
    }

    private CompletableFuture<Void> command(String receipt, ConnectionEngine.Command command) {
        return runner.call(e -> e.execute(command, receipt, true, false, System.nanoTime()));
    }

    // -- disconnecting ----------------------------------------------------------------------------

    /**
     * Disconnects gracefully: no new message is handed to a handler (those waiting are not acked,
     * so the broker redelivers them), running handlers may finish, then DISCONNECT with a receipt;
     * all of it within one disconnect timeout (handlers that do not finish are reported), and the
     * socket closes. The future completes when closed. In a handler, do not wait for it (nor return
     * it as the handler's stage): it waits for that handler to finish. {@link #close()} knows this.
     */
    public CompletableFuture<Void> disconnect() {
        return runner.disconnect();
    }

    /**
     * Disconnects gracefully, waiting for it at most the disconnect timeout (and a second), then
     * releases the client's threads. Called in one of the client's own handlers, or on its event
     * loop, it begins the same graceful disconnect and returns at once, and the threads are released
     * when it ends: the disconnect waits for running handlers to finish, that one included, and
     * nothing on the event loop may wait.
     */
    @Override
    public void close() {
        if (runner.loop().inEventLoop() || Dispatcher.inHandlerOf(this)) {
            disconnect().whenComplete((v, e) -> closeNow());
            return;
        }
        try {
            disconnect().get(config.disconnectTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            log.debug("disconnect on close: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeNow();
    }

    /** Closes at once, without DISCONNECT: waiting futures fail with "client closed"; the client's threads are released. */
    public void closeNow() {
        runner.closeNow();
        if (ownGroup != null) {
            ownGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
        if (ownExecutor != null) {
            ownExecutor.shutdown();
        }
    }

    /** Waiting messages looked at by the dispatcher so far (read on the event loop); for tests of linearity. */
    long drainSteps() {
        try {
            return runner.loop().submit(dispatcher::drainSteps).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** What runs the client on its event loop; for tests of its turns and flushes. */
    LoopRunner runner() {
        return runner;
    }

    /** Loop tasks that took finished handlers so far; for tests that a burst costs one. */
    long completionTasks() {
        return dispatcher.completionTasks();
    }

    /** How long writes may make no progress before the connection counts as lost; exposed for tests of the bound. */
    Duration writeTimeout() {
        return config.writeTimeout();
    }

    @Override
    public String toString() {
        return "AsyncStompClient[" + config.uri() + ", " + runner.state().name().toLowerCase() + "]";
    }
}
