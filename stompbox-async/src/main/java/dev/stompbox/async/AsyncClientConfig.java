package dev.stompbox.async;

import dev.stompbox.protocol.HeartBeat;
import dev.stompbox.protocol.StompVersion;
import dev.stompbox.protocol.codec.ParserLimits;
import dev.stompbox.protocol.failover.FailoverUri;
import dev.stompbox.protocol.metrics.StompMetrics;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;

import javax.net.ssl.SSLContext;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * The settings of an {@link AsyncStompClient}. Immutable; {@link #toString()} never shows the
 * passcode. Defaults match the blocking client: {@code host:/}, heart-beats 10000,10000, grace 2×,
 * connect, CONNECTED and disconnect timeouts of 10 s, receipts 30 s, a connection whose writes
 * make no progress for 30 s counted as lost; at most 4 MiB waiting to be written (a SEND beyond
 * that fails at once with {@link dev.stompbox.protocol.StompBackpressureException}); at-least-once
 * publishing off, with a window of 1000 SENDs and 64 MiB of bodies when on.
 *
 * <pre>{@code
 * AsyncClientConfig config = AsyncClientConfig.builder("ws://localhost:15674/ws")
 *         .login("guest").passcode("guest")
 *         .maxConcurrency(64)
 *         .autoReconnect(true)
 *         .build();
 * }</pre>
 */
public final class AsyncClientConfig {
    private final String uri;
    private final FailoverUri failoverUri;
    private final String login;
    private final String passcode;
    private final String virtualHost;
    private final StompVersion version;
    private final HeartBeat heartBeat;
    private final double graceFactor;
    private final Duration connectTimeout;
    private final Duration connectedTimeout;
    private final Duration disconnectTimeout;
    private final Duration receiptTimeout;
    private final Duration writeTimeout;
    private final int maxConcurrency;
    private final int maxBufferedMessages;
    private final Executor executor;
    private final ParserLimits parserLimits;
    private final SSLContext sslContext;
    private final SslContext nettySslContext;
    private final boolean hostnameVerification;
    private final boolean autoReconnect;
    private final boolean atLeastOnce;
    private final int maxUnreceipted;
    private final long maxUnreceiptedBytes;
    private final long maxPendingWriteBytes;
    private final boolean alwaysDisconnectOnUnhandledMessage;
    private final Map<String, String> connectHeaders;
    private final EventLoopGroup eventLoopGroup;
    private final AsyncConnectionListener listener;
    private final StompMetrics metrics;

    private AsyncClientConfig(Builder b) {
        uri = b.uri;
        failoverUri = FailoverUri.parse(b.uri);
        login = b.login;
        passcode = b.passcode;
        virtualHost = b.virtualHost;
        version = b.version;
        heartBeat = b.heartBeat;
        graceFactor = b.graceFactor;
        connectTimeout = b.connectTimeout;
        connectedTimeout = b.connectedTimeout;
        disconnectTimeout = b.disconnectTimeout;
        receiptTimeout = b.receiptTimeout;
        writeTimeout = b.writeTimeout;
        maxConcurrency = b.maxConcurrency;
        maxBufferedMessages = b.maxBufferedMessages;
        executor = b.executor;
        parserLimits = b.parserLimits;
        sslContext = b.sslContext;
        nettySslContext = b.nettySslContext;
        hostnameVerification = b.hostnameVerification;
        autoReconnect = b.autoReconnect;
        atLeastOnce = b.atLeastOnce;
        maxUnreceipted = b.maxUnreceipted;
        maxUnreceiptedBytes = b.maxUnreceiptedBytes;
        maxPendingWriteBytes = b.maxPendingWriteBytes;
        alwaysDisconnectOnUnhandledMessage = b.alwaysDisconnectOnUnhandledMessage;
        connectHeaders = Map.copyOf(b.connectHeaders);
        eventLoopGroup = b.eventLoopGroup;
        listener = b.listener;
        metrics = b.metrics;
    }

    public static Builder builder(String uri) {
        return new Builder(uri);
    }

    public String uri() {
        return uri;
    }

    public FailoverUri failoverUri() {
        return failoverUri;
    }

    public String login() {
        return login;
    }

    public String passcode() {
        return passcode;
    }

    public String virtualHost() {
        return virtualHost;
    }

    public StompVersion version() {
        return version;
    }

    public HeartBeat heartBeat() {
        return heartBeat;
    }

    public double graceFactor() {
        return graceFactor;
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    public Duration connectedTimeout() {
        return connectedTimeout;
    }

    public Duration disconnectTimeout() {
        return disconnectTimeout;
    }

    public Duration receiptTimeout() {
        return receiptTimeout;
    }

    public Duration writeTimeout() {
        return writeTimeout;
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

    /** Where handlers run unless their subscription says otherwise; {@code null}: the client's own bounded pool. */
    public Executor executor() {
        return executor;
    }

    public ParserLimits parserLimits() {
        return parserLimits;
    }

    public SSLContext sslContext() {
        return sslContext;
    }

    public SslContext nettySslContext() {
        return nettySslContext;
    }

    public boolean hostnameVerification() {
        return hostnameVerification;
    }

    public boolean autoReconnect() {
        return autoReconnect;
    }

    /** Whether at-least-once publishing is on; see {@link Builder#atLeastOnce(boolean)}. */
    public boolean atLeastOnce() {
        return atLeastOnce;
    }

    /** How many SENDs may await their RECEIPT at once in at-least-once mode. */
    public int maxUnreceipted() {
        return maxUnreceipted;
    }

    /** How many body bytes the SENDs awaiting their RECEIPT may hold at once in at-least-once mode. */
    public long maxUnreceiptedBytes() {
        return maxUnreceiptedBytes;
    }

    /**
     * How many encoded bytes may wait to be written per connection; at the bound a SEND fails at
     * once with {@link dev.stompbox.protocol.StompBackpressureException} and
     * {@link AsyncStompClient#whenReady()} says when there is room again.
     */
    public long maxPendingWriteBytes() {
        return maxPendingWriteBytes;
    }

    /** The 1.x behaviour: a failed handler disconnects even when an error destination is set. */
    public boolean alwaysDisconnectOnUnhandledMessage() {
        return alwaysDisconnectOnUnhandledMessage;
    }

    public Map<String, String> connectHeaders() {
        return connectHeaders;
    }

    /** A shared Netty group to run on, or {@code null} for a single-threaded one of the client's own. */
    public EventLoopGroup eventLoopGroup() {
        return eventLoopGroup;
    }

    public AsyncConnectionListener listener() {
        return listener;
    }

    /** Where the client reports its work for metrics; {@link StompMetrics#NONE} unless set. */
    public StompMetrics metrics() {
        return metrics;
    }

    @Override
    public String toString() {
        return "AsyncClientConfig[uri=" + uri + ", login=" + login + ", passcode=" + (passcode == null ? null : "***")
                + ", version=" + version + ", heartBeat=" + heartBeat + ", autoReconnect=" + autoReconnect + "]";
    }

    /** Builds an {@link AsyncClientConfig}. */
    public static final class Builder {
        private final String uri;
        private String login;
        private String passcode;
        private String virtualHost = "/";
        private StompVersion version = StompVersion.V1_2;
        private HeartBeat heartBeat = new HeartBeat(10_000, 10_000);
        private double graceFactor = 2.0;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration connectedTimeout = Duration.ofSeconds(10);
        private Duration disconnectTimeout = Duration.ofSeconds(10);
        private Duration receiptTimeout = Duration.ofSeconds(30);
        private Duration writeTimeout = Duration.ofSeconds(30);
        private int maxConcurrency = 256;
        private int maxBufferedMessages = 1000;
        private Executor executor;
        private ParserLimits parserLimits = ParserLimits.defaults();
        private SSLContext sslContext;
        private SslContext nettySslContext;
        private boolean hostnameVerification = true;
        private boolean autoReconnect;
        private boolean atLeastOnce;
        private int maxUnreceipted = 1000;
        private long maxUnreceiptedBytes = 64L * 1024 * 1024;
        private long maxPendingWriteBytes = 4L * 1024 * 1024;
        private boolean alwaysDisconnectOnUnhandledMessage;
        private final Map<String, String> connectHeaders = new LinkedHashMap<>();
        private EventLoopGroup eventLoopGroup;
        private StompMetrics metrics = StompMetrics.NONE;
        private AsyncConnectionListener listener = new AsyncConnectionListener() {
        };

        private Builder(String uri) {
            this.uri = Objects.requireNonNull(uri, "uri");
        }

        public Builder login(String login) {
            this.login = login;
            return this;
        }

        public Builder passcode(String passcode) {
            this.passcode = passcode;
            return this;
        }

        public Builder virtualHost(String virtualHost) {
            this.virtualHost = virtualHost;
            return this;
        }

        public Builder version(StompVersion version) {
            this.version = Objects.requireNonNull(version, "version");
            return this;
        }

        public Builder heartBeat(HeartBeat heartBeat) {
            this.heartBeat = Objects.requireNonNull(heartBeat, "heartBeat");
            return this;
        }

        public Builder graceFactor(double factor) {
            if (!(factor >= 1.0) || Double.isInfinite(factor)) {
                throw new IllegalArgumentException("graceFactor must be finite and at least 1: " + factor);
            }
            this.graceFactor = factor;
            return this;
        }

        public Builder connectTimeout(Duration d) {
            this.connectTimeout = positive(d, "connectTimeout");
            return this;
        }

        public Builder connectedTimeout(Duration d) {
            this.connectedTimeout = positive(d, "connectedTimeout");
            return this;
        }

        public Builder disconnectTimeout(Duration d) {
            this.disconnectTimeout = positive(d, "disconnectTimeout");
            return this;
        }

        public Builder receiptTimeout(Duration d) {
            this.receiptTimeout = positive(d, "receiptTimeout");
            return this;
        }

        public Builder writeTimeout(Duration d) {
            this.writeTimeout = positive(d, "writeTimeout");
            return this;
        }

        public Builder maxConcurrency(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("maxConcurrency must be at least 1: " + n);
            }
            this.maxConcurrency = n;
            return this;
        }

        public Builder maxBufferedMessages(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("maxBufferedMessages must be at least 1: " + n);
            }
            this.maxBufferedMessages = n;
            return this;
        }

        public Builder executor(Executor executor) {
            this.executor = executor;
            return this;
        }

        public Builder parserLimits(ParserLimits limits) {
            this.parserLimits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        public Builder sslContext(SSLContext context) {
            this.sslContext = context;
            return this;
        }

        public Builder nettySslContext(SslContext context) {
            this.nettySslContext = context;
            return this;
        }

        public Builder hostnameVerification(boolean on) {
            this.hostnameVerification = on;
            return this;
        }

        public Builder autoReconnect(boolean on) {
            this.autoReconnect = on;
            return this;
        }

        /**
         * At-least-once publishing: every SEND outside a transaction asks for a RECEIPT and its
         * future completes when the RECEIPT arrives. A SEND whose RECEIPT has not arrived when the
         * connection is lost is sent again after the reconnect (after the subscriptions are
         * replayed, before any new SEND), in order and with its original receipt id, and its future
         * does not fail: it fails when the reconnect gives up, when the broker answers it with an
         * ERROR, or when its {@linkplain #receiptTimeout(Duration) receipt timeout}, counted from
         * the call, passes. SENDs made while reconnecting wait in the same queue.
         *
         * <p>At most {@linkplain #maxUnreceipted(int) maxUnreceipted} SENDs are outstanding. Beyond
         * that, {@code send} blocks the calling thread until one is receipted, at most the
         * {@linkplain #writeTimeout(Duration) write timeout}, then returns a future failed with
         * {@link dev.stompbox.protocol.StompReceiptTimeoutException}; called on the client's event
         * loop (which must never block) it fails at once instead.
         *
         * <p>Duplicates are possible (a SEND arrived but its RECEIPT did not); loss is not. Artemis
         * and RabbitMQ copy the {@code receipt} header into the MESSAGE, so consumers can pair the
         * copies. Transactional SENDs are never re-sent: their transaction fails instead.
         */
        public Builder atLeastOnce(boolean on) {
            this.atLeastOnce = on;
            return this;
        }

        /** The at-least-once window: SENDs that may await their RECEIPT at once (default 1000). */
        public Builder maxUnreceipted(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxUnreceipted must be at least 1: " + max);
            }
            this.maxUnreceipted = max;
            return this;
        }

        /**
         * The at-least-once window in bytes: the bodies of the SENDs awaiting their RECEIPT, which
         * the client keeps for re-sending (default 64 MiB, counted in KiB). A full window blocks
         * {@code send} like a full {@link #maxUnreceipted(int) count} does. A body larger than the
         * whole window is sent once nothing else is outstanding.
         */
        public Builder maxUnreceiptedBytes(long bytes) {
            if (bytes < 1024) {
                throw new IllegalArgumentException("maxUnreceiptedBytes must be at least 1024: " + bytes);
            }
            this.maxUnreceiptedBytes = bytes;
            return this;
        }

        /** Encoded bytes that may wait to be written per connection (default 4 MiB); see {@link AsyncClientConfig#maxPendingWriteBytes()}. */
        public Builder maxPendingWriteBytes(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("maxPendingWriteBytes must be positive: " + bytes);
            }
            this.maxPendingWriteBytes = bytes;
            return this;
        }

        public Builder alwaysDisconnectOnUnhandledMessage(boolean on) {
            this.alwaysDisconnectOnUnhandledMessage = on;
            return this;
        }

        public Builder connectHeader(String name, String value) {
            connectHeaders.put(name, value);
            return this;
        }

        public Builder eventLoopGroup(EventLoopGroup group) {
            this.eventLoopGroup = group;
            return this;
        }

        public Builder listener(AsyncConnectionListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Reports connections, frames, messages, handlers, receipts and missed heart-beats to
         * {@code metrics}, for instance {@code MicrometerStompMetrics.of(registry, "orders")} from
         * the {@code stompbox-micrometer} module. Default: {@link StompMetrics#NONE}.
         */
        public Builder metrics(StompMetrics metrics) {
            this.metrics = Objects.requireNonNull(metrics, "metrics");
            return this;
        }

        public AsyncClientConfig build() {
            return new AsyncClientConfig(this);
        }

        private static Duration positive(Duration d, String name) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive: " + d);
            }
            return d;
        }
    }
}
