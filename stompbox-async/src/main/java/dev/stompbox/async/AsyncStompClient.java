package dev.stompbox.async;

import dev.stompbox.protocol.AckMode;
import dev.stompbox.protocol.Header;
import dev.stompbox.protocol.StompBrokerException;
import dev.stompbox.protocol.StompCommand;
import dev.stompbox.protocol.StompConnectTimeoutException;
import dev.stompbox.protocol.StompConnectionException;
import dev.stompbox.protocol.StompException;
import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.StompFrameException;
import dev.stompbox.protocol.StompHeaders;
import dev.stompbox.protocol.StompProtocolException;
import dev.stompbox.protocol.StompReceiptTimeoutException;
import dev.stompbox.protocol.StompVersion;
import dev.stompbox.protocol.codec.StompEncoder;
import dev.stompbox.protocol.codec.StompParser;
import dev.stompbox.protocol.commands.Commands;
import dev.stompbox.protocol.commands.ConnectOptions;
import dev.stompbox.protocol.commands.Subscribe;
import dev.stompbox.protocol.commands.SubscriptionToken;
import dev.stompbox.protocol.failover.BrokerAddress;
import dev.stompbox.protocol.failover.ReconnectAttempt;
import dev.stompbox.protocol.failover.ReconnectSchedule;
import dev.stompbox.protocol.metrics.StompMetrics;
import dev.stompbox.protocol.session.StompSession;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * An asynchronous STOMP client on Netty (stompest's Twisted client, with {@link CompletableFuture}
 * where Twisted had Deferreds): per-subscription handlers with bounded concurrency, error
 * destinations, graceful shutdown, connect / CONNECTED / disconnect timeouts, auto-reconnect with
 * subscription replay, over TCP, TLS and WebSocket ({@code ws://}, {@code wss://}).
 *
 * <pre>{@code
 * AsyncStompClient client = AsyncStompClient.create(AsyncClientConfig.builder("tcp://localhost:61613").build());
 * client.connect().join();
 * client.subscribe("/queue/testIn", Map.of("ack", "client-individual"),
 *         (c, frame) -> c.send("/queue/testOut", frame.bodyAsString() + "+1"),
 *         SubscriptionOptions.builder().errorDestination("/queue/testTransformerError").build()).join();
 * ...
 * client.disconnect().join();        // waits for in-flight handlers, then DISCONNECT with receipt
 * }</pre>
 *
 * <p><b>Threads.</b> All protocol state lives on one Netty event loop; every public method may be
 * called from any thread and hands its work to that loop. Handlers run on the subscription's
 * executor, else the client's (a bounded pool by default), or on the event loop when asked. The
 * event loop never runs user code otherwise, so a slow handler never delays heart-beats.
 *
 * <p><b>Flow control.</b> Messages for a subscription (or a client) that has as many handlers running
 * as allowed wait, in order; once {@code maxBufferedMessages} wait, the client stops reading the
 * socket (Netty auto-read off) until a handler finishes ({@link #bufferedBytes()} tells how much is
 * held). RECEIPTs share the stream, so while reading is stopped they wait too. While reading is paused on
 * purpose the server-silence check is suspended and the client's own beats keep going. A send
 * waits, up to the write timeout, while the channel is not writable, instead of piling bytes up.
 */
public final class AsyncStompClient {
    private static final Logger log = LoggerFactory.getLogger(AsyncStompClient.class);
    private static final AtomicInteger INSTANCES = new AtomicInteger();
    private static final long TICK_MILLIS = 25;
    private static final String[] SUBPROTOCOLS = {"v12.stomp", "v11.stomp", "v10.stomp"};
    /**
     * Heap buffers for reads: the parser works on their arrays in place, so a frame's body is the
     * one copy made at the Netty boundary (direct buffers would need a second).
     */
    private static final PooledByteBufAllocator HEAP = new PooledByteBufAllocator(false);
    /** Headers of a failed message that belong to the broker or the protocol, not to the application. */
    private static final Set<String> NOT_FORWARDED = Set.of(StompHeaders.RECEIPT, StompHeaders.CONTENT_LENGTH,
            StompHeaders.MESSAGE_ID, StompHeaders.ACK, StompHeaders.SUBSCRIPTION, StompHeaders.DESTINATION,
            StompHeaders.TRANSACTION, "destination-type", "redelivered", "expires", "timestamp", "priority",
            "persistent", "original-destination", "message-type", "__AMQ_CID", "_AMQ_ROUTING_TYPE", "receipt-id");

    private enum State { NEW, CONNECTING, CONNECTED, RECONNECTING, DISCONNECTING, DISCONNECTED }

    private final AsyncClientConfig config;
    private final int instance = INSTANCES.incrementAndGet();
    private final EventLoopGroup ownGroup;
    private final EventLoop loop;
    private final ExecutorService ownExecutor;
    private final Executor executor;
    private final ReconnectSchedule schedule;
    private final AtomicLong receiptIds = new AtomicLong();
    // Random part: consumers pair re-sent copies by receipt id, across producer processes too.
    private final String receiptPrefix = "stompbox-" + instance + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt()) + "-";
    private final Semaphore window; // at-least-once: one permit per SEND awaiting its RECEIPT
    private final Semaphore windowKib; // at-least-once: their bodies, a permit per KiB
    private final int windowKibSize;
    private final AtomicLong subscriptionIds = new AtomicLong();
    private final AtomicLong unknownSubscriptionMessages = new AtomicLong();
    private final CompletableFuture<Void> disconnected = new CompletableFuture<>();

    // Everything below is touched on the event loop only.
    private final StompSession session;
    private final Map<SubscriptionToken, AsyncSubscription> subscriptions = new LinkedHashMap<>();
    private final ArrayDeque<Delivery> pending = new ArrayDeque<>();
    private final Map<String, PendingReceipt> receipts = new LinkedHashMap<>();
    private final ArrayDeque<PendingWrite> unwritable = new ArrayDeque<>();
    private volatile State state = State.NEW;
    private Conn conn;
    private long epoch;
    private int inFlight;
    private long pendingBytes;
    private int subscriptionsWaiting; // subscriptions with at least one message in pending
    private long drainSteps; // waiting messages drain() has looked at, to prove its work is linear
    private volatile long bufferedBytes;
    private volatile long parserRetained;
    private volatile StompVersion negotiatedVersion;
    private ScheduledFuture<?> ticker;

    private record Delivery(StompFrame frame, AsyncSubscription subscription, long epoch, long bytes) {
    }

    private record PendingReceipt(CompletableFuture<Void> future, ScheduledFuture<?> timeout, long startNanos) {
    }

    private record PendingWrite(Object message, CompletableFuture<Void> written, long deadlineNanos) {
    }

    /** One channel to one broker. */
    private final class Conn {
        final BrokerAddress broker;
        final StompParser parser;
        Channel channel;
        StompVersion version;
        long epoch;
        boolean paused;
        boolean ending; // closed by us: the inactive event is not a loss
        ScheduledFuture<?> connectedTimer;
        byte[] scratch = new byte[0];
        long unwritableSince; // nanos; 0 while writable

        Conn(BrokerAddress broker) {
            this.broker = broker;
            this.parser = new StompParser(config.version(), config.parserLimits());
            this.version = config.version();
        }
    }

    private AsyncStompClient(AsyncClientConfig config) {
        this.config = config;
        if (config.eventLoopGroup() != null) {
            this.ownGroup = null;
            this.loop = config.eventLoopGroup().next();
        } else {
            this.ownGroup = new MultiThreadIoEventLoopGroup(1, r -> {
                Thread t = new Thread(r, "stompbox-async-" + instance + "-loop");
                t.setDaemon(true);
                return t;
            }, NioIoHandler.newFactory());
            this.loop = ownGroup.next();
        }
        if (config.executor() != null) {
            this.ownExecutor = null;
            this.executor = config.executor();
        } else {
            int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
            AtomicInteger n = new AtomicInteger();
            ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
                    new ArrayBlockingQueue<>(Math.max(16, config.maxConcurrency())), r -> {
                        Thread t = new Thread(r, "stompbox-async-" + instance + "-handler-" + n.incrementAndGet());
                        t.setDaemon(true);
                        return t;
                    });
            pool.allowCoreThreadTimeOut(true);
            this.ownExecutor = pool;
            this.executor = pool;
        }
        this.schedule = new ReconnectSchedule(config.failoverUri());
        this.session = new StompSession(config.version());
        this.session.graceFactor(config.graceFactor());
        this.session.atLeastOnce(config.atLeastOnce());
        this.window = new Semaphore(config.maxUnreceipted());
        this.windowKibSize = (int) Math.min(Integer.MAX_VALUE, config.maxUnreceiptedBytes() / 1024);
        this.windowKib = new Semaphore(windowKibSize);
    }

    /** A client for {@code config}; nothing happens on the network until {@link #connect()}. */
    public static AsyncStompClient create(AsyncClientConfig config) {
        return new AsyncStompClient(Objects.requireNonNull(config, "config"));
    }

    public AsyncClientConfig config() {
        return config;
    }

    public boolean isConnected() {
        return state == State.CONNECTED;
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
     */
    public long bufferedBytes() {
        return bufferedBytes + parserRetained;
    }

    /** MESSAGE frames dropped because no active subscription matched. */
    public long unknownSubscriptionMessages() {
        return unknownSubscriptionMessages.get();
    }

    /**
     * Completes when the client's connection has ended for good: normally after
     * {@link #disconnect()}, exceptionally with the cause otherwise (an ERROR, a failed handler
     * without error destination, a loss without auto-reconnect, a spent reconnect schedule).
     */
    public CompletableFuture<Void> disconnected() {
        return disconnected;
    }

    // -- connecting -------------------------------------------------------------------------------

    /**
     * Connects along the failover schedule; completes with this client once CONNECTED arrived, or
     * exceptionally ({@link StompConnectTimeoutException} when the schedule is spent,
     * {@link StompBrokerException} when the broker answers CONNECT with ERROR, never retried).
     */
    public CompletableFuture<AsyncStompClient> connect() {
        CompletableFuture<AsyncStompClient> result = new CompletableFuture<>();
        loop.execute(() -> {
            if (state != State.NEW && state != State.DISCONNECTED) {
                result.completeExceptionally(new IllegalStateException("cannot connect: " + state.name().toLowerCase()));
                return;
            }
            state = State.CONNECTING;
            attempt(schedule.iterator(), null, result, null);
        });
        return result;
    }

    private void attempt(Iterator<ReconnectAttempt> attempts, StompException last, CompletableFuture<AsyncStompClient> result,
                         Lost lost) {
        if (state != State.CONNECTING && state != State.RECONNECTING) {
            result.completeExceptionally(new StompConnectionException("connecting abandoned: " + state.name().toLowerCase(), last));
            return;
        }
        ReconnectAttempt a;
        try {
            a = attempts.next();
        } catch (StompConnectTimeoutException e) {
            StompException failure = e;
            if (last != null && !config.failoverUri().failover()) {
                failure = last; // one broker, one attempt: its own failure says more than "0 attempts"
            } else if (last != null) {
                e.initCause(last);
            }
            result.completeExceptionally(failure);
            return;
        }
        loop.schedule(() -> open(a, attempts, result, lost), a.delay().toNanos(), TimeUnit.NANOSECONDS);
    }

    private void open(ReconnectAttempt a, Iterator<ReconnectAttempt> attempts, CompletableFuture<AsyncStompClient> result, Lost lost) {
        BrokerAddress broker = a.broker();
        log.info("connecting to {} (attempt {})", broker, a.attempt());
        Conn c = new Conn(broker);
        CompletableFuture<Void> ready = new CompletableFuture<>();
        Bootstrap b = new Bootstrap().group(loop).channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, config.connectTimeout().toMillis()))
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOCATOR, HEAP)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 * 1024, 1024 * 1024))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) throws Exception {
                        pipeline(ch, c, ready);
                    }
                });
        b.connect(broker.host(), broker.port()).addListener(f -> {
            if (!f.isSuccess()) {
                ready.completeExceptionally(f.cause());
            }
        });
        ready.whenComplete((v, error) -> loop.execute(() -> {
            if (c.connectedTimer != null) {
                c.connectedTimer.cancel(false);
            }
            config.metrics().connectAttempt(lost != null, error == null);
            if (error == null) {
                activate(c, result, lost);
                return;
            }
            c.ending = true;
            if (c.channel != null) {
                c.channel.close();
            }
            session.close(false);
            StompException cause = error instanceof StompException ? (StompException) error
                    : new StompConnectionException("cannot connect to " + broker + ": " + error.getMessage(), error);
            if (cause instanceof StompBrokerException) {
                log.error("{} refused the connection: {}", broker, cause.getMessage());
                result.completeExceptionally(cause);
                return;
            }
            log.warn("attempt {} failed: {}", a.attempt(), cause.getMessage());
            attempt(attempts, cause, result, lost);
        }));
    }

    private void pipeline(SocketChannel ch, Conn c, CompletableFuture<Void> ready) throws Exception {
        c.channel = ch;
        ChannelPipeline p = ch.pipeline();
        BrokerAddress broker = c.broker;
        SslHandler ssl = null;
        if (broker.secure()) {
            SSLEngine engine;
            if (config.nettySslContext() != null) {
                engine = config.nettySslContext().newEngine(ch.alloc(), broker.host(), broker.port());
            } else {
                SSLContext context = config.sslContext() != null ? config.sslContext() : SSLContext.getDefault();
                engine = context.createSSLEngine(broker.host(), broker.port());
                engine.setUseClientMode(true);
            }
            if (config.hostnameVerification()) {
                SSLParameters params = engine.getSSLParameters();
                params.setEndpointIdentificationAlgorithm("HTTPS");
                engine.setSSLParameters(params);
            }
            ssl = new SslHandler(engine);
            ssl.setHandshakeTimeoutMillis(config.connectTimeout().toMillis());
            p.addLast("tls", ssl);
        }
        if (broker.webSocket()) {
            String path = broker.path().isEmpty() ? "/" : broker.path();
            URI uri = new URI(broker.scheme(), null, broker.host(), broker.port(), path, broker.query(), null);
            p.addLast(new HttpClientCodec());
            p.addLast(new HttpObjectAggregator(64 * 1024));
            p.addLast(new WebSocketClientProtocolHandler(WebSocketClientProtocolConfig.newBuilder()
                    .webSocketUri(uri).subprotocol(String.join(",", SUBPROTOCOLS))
                    .maxFramePayloadLength(config.parserLimits().maxFrameSize())
                    .handshakeTimeoutMillis(config.connectTimeout().toMillis())
                    .build()));
            p.addLast(new WebSocketFrameAggregator(config.parserLimits().maxFrameSize()));
        }
        SslHandler tls = ssl;
        // Every frame is written and flushed as it is sent; flushing once per burst of frames queued
        // on the event loop instead saves a system call (and a TLS record) per frame under load, and
        // delays nothing when a frame comes alone.
        p.addLast("flush", new FlushConsolidationHandler(FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true));
        p.addLast("stomp", new ChannelInboundHandlerAdapter() {
            @Override
            public void channelActive(ChannelHandlerContext ctx) throws Exception {
                if (!broker.webSocket()) {
                    if (tls == null) {
                        sendConnect(c, ready);
                    } else {
                        tls.handshakeFuture().addListener(f -> {
                            if (f.isSuccess()) {
                                sendConnect(c, ready);
                            } else {
                                ready.completeExceptionally(f.cause());
                            }
                        });
                    }
                }
                super.channelActive(ctx);
            }

            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
                if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                    sendConnect(c, ready);
                } else if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
                    ready.completeExceptionally(new StompConnectionException("WebSocket handshake with " + broker + " timed out"));
                }
                super.userEventTriggered(ctx, evt);
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                try {
                    ByteBuf content = null;
                    if (msg instanceof ByteBuf) {
                        content = (ByteBuf) msg;
                    } else if (msg instanceof BinaryWebSocketFrame || msg instanceof TextWebSocketFrame) {
                        content = ((io.netty.handler.codec.http.websocketx.WebSocketFrame) msg).content();
                    }
                    if (content != null) {
                        read(c, content, ready);
                    }
                } finally {
                    ReferenceCountUtil.release(msg);
                }
            }

            @Override
            public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
                c.unwritableSince = ctx.channel().isWritable() ? 0 : System.nanoTime();
                flushUnwritable(c);
                super.channelWritabilityChanged(ctx);
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) throws Exception {
                ready.completeExceptionally(new StompConnectionException("connection to " + broker + " closed"));
                if (!c.ending) {
                    lose(c, new StompConnectionException("connection to " + broker + " lost"));
                }
                super.channelInactive(ctx);
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                ready.completeExceptionally(cause);
                if (!c.ending) {
                    lose(c, new StompConnectionException("connection to " + broker + " failed: " + cause.getMessage(), cause));
                }
                ctx.close();
            }
        });
    }

    private void sendConnect(Conn c, CompletableFuture<Void> ready) {
        session.close(false);
        ConnectOptions options = ConnectOptions.builder().host(config.virtualHost()).login(config.login())
                .passcode(config.passcode()).heartBeat(config.heartBeat()).headers(config.connectHeaders()).build();
        StompFrame connect = session.connect(options);
        if (log.isDebugEnabled()) {
            log.debug(">>> {}", connect.info()); // info() masks the passcode
        }
        byte[] bytes = StompEncoder.of(c.version).encode(connect);
        config.metrics().frameSent(connect.command(), bytes.length);
        c.channel.writeAndFlush(wire(c, bytes)).addListener(f -> {
            if (!f.isSuccess()) {
                ready.completeExceptionally(f.cause());
            }
        });
        c.connectedTimer = loop.schedule(() -> ready.completeExceptionally(new StompConnectionException(
                "no CONNECTED from " + c.broker + " within " + config.connectedTimeout().toMillis() + " ms")),
                config.connectedTimeout().toNanos(), TimeUnit.NANOSECONDS);
    }

    private Object wire(Conn c, byte[] bytes) {
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        return c.broker.webSocket() ? new BinaryWebSocketFrame(buf) : buf;
    }

    private void read(Conn c, ByteBuf content, CompletableFuture<Void> ready) {
        session.received(millis());
        try {
            if (content.hasArray()) {
                c.parser.add(content.array(), content.arrayOffset() + content.readerIndex(), content.readableBytes());
            } else {
                // A direct buffer: one copy into a reused array; the parser keeps only what it needs.
                int n = content.readableBytes();
                if (c.scratch.length < n) {
                    c.scratch = new byte[Math.max(n, 64 * 1024)];
                }
                content.getBytes(content.readerIndex(), c.scratch, 0, n);
                c.parser.add(c.scratch, 0, n);
            }
            StompFrame frame;
            while ((frame = c.parser.get()) != null) {
                config.metrics().frameReceived(frame.command(), frame.wireLength());
                onFrame(c, frame, ready);
            }
        } catch (StompFrameException e) {
            StompConnectionException cause = new StompConnectionException("invalid data from " + c.broker + ": " + e.getMessage(), e);
            ready.completeExceptionally(cause);
            lose(c, cause);
        } finally {
            parserRetained = c.parser.retainedBytes();
        }
    }

    private void onFrame(Conn c, StompFrame frame, CompletableFuture<Void> ready) {
        if (log.isDebugEnabled()) {
            log.debug("<<< {}", frame.info());
        }
        switch (frame.command()) {
            case CONNECTED -> {
                try {
                    session.connected(frame);
                } catch (StompProtocolException e) {
                    ready.completeExceptionally(e);
                    return;
                }
                c.version = session.version();
                c.parser.version(c.version);
                ready.complete(null);
            }
            case ERROR -> {
                StompBrokerException error = new StompBrokerException(frame);
                if (!ready.isDone()) {
                    ready.completeExceptionally(error);
                    return;
                }
                log.warn("{} sent ERROR: {}", c.broker, error.getMessage());
                String about = frame.header(StompHeaders.RECEIPT_ID);
                PendingReceipt refused = about == null ? null : receipts.remove(about);
                if (refused != null) {
                    // The broker refused that very frame: never re-send it, report the broker's reason.
                    refused.timeout().cancel(false);
                    session.cancelReceipt(about);
                    refused.future().completeExceptionally(error);
                }
                lose(c, error);
            }
            case RECEIPT -> {
                String id;
                try {
                    id = session.receipt(frame);
                } catch (StompProtocolException e) {
                    log.warn("ignoring RECEIPT: {}", e.getMessage());
                    return;
                }
                PendingReceipt p = receipts.remove(id);
                if (p != null) {
                    p.timeout().cancel(false);
                    config.metrics().receiptReceived(System.nanoTime() - p.startNanos());
                    p.future().complete(null);
                }
            }
            case MESSAGE -> deliver(c, frame);
            default -> log.warn("ignoring unexpected {} from {}", frame.command(), c.broker);
        }
    }

    /** Why the connection went, and the receipts that failed with it. */
    private record Lost(Throwable cause, List<String> receipts) {
    }

    private void activate(Conn c, CompletableFuture<AsyncStompClient> result, Lost lost) {
        if (state != State.CONNECTING && state != State.RECONNECTING) {
            c.ending = true;
            c.channel.close();
            result.completeExceptionally(new StompConnectionException("connecting abandoned: " + state.name().toLowerCase()));
            return;
        }
        epoch++;
        c.epoch = epoch;
        conn = c;
        negotiatedVersion = c.version;
        state = State.CONNECTED;
        config.metrics().connectionOpened();
        c.channel.closeFuture().addListener(f -> config.metrics().connectionClosed());
        long now = millis();
        session.sent(now);
        session.received(now);
        List<String> replayed = new ArrayList<>();
        for (dev.stompbox.protocol.session.Subscription s : session.replay()) {
            Subscribe again = session.subscribe(s.destination(), s.headers(), null, s.context());
            write(c, again.frame(), null);
            replayed.add(again.token().value());
        }
        List<String> resent = new ArrayList<>();
        if (session.atLeastOnce()) {
            for (StompFrame f : session.resend()) {
                write(c, f, null);
                resent.add(f.header(StompHeaders.RECEIPT));
            }
        }
        if (!resent.isEmpty()) {
            config.metrics().sendsResent(resent.size());
        }
        if (ticker == null) {
            ticker = loop.scheduleWithFixedDelay(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
        }
        log.info("connected to {} (STOMP {}, heart-beats {} ms out / {} ms in{})", c.broker, c.version,
                session.clientHeartBeat(), session.serverHeartBeat(), resent.isEmpty() ? "" : ", re-sent " + resent.size() + " SEND(s)");
        drain();
        result.complete(this);
        if (lost == null) {
            notifyListener(l -> l.connected(c.broker));
        } else {
            notifyListener(l -> l.reconnected(c.broker, replayed, lost.receipts(), resent));
        }
    }

    // -- sending ----------------------------------------------------------------------------------

    /** A text SEND (UTF-8); completes once written. */
    public CompletableFuture<Void> send(String destination, String body) {
        return send(destination, body.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    /**
     * A SEND with a copy of {@code body}. Completes once written, or, when {@code headers} ask for a
     * {@code receipt}, once that RECEIPT arrived (failing on its timeout or on connection loss).
     */
    public CompletableFuture<Void> send(String destination, byte[] body, Map<String, String> headers) {
        Map<String, String> hs = new LinkedHashMap<>(headers);
        String receipt = hs.remove(StompHeaders.RECEIPT);
        if (config.atLeastOnce() && !hs.containsKey(StompHeaders.TRANSACTION)) {
            try {
                return publish(Commands.send(destination, body, hs, receipt != null ? receipt : newReceiptId()));
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        return command(receipt, (s, rid) -> s.send(destination, body, hs, rid));
    }

    /** Sends a SEND frame built by the caller (a body adopted without copying, for instance). */
    public CompletableFuture<Void> send(StompFrame frame) {
        String receipt = frame.header(StompHeaders.RECEIPT);
        if (config.atLeastOnce() && frame.command() == StompCommand.SEND && frame.header(StompHeaders.TRANSACTION) == null) {
            if (frame.header(StompHeaders.DESTINATION) == null) {
                return CompletableFuture.failedFuture(new StompProtocolException("Expected a SEND frame with a destination, got ["
                        + frame.info() + "]"));
            }
            return publish(receipt != null ? frame : frame.withAddedHeader(StompHeaders.RECEIPT, newReceiptId()));
        }
        return command(receipt, (s, rid) -> s.send(frame));
    }

    CompletableFuture<Void> sendInTransaction(String transaction, long txEpoch, String destination, byte[] body,
                                              Map<String, String> headers) {
        Map<String, String> hs = new LinkedHashMap<>(headers);
        String receipt = hs.remove(StompHeaders.RECEIPT);
        hs.put(StompHeaders.TRANSACTION, transaction);
        return command(receipt, (s, rid) -> {
            requireEpoch(transaction, txEpoch);
            return s.send(destination, body, hs, rid);
        });
    }

    private void requireEpoch(String transaction, long txEpoch) {
        if (txEpoch != epoch) {
            throw new StompConnectionException("transaction " + transaction + " was lost with the connection it began on");
        }
    }

    private String newReceiptId() {
        return receiptPrefix + receiptIds.incrementAndGet();
    }

    /**
     * At-least-once: takes a window permit on the caller's thread (never blocking the event loop),
     * then, on the loop, writes the SEND when connected or leaves it queued in the session while
     * reconnecting. Either way the session keeps it until its RECEIPT, and {@link #activate}
     * writes what is kept again before anything new.
     */
    private CompletableFuture<Void> publish(StompFrame frame) {
        String rid = frame.header(StompHeaders.RECEIPT);
        long start = System.nanoTime();
        Duration room = config.writeTimeout(); // a full window blocks like a full socket would
        boolean onLoop = loop.inEventLoop();
        int kib = (int) Math.min(windowKibSize, (frame.bodyLength() + 1023L) / 1024);
        String within = onLoop ? " from the event loop, which must not wait" : " within " + room.toMillis() + " ms";
        boolean counted = false;
        try {
            long deadline = System.nanoTime() + room.toNanos();
            boolean got = onLoop ? window.tryAcquire() : window.tryAcquire(room.toNanos(), TimeUnit.NANOSECONDS);
            if (!got) {
                return CompletableFuture.failedFuture(new StompReceiptTimeoutException(rid, onLoop ? Duration.ZERO : room,
                        "No room to send '" + rid + "'" + within + ": " + config.maxUnreceipted()
                                + " SENDs already await their RECEIPT (maxUnreceipted)"));
            }
            counted = true;
            got = onLoop ? windowKib.tryAcquire(kib) : windowKib.tryAcquire(kib, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (!got) {
                window.release();
                return CompletableFuture.failedFuture(new StompReceiptTimeoutException(rid, onLoop ? Duration.ZERO : room,
                        "No room to send '" + rid + "'" + within + ": the SENDs awaiting their RECEIPT already hold close to "
                                + config.maxUnreceiptedBytes() + " bytes (maxUnreceiptedBytes)"));
            }
        } catch (InterruptedException e) {
            if (counted) {
                window.release();
            }
            Thread.currentThread().interrupt();
            return CompletableFuture.failedFuture(new StompConnectionException("interrupted while waiting for room to send " + rid, e));
        }
        CompletableFuture<Void> result = new CompletableFuture<>();
        result.whenComplete((v, t) -> {
            window.release();
            windowKib.release(kib);
        });
        try {
            loop.execute(() -> {
                Conn c = conn;
                try {
                    if (state == State.CONNECTED && c != null) {
                        session.send(frame);
                        write(c, frame, null); // a failed write loses the connection; the SEND is kept
                    } else if (state == State.RECONNECTING) {
                        session.queue(frame);
                        log.debug("queued {} until the connection is back", rid);
                    } else {
                        result.completeExceptionally(new StompConnectionException("not connected (" + state.name().toLowerCase() + ")"));
                        return;
                    }
                } catch (RuntimeException e) {
                    result.completeExceptionally(e);
                    return;
                }
                track(rid, result, Math.max(0, start + config.receiptTimeout().toNanos() - System.nanoTime()));
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(new StompConnectionException("client closed", e));
        }
        return result;
    }

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
            subscriptions.put(sub.token(), made[0]);
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
            subscriptions.remove(subscription.token());
            return s.unsubscribe(subscription.token(), rid);
        });
    }

    /** Begins a transaction; completes once BEGIN is written. */
    public CompletableFuture<AsyncTransaction> begin() {
        String[] id = new String[1];
        long[] began = new long[1];
        return command(null, (s, rid) -> {
            StompFrame f = s.begin(null, rid);
            id[0] = f.header(StompHeaders.TRANSACTION);
            began[0] = epoch;
            return f;
        }).thenApply(v -> new AsyncTransaction(this, id[0], began[0]));
    }

    CompletableFuture<Void> finishTransaction(String transaction, long txEpoch, boolean commit) {
        String receipt = "stompbox-" + instance + "-tx-" + receiptIds.incrementAndGet();
        return command(receipt, (s, rid) -> {
            requireEpoch(transaction, txEpoch);
            return commit ? s.commit(transaction, rid) : s.abort(transaction, rid);
        });
    }

    @FunctionalInterface
    private interface Command {
        StompFrame build(StompSession session, String receiptId);
    }

    private CompletableFuture<Void> command(String receipt, Command command) {
        CompletableFuture<Void> result = new CompletableFuture<>();
        loop.execute(() -> {
            Conn c = conn;
            if (state != State.CONNECTED || c == null) {
                result.completeExceptionally(new StompConnectionException("not connected (" + state.name().toLowerCase() + ")"));
                return;
            }
            StompFrame frame;
            try {
                frame = command.build(session, receipt);
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
                return;
            }
            write(c, frame, receipt == null ? result : null);
            if (receipt != null) {
                track(receipt, result);
            }
        });
        return result;
    }

    private void track(String receipt, CompletableFuture<Void> future) {
        track(receipt, future, config.receiptTimeout().toNanos());
    }

    private void track(String receipt, CompletableFuture<Void> future, long timeoutNanos) {
        ScheduledFuture<?> timeout = loop.schedule(() -> {
            PendingReceipt p = receipts.remove(receipt);
            if (p != null) {
                session.cancelReceipt(receipt);
                config.metrics().receiptTimedOut();
                p.future().completeExceptionally(new StompReceiptTimeoutException(receipt, config.receiptTimeout()));
            }
        }, timeoutNanos, TimeUnit.NANOSECONDS);
        receipts.put(receipt, new PendingReceipt(future, timeout, System.nanoTime()));
    }

    /** Writes now when the channel is writable, else queues the write for at most the write timeout. */
    private void write(Conn c, StompFrame frame, CompletableFuture<Void> written) {
        if (log.isDebugEnabled()) {
            log.debug(">>> {}", frame.info());
        }
        byte[] bytes = StompEncoder.of(c.version).encode(frame);
        config.metrics().frameSent(frame.command(), bytes.length);
        Object message = wire(c, bytes);
        session.sent(millis());
        if (c.channel.isWritable() && unwritable.isEmpty()) {
            c.channel.writeAndFlush(message).addListener(f -> complete(written, f.cause()));
            return;
        }
        unwritable.add(new PendingWrite(message, written, System.nanoTime() + config.writeTimeout().toNanos()));
    }

    private void flushUnwritable(Conn c) {
        while (!unwritable.isEmpty() && c.channel.isWritable()) {
            PendingWrite w = unwritable.poll();
            c.channel.writeAndFlush(w.message()).addListener(f -> complete(w.written(), f.cause()));
        }
    }

    private static void complete(CompletableFuture<Void> future, Throwable error) {
        if (future == null) {
            return;
        }
        if (error == null) {
            future.complete(null);
        } else {
            future.completeExceptionally(new StompConnectionException("write failed: " + error.getMessage(), error));
        }
    }

    // -- delivering -------------------------------------------------------------------------------

    private void deliver(Conn c, StompFrame frame) {
        AsyncSubscription sub;
        try {
            sub = session.message(frame).map(s -> subscriptions.get(s.token())).orElse(null);
        } catch (StompProtocolException e) {
            log.warn("dropping invalid MESSAGE: {}", e.getMessage());
            sub = null;
        }
        if (sub == null) {
            unknownSubscriptionMessages.incrementAndGet();
            return;
        }
        long bytes = frame.bodyLength() + 64L * frame.headerCount();
        pending.add(new Delivery(frame, sub, c.epoch, bytes));
        pendingBytes += bytes;
        if (sub.waiting++ == 0) {
            subscriptionsWaiting++;
        }
        drain();
    }

    /**
     * Hands pending messages to handlers, in order per subscription, as far as the bounds allow;
     * reading stops while anything is left waiting.
     */
    private void drain() {
        // Runs after every message and every finished handler, so it must not walk the whole queue
        // each time: it stops as soon as every subscription that has messages waiting is at its
        // concurrency limit (with one subscription: at the first blocked message).
        Set<AsyncSubscription> blocked = null;
        Iterator<Delivery> it = pending.iterator();
        while (state != State.DISCONNECTING && it.hasNext() && inFlight < config.maxConcurrency()) {
            Delivery d = it.next();
            drainSteps++;
            AsyncSubscription s = d.subscription();
            if ((blocked != null && blocked.contains(s)) || s.inFlight() >= s.options().concurrency()) {
                if (blocked == null) {
                    blocked = Collections.newSetFromMap(new IdentityHashMap<>());
                }
                blocked.add(s);
                if (blocked.size() == subscriptionsWaiting) {
                    break;
                }
                continue;
            }
            it.remove();
            pendingBytes -= d.bytes();
            if (--s.waiting == 0) {
                subscriptionsWaiting--;
            }
            dispatch(d);
        }
        bufferedBytes = pendingBytes;
        Conn c = conn;
        if (c == null || c.channel == null) {
            return;
        }
        boolean pause = pending.size() >= config.maxBufferedMessages();
        if (pause != c.paused) {
            c.paused = pause;
            c.channel.config().setAutoRead(!pause);
            if (!pause) {
                session.received(millis()); // beats that waited in the socket are read now
                c.channel.read();
            }
        }
    }

    /** Waiting messages looked at by the dispatcher so far (read on the event loop); for tests of linearity. */
    long drainSteps() {
        try {
            return loop.submit(() -> drainSteps).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Drops the waiting messages {@code which} selects and recounts what drain() relies on. */
    private void forgetPending(java.util.function.Predicate<Delivery> which) {
        for (Delivery d : pending) {
            d.subscription().waiting = 0;
        }
        pending.removeIf(which);
        subscriptionsWaiting = 0;
        pendingBytes = 0;
        for (Delivery d : pending) {
            pendingBytes += d.bytes();
            if (d.subscription().waiting++ == 0) {
                subscriptionsWaiting++;
            }
        }
        bufferedBytes = pendingBytes;
    }

    private void dispatch(Delivery d) {
        AsyncSubscription s = d.subscription();
        s.inFlight(s.inFlight() + 1);
        inFlight++;
        StompMetrics metrics = config.metrics();
        metrics.messageDelivered();
        Runnable run = () -> {
            metrics.handlerStarted();
            long started = System.nanoTime();
            CompletionStage<?> stage;
            try {
                stage = s.handler().handle(this, d.frame());
            } catch (Throwable t) {
                stage = CompletableFuture.failedFuture(t);
            }
            if (stage == null) {
                metrics.handlerFinished(System.nanoTime() - started, true);
                onLoop(() -> finished(d, null));
            } else {
                stage.whenComplete((v, t) -> {
                    metrics.handlerFinished(System.nanoTime() - started, t == null);
                    onLoop(() -> finished(d, unwrap(t)));
                });
            }
        };
        Executor where = s.options().onEventLoop() ? loop : s.options().executor() != null ? s.options().executor() : executor;
        try {
            where.execute(run);
        } catch (RuntimeException e) {
            onLoop(() -> finished(d, e));
        }
    }

    /**
     * Runs {@code task} on the event loop; from a handler's thread, after the client was closed and
     * its loop ended, there is nothing left to run it against (the connection, and with it the ack,
     * is gone: the broker redelivers), so it is dropped rather than thrown at the handler's thread.
     */
    private void onLoop(Runnable task) {
        try {
            loop.execute(task);
        } catch (RejectedExecutionException e) {
            log.debug("event loop ended; dropping a handler's completion");
        }
    }

    private static Throwable unwrap(Throwable t) {
        return t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
    }

    private void finished(Delivery d, Throwable error) {
        AsyncSubscription s = d.subscription();
        s.inFlight(s.inFlight() - 1);
        inFlight--;
        if (error == null) {
            settle(d, false);
        } else {
            failed(d, error);
        }
        drain();
        if (state == State.DISCONNECTING && inFlight == 0 && shutdown != null) {
            shutdown.run();
        }
    }

    /** ACKs (or NACKs) a message of the current connection in a client ack mode; never one of an earlier connection. */
    private void settle(Delivery d, boolean nack) {
        if (d.subscription().ackMode() == AckMode.AUTO) {
            return;
        }
        Conn c = conn;
        if (d.epoch() != epoch || c == null || (state != State.CONNECTED && state != State.DISCONNECTING)) {
            log.debug("not acking {}: it came on an earlier connection", d.frame().header(StompHeaders.MESSAGE_ID));
            return;
        }
        write(c, nack ? session.nack(d.frame(), null) : session.ack(d.frame(), null), null);
        if (nack) {
            config.metrics().messageNacked();
        } else {
            config.metrics().messageAcked();
        }
    }

    private void failed(Delivery d, Throwable error) {
        AsyncSubscription s = d.subscription();
        SubscriptionOptions o = s.options();
        log.warn("handler of {} failed on message {}: {}", s, d.frame().header(StompHeaders.MESSAGE_ID), error.toString());
        if (o.onMessageFailed() != null) {
            CompletionStage<?> stage;
            try {
                stage = o.onMessageFailed().onMessageFailed(this, d.frame(), error);
            } catch (Throwable t) {
                stage = CompletableFuture.failedFuture(t);
            }
            (stage == null ? CompletableFuture.completedFuture(null) : stage).whenComplete((v, t) -> loop.execute(() -> {
                if (t == null) {
                    settle(d, false);
                } else {
                    disconnectOnError(unwrap(t));
                }
            }));
            return;
        }
        if (config.alwaysDisconnectOnUnhandledMessage() || (o.errorDestination() == null && !o.nackOnError())) {
            disconnectOnError(error);
            return;
        }
        if (o.errorDestination() != null) {
            forward(d, error);
            return;
        }
        if (session.version() == StompVersion.V1_0) {
            disconnectOnError(error); // 1.0 has no NACK: disconnecting is how it says no
            return;
        }
        settle(d, true);
    }

    /** The poison-pill scheme: the failed message goes to the error destination, then is acked once the broker has it. */
    private void forward(Delivery d, Throwable error) {
        StompFrame f = d.frame();
        StompFrame.Builder b = StompFrame.builder(StompCommand.SEND).header(StompHeaders.DESTINATION, d.subscription().options().errorDestination());
        for (Header h : f.headers()) {
            if (!NOT_FORWARDED.contains(h.name()) && !h.name().startsWith("stompbox-error")) {
                b.header(h);
            }
        }
        String receipt = "stompbox-" + instance + "-error-" + receiptIds.incrementAndGet();
        b.header("stompbox-error", String.valueOf(error).replace('\n', ' '))
                .header("stompbox-error-original-destination", f.header(StompHeaders.DESTINATION, ""))
                .header("stompbox-error-original-message-id", f.header(StompHeaders.MESSAGE_ID, ""))
                .header(StompHeaders.RECEIPT, receipt)
                .bodyWithoutCopy(f.bodyBuffer());
        CompletableFuture<Void> forwarded = command(receipt, (s, rid) -> s.send(b.build()));
        forwarded.whenComplete((v, t) -> loop.execute(() -> {
            if (t == null) {
                config.metrics().messageForwarded();
                settle(d, false);
            } else {
                disconnectOnError(new StompConnectionException("could not forward a failed message to "
                        + d.subscription().options().errorDestination() + ": " + unwrap(t).getMessage(), unwrap(t)));
            }
        }));
    }

    private void disconnectOnError(Throwable cause) {
        if (state == State.CONNECTED) {
            gracefulDisconnect(cause);
        }
    }

    // -- disconnecting ----------------------------------------------------------------------------

    private Runnable shutdown;

    /**
     * Disconnects gracefully: no new message is handed to a handler (those waiting are not acked,
     * so the broker redelivers them), running handlers get up to the disconnect timeout (those that
     * do not finish are reported), then DISCONNECT with a receipt, a bounded wait for it, and the
     * socket closes. The future completes when closed.
     */
    public CompletableFuture<Void> disconnect() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        loop.execute(() -> {
            if (state == State.CONNECTED) {
                gracefulDisconnect(null);
            } else if (state != State.DISCONNECTING) {
                if (state == State.RECONNECTING) {
                    // The reconnect sees the new state only at its next attempt, after its back-off:
                    // what waits for it (kept at-least-once SENDs among it) fails now, not then.
                    session.dropUnreceipted();
                    failReceipts(new StompConnectionException("disconnected while reconnecting"));
                }
                state = State.DISCONNECTED;
                disconnected.complete(null);
            }
            disconnected.whenComplete((v, t) -> done.complete(null));
        });
        return done;
    }

    private void gracefulDisconnect(Throwable cause) {
        Conn c = conn;
        state = State.DISCONNECTING;
        long deadline = System.nanoTime() + config.disconnectTimeout().toNanos();
        ScheduledFuture<?> handlersTimeout = loop.schedule(() -> {
            if (shutdown != null) {
                log.warn("{} handler(s) did not finish within the disconnect timeout of {} ms; disconnecting anyway",
                        inFlight, config.disconnectTimeout().toMillis());
                unfinishedHandlers = inFlight;
                shutdown.run();
            }
        }, config.disconnectTimeout().toNanos(), TimeUnit.NANOSECONDS);
        shutdown = () -> {
            shutdown = null;
            handlersTimeout.cancel(false);
            forgetPending(d -> true);
            String receipt = "stompbox-" + instance + "-bye-" + receiptIds.incrementAndGet();
            CompletableFuture<Void> bye = new CompletableFuture<>();
            try {
                write(c, session.disconnect(receipt), null);
                track(receipt, bye);
            } catch (RuntimeException e) {
                bye.completeExceptionally(e);
            }
            long left = Math.max(1, deadline - System.nanoTime() + config.disconnectTimeout().toNanos());
            ScheduledFuture<?> byeTimeout = loop.schedule(() -> bye.completeExceptionally(
                    new StompReceiptTimeoutException(receipt, config.disconnectTimeout())), left, TimeUnit.NANOSECONDS);
            bye.whenComplete((v, t) -> loop.execute(() -> {
                byeTimeout.cancel(false);
                if (t != null) {
                    log.warn("no receipt for DISCONNECT from {}: {}", c.broker, unwrap(t).getMessage());
                }
                finish(c, cause);
            }));
        };
        if (inFlight == 0) {
            shutdown.run();
        }
    }

    private volatile int unfinishedHandlers;

    /** Handlers still running when the last graceful disconnect gave up waiting for them. */
    public int unfinishedHandlers() {
        return unfinishedHandlers;
    }

    private void finish(Conn c, Throwable cause) {
        c.ending = true;
        c.channel.close();
        state = State.DISCONNECTED;
        conn = null;
        session.close(true);
        subscriptions.clear();
        failReceipts(new StompConnectionException("disconnected"));
        stopTicker();
        log.info("disconnected from {}{}", c.broker, cause == null ? "" : " after an error: " + cause.getMessage());
        if (cause == null) {
            disconnected.complete(null);
        } else {
            disconnected.completeExceptionally(cause);
        }
    }

    private void stopTicker() {
        if (ticker != null) {
            ticker.cancel(false);
            ticker = null;
        }
    }

    /** Closes at once (no graceful shutdown) and releases the client's threads. */
    public void close() {
        Runnable closing = () -> {
            Conn c = conn;
            if (c != null) {
                c.ending = true;
                c.channel.close();
            }
            if (state != State.DISCONNECTED) {
                state = State.DISCONNECTED;
                failReceipts(new StompConnectionException("client closed"));
                disconnected.complete(null);
            }
            stopTicker();
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

    // -- losing and reconnecting ------------------------------------------------------------------

    private void lose(Conn c, Throwable cause) {
        if (c != conn || (state != State.CONNECTED && state != State.DISCONNECTING)) {
            c.ending = true;
            if (c.channel != null) {
                c.channel.close();
            }
            return;
        }
        c.ending = true;
        c.channel.close();
        log.warn("connection to {} lost: {}", c.broker, cause.getMessage());
        boolean recovering = state != State.DISCONNECTING && config.autoReconnect();
        if (!recovering) {
            session.dropUnreceipted();
        }
        // At-least-once SENDs the session keeps are re-sent after the reconnect, not failed.
        List<String> failed = failReceipts(new StompConnectionException("connection lost before the RECEIPT: "
                + cause.getMessage(), cause), id -> !session.isKept(id));
        for (PendingWrite w : unwritable) {
            ReferenceCountUtil.release(w.message());
            complete(w.written(), cause);
        }
        unwritable.clear();
        // Messages read but never handed out are not acked: the broker redelivers those that need an ack.
        forgetPending(d -> d.subscription().ackMode() != AckMode.AUTO);
        session.close(false);
        conn = null;
        notifyListener(l -> l.connectionLost(cause));
        if (state == State.DISCONNECTING || !config.autoReconnect()) {
            state = State.DISCONNECTED;
            shutdown = null;
            stopTicker();
            disconnected.completeExceptionally(cause);
            return;
        }
        state = State.RECONNECTING;
        CompletableFuture<AsyncStompClient> again = new CompletableFuture<>();
        again.whenComplete((v, t) -> {
            if (t != null) {
                loop.execute(() -> {
                    log.error("reconnect failed: {}", t.getMessage());
                    if (state == State.RECONNECTING) {
                        state = State.DISCONNECTED;
                    }
                    session.dropUnreceipted();
                    failReceipts(t instanceof StompException ? (StompException) t
                            : new StompConnectionException("reconnect failed: " + t.getMessage(), t));
                    stopTicker();
                    notifyListener(l -> l.reconnectFailed(t));
                    disconnected.completeExceptionally(t);
                });
            }
        });
        attempt(schedule.iterator(), null, again, new Lost(cause, failed));
    }

    private void failReceipts(StompException cause) {
        failReceipts(cause, id -> true);
    }

    /** Fails the pending receipts {@code which} selects; returns their ids, oldest first. */
    private List<String> failReceipts(StompException cause, Predicate<String> which) {
        List<String> failed = new ArrayList<>();
        for (Iterator<Map.Entry<String, PendingReceipt>> it = receipts.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, PendingReceipt> e = it.next();
            if (which.test(e.getKey())) {
                it.remove();
                e.getValue().timeout().cancel(false);
                e.getValue().future().completeExceptionally(cause);
                failed.add(e.getKey());
            }
        }
        return failed;
    }

    private void tick() {
        Conn c = conn;
        if (c == null || state != State.CONNECTED && state != State.DISCONNECTING) {
            return;
        }
        long now = millis();
        long stuck = c.unwritableSince == 0 ? 0 : System.nanoTime() - c.unwritableSince;
        if (stuck > config.writeTimeout().toNanos()) {
            // Written bytes the broker will not read: no bound on them but closing the connection.
            lose(c, new StompConnectionException("channel not writable for " + config.writeTimeout().toMillis()
                    + " ms: " + c.broker + " is not reading"));
            return;
        }
        if (!c.paused && session.serverOverdue(now)) {
            config.metrics().heartBeatMissed();
            lose(c, new StompConnectionException("server silent for " + (now - session.lastReceived()) + " ms (heart-beat every "
                    + session.serverHeartBeat() + " ms, grace " + config.graceFactor() + "x)"));
            return;
        }
        if (session.millisUntilBeat(now) <= TICK_MILLIS && c.channel.isWritable()) {
            c.channel.writeAndFlush(wire(c, StompEncoder.heartBeat()));
            session.sent(now);
        }
        long nowNanos = System.nanoTime();
        while (!unwritable.isEmpty() && nowNanos - unwritable.peek().deadlineNanos() > 0) {
            PendingWrite w = unwritable.poll();
            ReferenceCountUtil.release(w.message());
            if (w.written() != null) {
                w.written().completeExceptionally(new StompConnectionException("channel not writable for "
                        + config.writeTimeout().toMillis() + " ms; send dropped"));
            }
        }
    }

    private void notifyListener(java.util.function.Consumer<AsyncConnectionListener> call) {
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
        return "AsyncStompClient[" + config.uri() + ", " + state.name().toLowerCase() + "]";
    }

    /** How long a pending write may wait for writability; exposed for tests of the bound. */
    Duration writeTimeout() {
        return config.writeTimeout();
    }
}
