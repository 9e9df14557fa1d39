package dev.stompbox.async;

import dev.stompbox.async.internal.OwnedReads;
import dev.stompbox.protocol.StompConnectionException;
import dev.stompbox.protocol.failover.BrokerAddress;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import java.net.URI;
import java.time.Duration;

/**
 * Opens one channel to one broker over TCP, TLS or WebSocket and reports what happens on it, on the
 * event loop: ready once STOMP can flow (after the TLS and WebSocket handshakes), bytes read, and
 * the end. What the bytes mean is the connection engine's business.
 */
final class ChannelOpener {
    private static final String[] SUBPROTOCOLS = {"v12.stomp", "v11.stomp", "v10.stomp"};
    /**
     * Heap buffers for reads: the parser works on their arrays in place, so a frame's body is the
     * one copy made at the Netty boundary (direct buffers would need a second).
     */
    private static final PooledByteBufAllocator HEAP = new PooledByteBufAllocator(false);

    /** What happens on a channel; every call on the event loop. */
    interface Events {
        void ready(int conn, Channel channel);

        void openFailed(int conn, Throwable cause);

        /**
         * Bytes read; {@code owned} when the buffer's array is the client's to keep (see
         * {@link OwnedReads}): it is released after this returns, but its array is never reused.
         */
        void read(int conn, ByteBuf content, boolean owned);

        void ended(int conn, Throwable cause);
    }

    private final AsyncStompClientConfig config;
    private final EventLoop loop;
    private final Events events;

    ChannelOpener(AsyncStompClientConfig config, EventLoop loop, Events events) {
        this.config = config;
        this.loop = loop;
        this.events = events;
    }

    /** Wraps encoded bytes as the channel expects them (a WebSocket frame over WebSocket). */
    static Object wire(BrokerAddress broker, ByteBuf buf) {
        return broker.webSocket() ? new BinaryWebSocketFrame(buf) : buf;
    }

    /** No TLS and no WebSocket: what the client reads is what the socket read. */
    private static boolean plain(BrokerAddress broker) {
        return !broker.secure() && !broker.webSocket();
    }

    /** Starts opening; returns the channel, whose close ends the attempt. */
    Channel open(int conn, BrokerAddress broker, Duration timeout) {
        boolean[] ready = new boolean[1];
        Bootstrap b = new Bootstrap().group(loop).channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis())))
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOCATOR, HEAP)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.RECVBUF_ALLOCATOR, plain(broker) ? OwnedReads.INSTANCE : new AdaptiveRecvByteBufAllocator())
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) throws Exception {
                        pipeline(ch, conn, broker, timeout, ready);
                    }
                });
        return b.connect(broker.host(), broker.port()).addListener(f -> {
            if (!f.isSuccess()) {
                events.openFailed(conn, f.cause());
            }
        }).channel();
    }

    private void pipeline(SocketChannel ch, int conn, BrokerAddress broker, Duration timeout, boolean[] ready) throws Exception {
        ChannelPipeline p = ch.pipeline();
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
            ssl.setHandshakeTimeoutMillis(timeout.toMillis());
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
                    .handshakeTimeoutMillis(timeout.toMillis())
                    .build()));
            p.addLast(new WebSocketFrameAggregator(config.parserLimits().maxFrameSize()));
        }
        SslHandler tls = ssl;
        // Flushing once per burst of frames queued on the event loop saves a system call (and a TLS
        // record) per frame under load, and delays nothing when a frame comes alone.
        p.addLast("flush", new FlushConsolidationHandler(FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true));
        p.addLast("stomp", new ChannelInboundHandlerAdapter() {
            private void ready(Channel channel) {
                ready[0] = true;
                events.ready(conn, channel);
            }

            private void failed(Throwable cause) {
                if (ready[0]) {
                    events.ended(conn, cause);
                } else {
                    events.openFailed(conn, cause);
                }
            }

            @Override
            public void channelActive(ChannelHandlerContext ctx) throws Exception {
                if (!broker.webSocket()) {
                    if (tls == null) {
                        ready(ctx.channel());
                    } else {
                        tls.handshakeFuture().addListener(f -> {
                            if (f.isSuccess()) {
                                ready(ctx.channel());
                            } else {
                                failed(f.cause());
                            }
                        });
                    }
                }
                super.channelActive(ctx);
            }

            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
                if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                    ready(ctx.channel());
                } else if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
                    failed(new StompConnectionException("WebSocket handshake with " + broker + " timed out"));
                }
                super.userEventTriggered(ctx, evt);
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                try {
                    if (msg instanceof ByteBuf) {
                        events.read(conn, (ByteBuf) msg, OwnedReads.owns((ByteBuf) msg));
                    } else if (msg instanceof BinaryWebSocketFrame || msg instanceof TextWebSocketFrame) {
                        events.read(conn, ((WebSocketFrame) msg).content(), false);
                    }
                } finally {
                    ReferenceCountUtil.release(msg);
                }
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) throws Exception {
                failed(new StompConnectionException("connection to " + broker + (ready[0] ? " lost" : " closed")));
                super.channelInactive(ctx);
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                failed(new StompConnectionException("connection to " + broker + " failed: " + cause.getMessage(), cause));
                ctx.close();
            }
        });
    }
}
