package dev.stompbox.protocol.connection;

import dev.stompbox.protocol.HeartBeat;
import dev.stompbox.protocol.StompVersion;
import dev.stompbox.protocol.codec.ParserLimits;
import dev.stompbox.protocol.failover.FailoverUri;
import dev.stompbox.protocol.interceptor.StompInterceptor;
import dev.stompbox.protocol.metrics.StompMetrics;
import dev.stompbox.protocol.session.StompSession;

import javax.net.ssl.SSLContext;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The connection settings both clients share, declared once: where to connect and how, the
 * timeouts, reconnecting, at-least-once publishing and the bounds on what a connection may hold.
 * Each client's configuration adds only its own settings ({@code StompClientConfig},
 * {@code AsyncStompClientConfig}). Immutable; {@link #toString()} never shows the passcode.
 *
 * <table>
 *   <caption>Shared settings and defaults</caption>
 *   <tr><th>setting</th><th>default</th></tr>
 *   <tr><td>uri</td><td>(required) {@code tcp://}, {@code ssl://}, {@code ws://}, {@code wss://} or {@code failover:(...)}</td></tr>
 *   <tr><td>login, passcode</td><td>none</td></tr>
 *   <tr><td>virtualHost (CONNECT {@code host})</td><td>{@code /}, which all three brokers accept</td></tr>
 *   <tr><td>version (highest offered)</td><td>1.2</td></tr>
 *   <tr><td>heartBeat</td><td>10000,10000 ms</td></tr>
 *   <tr><td>graceFactor (server silence tolerated)</td><td>2 × the negotiated period, plus a tenth of it (at least 500 ms)</td></tr>
 *   <tr><td>connectTimeout (TCP and TLS handshake)</td><td>10 s</td></tr>
 *   <tr><td>connectedTimeout (CONNECTED reply)</td><td>10 s</td></tr>
 *   <tr><td>connectDeadline (the whole walk of {@code connect()})</td><td>60 s</td></tr>
 *   <tr><td>receiptTimeout</td><td>30 s</td></tr>
 *   <tr><td>disconnectTimeout (the whole graceful disconnect)</td><td>10 s</td></tr>
 *   <tr><td>writeTimeout (writes making no progress end the connection)</td><td>30 s</td></tr>
 *   <tr><td>maxPendingWriteBytes (encoded bytes waiting to be written)</td><td>4 MiB</td></tr>
 *   <tr><td>parserLimits</td><td>{@link ParserLimits#defaults()}</td></tr>
 *   <tr><td>sslContext</td><td>the JDK default</td></tr>
 *   <tr><td>hostnameVerification</td><td>on</td></tr>
 *   <tr><td>autoReconnect</td><td>off</td></tr>
 *   <tr><td>atLeastOnce (re-send unreceipted SENDs after a reconnect)</td><td>off</td></tr>
 *   <tr><td>maxUnreceipted (SENDs awaiting their RECEIPT, at-least-once)</td><td>1000</td></tr>
 *   <tr><td>maxUnreceiptedBytes (their bodies, at-least-once)</td><td>64 MiB</td></tr>
 *   <tr><td>listener</td><td>one that does nothing</td></tr>
 *   <tr><td>interceptor</td><td>{@link StompInterceptor#NONE}</td></tr>
 *   <tr><td>metrics</td><td>{@link StompMetrics#NONE}</td></tr>
 * </table>
 *
 * <pre>{@code
 * StompClientConfig config = StompClientConfig.builder("failover:(tcp://a:61613,tcp://b:61613)?randomize=false")
 *         .login("guest").passcode("guest")
 *         .heartBeat(new HeartBeat(5_000, 5_000))
 *         .autoReconnect(true)
 *         .build();
 * StompClientConfig patient = config.toBuilder().receiptTimeout(Duration.ofMinutes(2)).build();
 * }</pre>
 */
public abstract class ConnectionConfig {
    /** "No bound", where a duration bounds a wait: {@code connectDeadline(ConnectionConfig.FOREVER)}. */
    public static final Duration FOREVER = java.time.temporal.ChronoUnit.FOREVER.getDuration();

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
    private final Duration connectDeadline;
    private final Duration receiptTimeout;
    private final Duration disconnectTimeout;
    private final Duration writeTimeout;
    private final long maxPendingWriteBytes;
    private final ParserLimits parserLimits;
    private final SSLContext sslContext;
    private final boolean hostnameVerification;
    private final boolean autoReconnect;
    private final boolean atLeastOnce;
    private final int maxUnreceipted;
    private final long maxUnreceiptedBytes;
    private final Map<String, String> connectHeaders;
    private final ConnectionListener listener;
    private final StompInterceptor interceptor;
    private final StompMetrics metrics;

    /** @throws IllegalArgumentException if the URI does not parse (the message lists valid options) */
    protected ConnectionConfig(Builder<?> b) {
        this.uri = b.uri;
        this.failoverUri = FailoverUri.parse(b.uri);
        this.login = b.login;
        this.passcode = b.passcode;
        this.virtualHost = b.virtualHost;
        this.version = b.version;
        this.heartBeat = b.heartBeat;
        this.graceFactor = b.graceFactor;
        this.connectTimeout = b.connectTimeout;
        this.connectedTimeout = b.connectedTimeout;
        this.connectDeadline = b.connectDeadline;
        this.receiptTimeout = b.receiptTimeout;
        this.disconnectTimeout = b.disconnectTimeout;
        this.writeTimeout = b.writeTimeout;
        this.maxPendingWriteBytes = b.maxPendingWriteBytes;
        this.parserLimits = b.parserLimits;
        this.sslContext = b.sslContext;
        this.hostnameVerification = b.hostnameVerification;
        this.autoReconnect = b.autoReconnect;
        this.atLeastOnce = b.atLeastOnce;
        this.maxUnreceipted = b.maxUnreceipted;
        this.maxUnreceiptedBytes = b.maxUnreceiptedBytes;
        this.connectHeaders = Map.copyOf(b.connectHeaders);
        this.listener = b.listener;
        this.interceptor = b.interceptor;
        this.metrics = b.metrics;
    }

    public final String uri() {
        return uri;
    }

    public final FailoverUri failoverUri() {
        return failoverUri;
    }

    public final String login() {
        return login;
    }

    public final String passcode() {
        return passcode;
    }

    public final String virtualHost() {
        return virtualHost;
    }

    public final StompVersion version() {
        return version;
    }

    public final HeartBeat heartBeat() {
        return heartBeat;
    }

    public final double graceFactor() {
        return graceFactor;
    }

    public final Duration connectTimeout() {
        return connectTimeout;
    }

    public final Duration connectedTimeout() {
        return connectedTimeout;
    }

    /**
     * How long {@code connect()} walks the failover schedule before it gives up ({@link #FOREVER}:
     * as long as the schedule goes on); see {@link Builder#connectDeadline(Duration)}.
     */
    public final Duration connectDeadline() {
        return connectDeadline;
    }

    /**
     * {@code d} as a bound for a wait: {@code null} ("no bound") for {@code null}, {@link #FOREVER}
     * or anything as long as a century, which no clock arithmetic should see.
     */
    public static Duration bound(Duration d) {
        return d == null || d.compareTo(Duration.ofDays(36_500)) >= 0 ? null : d;
    }

    public final Duration receiptTimeout() {
        return receiptTimeout;
    }

    public final Duration disconnectTimeout() {
        return disconnectTimeout;
    }

    public final Duration writeTimeout() {
        return writeTimeout;
    }

    /** How many encoded bytes may wait to be written; see {@link Builder#maxPendingWriteBytes(long)}. */
    public final long maxPendingWriteBytes() {
        return maxPendingWriteBytes;
    }

    public final ParserLimits parserLimits() {
        return parserLimits;
    }

    /** The TLS context for {@code ssl://} and {@code wss://} brokers, or {@code null} for the JDK default. */
    public final SSLContext sslContext() {
        return sslContext;
    }

    public final boolean hostnameVerification() {
        return hostnameVerification;
    }

    public final boolean autoReconnect() {
        return autoReconnect;
    }

    /** Whether at-least-once publishing is on; see {@link Builder#atLeastOnce(boolean)}. */
    public final boolean atLeastOnce() {
        return atLeastOnce;
    }

    /** How many SENDs may await their RECEIPT at once in at-least-once mode. */
    public final int maxUnreceipted() {
        return maxUnreceipted;
    }

    /** How many body bytes the SENDs awaiting their RECEIPT may hold at once in at-least-once mode. */
    public final long maxUnreceiptedBytes() {
        return maxUnreceiptedBytes;
    }

    /** Extra CONNECT headers, in the order given. */
    public final Map<String, String> connectHeaders() {
        return connectHeaders;
    }

    public final ConnectionListener listener() {
        return listener;
    }

    /** Sees every SEND the application makes and every MESSAGE it is handed; {@link StompInterceptor#NONE} unless set. */
    public final StompInterceptor interceptor() {
        return interceptor;
    }

    /** Where the client reports its work for metrics; {@link StompMetrics#NONE} unless set. */
    public final StompMetrics metrics() {
        return metrics;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[uri=" + uri + ", login=" + login + ", passcode=" + (passcode == null ? null : "***")
                + ", virtualHost=" + virtualHost + ", version=" + version + ", heartBeat=" + heartBeat
                + ", autoReconnect=" + autoReconnect + ", atLeastOnce=" + atLeastOnce + "]";
    }

    /**
     * The setters of the shared settings, returning the client's own builder type (as Netty's
     * {@code AbstractBootstrap} does), so that shared and own settings chain in any order.
     *
     * @param <B> the client's builder
     */
    public abstract static class Builder<B extends Builder<B>> {
        private final String uri;
        private String login;
        private String passcode;
        private String virtualHost = "/";
        private StompVersion version = StompVersion.V1_2;
        private HeartBeat heartBeat = new HeartBeat(10_000, 10_000);
        private double graceFactor = StompSession.DEFAULT_GRACE_FACTOR;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration connectedTimeout = Duration.ofSeconds(10);
        private Duration connectDeadline = Duration.ofSeconds(60);
        private Duration receiptTimeout = Duration.ofSeconds(30);
        private Duration disconnectTimeout = Duration.ofSeconds(10);
        private Duration writeTimeout = Duration.ofSeconds(30);
        private long maxPendingWriteBytes = 4L * 1024 * 1024;
        private ParserLimits parserLimits = ParserLimits.defaults();
        private SSLContext sslContext;
        private boolean hostnameVerification = true;
        private boolean autoReconnect;
        private boolean atLeastOnce;
        private int maxUnreceipted = 1000;
        private long maxUnreceiptedBytes = 64L * 1024 * 1024;
        private final Map<String, String> connectHeaders = new LinkedHashMap<>();
        private ConnectionListener listener = ConnectionListener.NONE;
        private StompInterceptor interceptor = StompInterceptor.NONE;
        private StompMetrics metrics = StompMetrics.NONE;

        protected Builder(String uri) {
            this.uri = Objects.requireNonNull(uri, "uri");
        }

        /** A builder holding every shared setting of {@code from}. */
        protected Builder(ConnectionConfig from) {
            this(from.uri);
            login = from.login;
            passcode = from.passcode;
            virtualHost = from.virtualHost;
            version = from.version;
            heartBeat = from.heartBeat;
            graceFactor = from.graceFactor;
            connectTimeout = from.connectTimeout;
            connectedTimeout = from.connectedTimeout;
            connectDeadline = from.connectDeadline;
            receiptTimeout = from.receiptTimeout;
            disconnectTimeout = from.disconnectTimeout;
            writeTimeout = from.writeTimeout;
            maxPendingWriteBytes = from.maxPendingWriteBytes;
            parserLimits = from.parserLimits;
            sslContext = from.sslContext;
            hostnameVerification = from.hostnameVerification;
            autoReconnect = from.autoReconnect;
            atLeastOnce = from.atLeastOnce;
            maxUnreceipted = from.maxUnreceipted;
            maxUnreceiptedBytes = from.maxUnreceiptedBytes;
            connectHeaders.putAll(from.connectHeaders);
            listener = from.listener;
            interceptor = from.interceptor;
            metrics = from.metrics;
        }

        /** {@code this}, as the client's builder type. */
        protected abstract B self();

        public B login(String login) {
            this.login = login;
            return self();
        }

        public B passcode(String passcode) {
            this.passcode = passcode;
            return self();
        }

        /** The CONNECT {@code host} header; {@code null} sends none. */
        public B virtualHost(String virtualHost) {
            this.virtualHost = virtualHost;
            return self();
        }

        /** The highest version to offer; all lower ones are offered too. */
        public B version(StompVersion version) {
            this.version = Objects.requireNonNull(version, "version");
            return self();
        }

        public B heartBeat(HeartBeat heartBeat) {
            this.heartBeat = Objects.requireNonNull(heartBeat, "heartBeat");
            return self();
        }

        /**
         * How much server silence is tolerated, as a multiple of the negotiated period (on top of it
         * the specification's error margin: a tenth of the period, at least 500 ms; see
         * {@link StompSession#toleratedSilence(long, double)}).
         */
        public B graceFactor(double graceFactor) {
            if (!(graceFactor >= 1.0) || Double.isInfinite(graceFactor)) {
                throw new IllegalArgumentException("graceFactor must be finite and at least 1: " + graceFactor);
            }
            this.graceFactor = graceFactor;
            return self();
        }

        public B connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connectTimeout");
            return self();
        }

        public B connectedTimeout(Duration timeout) {
            this.connectedTimeout = positive(timeout, "connectedTimeout");
            return self();
        }

        /**
         * How long {@code connect()} without a deadline of its own walks the failover schedule
         * before it gives up (default 60 s): a {@code failover:} URI retries forever by default, and
         * a wrong port must not hang the caller. {@link ConnectionConfig#FOREVER} asks for no bound.
         * Reconnecting after a loss is not bounded by it.
         */
        public B connectDeadline(Duration deadline) {
            this.connectDeadline = positive(deadline, "connectDeadline");
            return self();
        }

        public B receiptTimeout(Duration timeout) {
            this.receiptTimeout = positive(timeout, "receiptTimeout");
            return self();
        }

        /** Bounds a whole graceful disconnect: handlers finishing, DISCONNECT and its RECEIPT. */
        public B disconnectTimeout(Duration timeout) {
            this.disconnectTimeout = positive(timeout, "disconnectTimeout");
            return self();
        }

        /** Writes that make no progress for this long end the connection as lost. */
        public B writeTimeout(Duration timeout) {
            this.writeTimeout = positive(timeout, "writeTimeout");
            return self();
        }

        /**
         * Encoded bytes that may wait to be written per connection (default 4 MiB). At the bound
         * the blocking client's send waits for room (at most the write timeout); the asynchronous
         * client's fails at once with {@link dev.stompbox.protocol.StompBackpressureException}.
         */
        public B maxPendingWriteBytes(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("maxPendingWriteBytes must be positive: " + bytes);
            }
            this.maxPendingWriteBytes = bytes;
            return self();
        }

        public B parserLimits(ParserLimits limits) {
            this.parserLimits = Objects.requireNonNull(limits, "limits");
            return self();
        }

        /** The TLS context for {@code ssl://} and {@code wss://}; {@code null}: the JDK default. */
        public B sslContext(SSLContext sslContext) {
            this.sslContext = sslContext;
            return self();
        }

        public B hostnameVerification(boolean on) {
            this.hostnameVerification = on;
            return self();
        }

        /** Reconnect per the failover schedule after a lost connection, and replay subscriptions. */
        public B autoReconnect(boolean on) {
            this.autoReconnect = on;
            return self();
        }

        /**
         * At-least-once publishing: every SEND outside a transaction asks for a RECEIPT, and a SEND
         * whose RECEIPT has not arrived when the connection is lost is sent again after the
         * reconnect (after the subscriptions are replayed, before any new SEND), in order and with
         * its original receipt id. A lost connection then does not fail such a SEND; it fails when
         * the reconnect gives up, when the broker answers it with an ERROR, or when its
         * {@linkplain #receiptTimeout(Duration) receipt timeout}, counted from the call, passes.
         * SENDs made while reconnecting wait in the same queue. At most
         * {@linkplain #maxUnreceipted(int) maxUnreceipted} SENDs (and
         * {@linkplain #maxUnreceiptedBytes(long) maxUnreceiptedBytes} of bodies) are outstanding:
         * beyond that the blocking client's send waits for room, at most the write timeout, then
         * throws {@link dev.stompbox.protocol.StompReceiptTimeoutException}; the asynchronous
         * client's fails at once with {@link dev.stompbox.protocol.StompBackpressureException}.
         *
         * <p>Duplicates are possible (a SEND arrived but its RECEIPT did not); loss is not. Artemis
         * and RabbitMQ copy the {@code receipt} header into the MESSAGE, so consumers can pair the
         * copies. Transactional SENDs are never re-sent: their transaction fails instead. Useful
         * with {@link #autoReconnect(boolean) autoReconnect}; without it the first loss fails the
         * outstanding SENDs.
         */
        public B atLeastOnce(boolean on) {
            this.atLeastOnce = on;
            return self();
        }

        /** The at-least-once window: SENDs that may await their RECEIPT at once (default 1000). */
        public B maxUnreceipted(int max) {
            this.maxUnreceipted = atLeastOne(max, "maxUnreceipted");
            return self();
        }

        /**
         * The at-least-once window in bytes: the bodies of the SENDs awaiting their RECEIPT, which
         * the client keeps for re-sending (default 64 MiB). A body larger than the whole window is
         * sent once nothing else is outstanding.
         */
        public B maxUnreceiptedBytes(long bytes) {
            if (bytes < 1024) {
                throw new IllegalArgumentException("maxUnreceiptedBytes must be at least 1024: " + bytes);
            }
            this.maxUnreceiptedBytes = bytes;
            return self();
        }

        /** An extra CONNECT header (for instance {@code client-id}). */
        public B connectHeader(String name, String value) {
            connectHeaders.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return self();
        }

        /** Told what happens to the connection; see {@link ConnectionListener}. */
        public B listener(ConnectionListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return self();
        }

        /**
         * Calls {@code interceptor} for every SEND the application makes and every MESSAGE it is
         * handed (see {@link StompInterceptor}), for instance {@code StompTracing.create(openTelemetry)}
         * from the {@code stompbox-opentelemetry} module. Default: {@link StompInterceptor#NONE}.
         */
        public B interceptor(StompInterceptor interceptor) {
            this.interceptor = Objects.requireNonNull(interceptor, "interceptor");
            return self();
        }

        /**
         * Reports connections, frames, messages, handlers, receipts and missed heart-beats to
         * {@code metrics}, for instance {@code MicrometerStompMetrics.of(registry, "orders")} from
         * the {@code stompbox-micrometer} module. Default: {@link StompMetrics#NONE}.
         */
        public B metrics(StompMetrics metrics) {
            this.metrics = Objects.requireNonNull(metrics, "metrics");
            return self();
        }

        /** {@code n}, or an {@link IllegalArgumentException} naming the setting when it is below 1. */
        protected static int atLeastOne(int n, String setting) {
            if (n < 1) {
                throw new IllegalArgumentException(setting + " must be at least 1: " + n);
            }
            return n;
        }

        private static Duration positive(Duration d, String name) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive: " + d);
            }
            return d;
        }
    }
}
