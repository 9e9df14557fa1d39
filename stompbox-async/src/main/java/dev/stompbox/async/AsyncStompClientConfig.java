package dev.stompbox.async;

import dev.stompbox.protocol.connection.ConnectionConfig;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;

import java.util.concurrent.Executor;

/**
 * The settings of an {@link AsyncStompClient}: those both clients share (see
 * {@link ConnectionConfig} for them and their defaults) and the asynchronous client's own.
 * Immutable; {@link #toString()} never shows the passcode.
 *
 * <table>
 *   <caption>The asynchronous client's own settings</caption>
 *   <tr><th>setting</th><th>default</th></tr>
 *   <tr><td>maxConcurrency (handlers running at once, all subscriptions)</td><td>256</td></tr>
 *   <tr><td>maxBufferedMessages (waiting for a handler before reading stops)</td><td>1000</td></tr>
 *   <tr><td>executor (where handlers run)</td><td>the resources', else a pool of the client's own of up to {@code maxConcurrency} threads, a thread made only when every one is busy and ended after a minute idle</td></tr>
 *   <tr><td>resources (threads shared by many clients)</td><td>none</td></tr>
 *   <tr><td>eventLoopGroup</td><td>the resources', else a single-threaded one of the client's own</td></tr>
 *   <tr><td>nettySslContext</td><td>none (built from sslContext)</td></tr>
 *   <tr><td>alwaysDisconnectOnUnhandledMessage</td><td>off</td></tr>
 * </table>
 *
 * <pre>{@code
 * AsyncStompClientConfig config = AsyncStompClientConfig.builder("ws://localhost:15674/ws")
 *         .login("guest").passcode("guest")
 *         .maxConcurrency(64)
 *         .autoReconnect(true)
 *         .build();
 * }</pre>
 */
public final class AsyncStompClientConfig extends ConnectionConfig {
    private final int maxConcurrency;
    private final int maxBufferedMessages;
    private final Executor executor;
    private final SslContext nettySslContext;
    private final boolean alwaysDisconnectOnUnhandledMessage;
    private final EventLoopGroup eventLoopGroup;
    private final AsyncStompResources resources;

    private AsyncStompClientConfig(Builder b) {
        super(b);
        maxConcurrency = b.maxConcurrency;
        maxBufferedMessages = b.maxBufferedMessages;
        executor = b.executor;
        nettySslContext = b.nettySslContext;
        alwaysDisconnectOnUnhandledMessage = b.alwaysDisconnectOnUnhandledMessage;
        eventLoopGroup = b.eventLoopGroup;
        resources = b.resources;
    }

    public static Builder builder(String uri) {
        return new Builder(uri);
    }

    /** A builder holding every setting of this configuration, to change some of them. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Handlers of all subscriptions running at once (default 256). */
    public int maxConcurrency() {
        return maxConcurrency;
    }

    /**
     * MESSAGEs read but waiting for a free handler before the client stops reading the socket
     * (default 1000). RECEIPTs share the stream: while reading is stopped they wait too.
     */
    public int maxBufferedMessages() {
        return maxBufferedMessages;
    }

    /**
     * Where handlers run unless their subscription says otherwise; {@code null}: the resources', else the
     * client's own pool of up to {@code maxConcurrency} threads, made only when every one is busy.
     */
    public Executor executor() {
        return executor;
    }

    /** A Netty TLS context to use as is, or {@code null} to build one from {@code sslContext}. */
    public SslContext nettySslContext() {
        return nettySslContext;
    }

    /** The 1.x behaviour: a failed handler disconnects even when an error destination is set. */
    public boolean alwaysDisconnectOnUnhandledMessage() {
        return alwaysDisconnectOnUnhandledMessage;
    }

    /** A shared Netty group to run on, or {@code null} for a single-threaded one of the client's own. */
    public EventLoopGroup eventLoopGroup() {
        return eventLoopGroup;
    }

    /**
     * Threads shared with other clients, or {@code null}. The client runs on their event loop group
     * and hands handlers to their executor, unless {@link #eventLoopGroup()} or {@link #executor()}
     * name others; it never shuts them down.
     */
    public AsyncStompResources resources() {
        return resources;
    }

    /** Builds an {@link AsyncStompClientConfig}; see the class documentation for the defaults. */
    public static final class Builder extends ConnectionConfig.Builder<Builder> {
        private int maxConcurrency = 256;
        private int maxBufferedMessages = 1000;
        private Executor executor;
        private SslContext nettySslContext;
        private boolean alwaysDisconnectOnUnhandledMessage;
        private EventLoopGroup eventLoopGroup;
        private AsyncStompResources resources;

        private Builder(String uri) {
            super(uri);
        }

        private Builder(AsyncStompClientConfig from) {
            super(from);
            maxConcurrency = from.maxConcurrency;
            maxBufferedMessages = from.maxBufferedMessages;
            executor = from.executor;
            nettySslContext = from.nettySslContext;
            alwaysDisconnectOnUnhandledMessage = from.alwaysDisconnectOnUnhandledMessage;
            eventLoopGroup = from.eventLoopGroup;
            resources = from.resources;
        }

        @Override
        protected Builder self() {
            return this;
        }

        public Builder maxConcurrency(int n) {
            this.maxConcurrency = atLeastOne(n, "maxConcurrency");
            return this;
        }

        public Builder maxBufferedMessages(int n) {
            this.maxBufferedMessages = atLeastOne(n, "maxBufferedMessages");
            return this;
        }

        public Builder executor(Executor executor) {
            this.executor = executor;
            return this;
        }

        public Builder nettySslContext(SslContext context) {
            this.nettySslContext = context;
            return this;
        }

        public Builder alwaysDisconnectOnUnhandledMessage(boolean on) {
            this.alwaysDisconnectOnUnhandledMessage = on;
            return this;
        }

        public Builder eventLoopGroup(EventLoopGroup group) {
            this.eventLoopGroup = group;
            return this;
        }

        /** Threads to share with other clients; see {@link AsyncStompResources}. */
        public Builder resources(AsyncStompResources resources) {
            this.resources = resources;
            return this;
        }

        /**
         * @throws IllegalArgumentException if the URI does not parse (the message lists valid options)
         */
        public AsyncStompClientConfig build() {
            return new AsyncStompClientConfig(this);
        }
    }
}
