package dev.stompbox.client;

import dev.stompbox.protocol.HeartBeat;
import dev.stompbox.protocol.StompVersion;
import dev.stompbox.protocol.codec.ParserLimits;
import dev.stompbox.protocol.failover.FailoverUri;
import dev.stompbox.protocol.metrics.StompMetrics;

import javax.net.ssl.SSLContext;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Everything a {@link StompClient} is configured with. Immutable; {@link #toString()} never shows
 * the passcode.
 *
 * <table>
 *   <caption>Settings and defaults</caption>
 *   <tr><th>setting</th><th>default</th></tr>
 *   <tr><td>uri</td><td>(required) {@code tcp://}, {@code ssl://} or {@code failover:(...)}</td></tr>
 *   <tr><td>login, passcode</td><td>none</td></tr>
 *   <tr><td>virtualHost (CONNECT {@code host})</td><td>{@code /}, which all three brokers accept</td></tr>
 *   <tr><td>version (highest offered)</td><td>1.2</td></tr>
 *   <tr><td>heartBeat</td><td>10000,10000 ms</td></tr>
 *   <tr><td>graceFactor (server silence tolerated)</td><td>2 × the negotiated period</td></tr>
 *   <tr><td>connectTimeout (TCP and TLS handshake)</td><td>10 s</td></tr>
 *   <tr><td>connectedTimeout (CONNECTED reply)</td><td>10 s</td></tr>
 *   <tr><td>receiptTimeout</td><td>30 s</td></tr>
 *   <tr><td>disconnectTimeout (its receipt)</td><td>10 s</td></tr>
 *   <tr><td>writeTimeout (a blocked write closes the socket)</td><td>30 s</td></tr>
 *   <tr><td>inboxCapacity (MESSAGEs read ahead)</td><td>1000</td></tr>
 *   <tr><td>parserLimits</td><td>{@link ParserLimits#defaults()}</td></tr>
 *   <tr><td>sslContext</td><td>the JDK default</td></tr>
 *   <tr><td>hostnameVerification</td><td>on</td></tr>
 *   <tr><td>autoReconnect</td><td>off</td></tr>
 *   <tr><td>receipts (ask for one on every command)</td><td>off</td></tr>
 *   <tr><td>atLeastOnce (re-send unreceipted SENDs after a reconnect)</td><td>off</td></tr>
 *   <tr><td>maxUnreceipted (SENDs awaiting their RECEIPT, at-least-once)</td><td>1000</td></tr>
 *   <tr><td>maxUnreceiptedBytes (their bodies, at-least-once)</td><td>64 MiB</td></tr>
 *   <tr><td>maxPendingWriteBytes (queued to write; a send beyond waits for room)</td><td>4 MiB</td></tr>
 *   <tr><td>metrics</td><td>{@link dev.stompbox.protocol.metrics.StompMetrics#NONE}</td></tr>
 * </table>
 *
 * <pre>{@code
 * StompClientConfig config = StompClientConfig.builder("failover:(tcp://a:61613,tcp://b:61613)?randomize=false")
 *         .login("guest").passcode("guest")
 *         .heartBeat(new HeartBeat(5_000, 5_000))
 *         .autoReconnect(true)
 *         .build();
 * }</pre>
 */
public final class StompClientConfig {
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
    private final Duration receiptTimeout;
    private final Duration disconnectTimeout;
    private final Duration writeTimeout;
    private final int inboxCapacity;
    private final ParserLimits parserLimits;
    private final SSLContext sslContext;
    private final boolean hostnameVerification;
    private final boolean autoReconnect;
    private final boolean receipts;
    private final boolean atLeastOnce;
    private final int maxUnreceipted;
    private final long maxUnreceiptedBytes;
    private final Map<String, String> connectHeaders;
    private final long maxPendingWriteBytes;
    private final ConnectionListener listener;
    private final StompMetrics metrics;

    private StompClientConfig(Builder b) {
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
        this.receiptTimeout = b.receiptTimeout;
        this.disconnectTimeout = b.disconnectTimeout;
        this.writeTimeout = b.writeTimeout;
        this.inboxCapacity = b.inboxCapacity;
        this.parserLimits = b.parserLimits;
        this.sslContext = b.sslContext;
        this.hostnameVerification = b.hostnameVerification;
        this.autoReconnect = b.autoReconnect;
        this.receipts = b.receipts;
        this.atLeastOnce = b.atLeastOnce;
        this.maxUnreceipted = b.maxUnreceipted;
        this.maxUnreceiptedBytes = b.maxUnreceiptedBytes;
        this.connectHeaders = Map.copyOf(b.connectHeaders);
        this.maxPendingWriteBytes = b.maxPendingWriteBytes;
        this.listener = b.listener;
        this.metrics = b.metrics;
    }

    /** A builder for a client of {@code uri}. */
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

    public Duration receiptTimeout() {
        return receiptTimeout;
    }

    public Duration disconnectTimeout() {
        return disconnectTimeout;
    }

    public Duration writeTimeout() {
        return writeTimeout;
    }

    public int inboxCapacity() {
        return inboxCapacity;
    }

    public ParserLimits parserLimits() {
        return parserLimits;
    }

    /** The TLS context for {@code ssl://} brokers, or {@code null} for the JDK default. */
    public SSLContext sslContext() {
        return sslContext;
    }

    public boolean hostnameVerification() {
        return hostnameVerification;
    }

    public boolean autoReconnect() {
        return autoReconnect;
    }

    public boolean receipts() {
        return receipts;
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

    public Map<String, String> connectHeaders() {
        return connectHeaders;
    }

    /** How many bytes may wait to be written before a send waits for room; see {@link Builder#maxPendingWriteBytes(long)}. */
    public long maxPendingWriteBytes() {
        return maxPendingWriteBytes;
    }

    public ConnectionListener listener() {
        return listener;
    }

    /** Where the client reports its work for metrics; {@link StompMetrics#NONE} unless set. */
    public StompMetrics metrics() {
        return metrics;
    }

    @Override
    public String toString() {
        return "StompClientConfig[uri=" + uri + ", login=" + login + ", passcode=" + (passcode == null ? null : "***")
                + ", virtualHost=" + virtualHost + ", version=" + version + ", heartBeat=" + heartBeat
                + ", autoReconnect=" + autoReconnect + "]";
    }

    /** Builds a {@link StompClientConfig}; see the class documentation for the defaults. */
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
        private Duration receiptTimeout = Duration.ofSeconds(30);
        private Duration disconnectTimeout = Duration.ofSeconds(10);
        private Duration writeTimeout = Duration.ofSeconds(30);
        private int inboxCapacity = 1000;
        private ParserLimits parserLimits = ParserLimits.defaults();
        private SSLContext sslContext;
        private boolean hostnameVerification = true;
        private boolean autoReconnect;
        private boolean receipts;
        private boolean atLeastOnce;
        private int maxUnreceipted = 1000;
        private long maxUnreceiptedBytes = 64L * 1024 * 1024;
        private final Map<String, String> connectHeaders = new LinkedHashMap<>();
        private long maxPendingWriteBytes = 4L * 1024 * 1024;
        private StompMetrics metrics = StompMetrics.NONE;
        private ConnectionListener listener = new ConnectionListener() {
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

        /** The CONNECT {@code host} header; {@code null} sends none. */
        public Builder virtualHost(String virtualHost) {
            this.virtualHost = virtualHost;
            return this;
        }

        /** The highest version to offer; all lower ones are offered too. */
        public Builder version(StompVersion version) {
            this.version = Objects.requireNonNull(version, "version");
            return this;
        }

        public Builder heartBeat(HeartBeat heartBeat) {
            this.heartBeat = Objects.requireNonNull(heartBeat, "heartBeat");
            return this;
        }

        public Builder graceFactor(double graceFactor) {
            if (!(graceFactor >= 1.0) || Double.isInfinite(graceFactor)) {
                throw new IllegalArgumentException("graceFactor must be finite and at least 1: " + graceFactor);
            }
            this.graceFactor = graceFactor;
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connectTimeout");
            return this;
        }

        public Builder connectedTimeout(Duration timeout) {
            this.connectedTimeout = positive(timeout, "connectedTimeout");
            return this;
        }

        public Builder receiptTimeout(Duration timeout) {
            this.receiptTimeout = positive(timeout, "receiptTimeout");
            return this;
        }

        public Builder disconnectTimeout(Duration timeout) {
            this.disconnectTimeout = positive(timeout, "disconnectTimeout");
            return this;
        }

        public Builder writeTimeout(Duration timeout) {
            this.writeTimeout = positive(timeout, "writeTimeout");
            return this;
        }

        public Builder inboxCapacity(int capacity) {
            if (capacity < 1) {
                throw new IllegalArgumentException("inboxCapacity must be at least 1: " + capacity);
            }
            this.inboxCapacity = capacity;
            return this;
        }

        public Builder parserLimits(ParserLimits limits) {
            this.parserLimits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        public Builder sslContext(SSLContext sslContext) {
            this.sslContext = sslContext;
            return this;
        }

        public Builder hostnameVerification(boolean on) {
            this.hostnameVerification = on;
            return this;
        }

        /** Reconnect per the failover schedule after a lost connection, and replay subscriptions. */
        public Builder autoReconnect(boolean on) {
            this.autoReconnect = on;
            return this;
        }

        /** Ask for a RECEIPT on every command (each call then waits for it). */
        public Builder receipts(boolean on) {
            this.receipts = on;
            return this;
        }

        /**
         * At-least-once publishing: every SEND outside a transaction asks for a RECEIPT, and a SEND
         * whose RECEIPT has not arrived when the connection is lost is sent again after the
         * reconnect (after the subscriptions are replayed, before any new SEND), in order and with
         * its original receipt id. A lost connection then does not fail such a SEND; it fails when
         * the reconnect gives up, when the broker answers it with an ERROR, or when its
         * {@linkplain #receiptTimeout(Duration) receipt timeout}, counted from the call, passes.
         * SENDs made while reconnecting wait in the same queue. At most
         * {@linkplain #maxUnreceipted(int) maxUnreceipted} SENDs are outstanding: beyond that
         * {@code send} blocks until one is receipted, at most the {@linkplain #writeTimeout(Duration)
         * write timeout} (as a write to a full socket would), then throws
         * {@link dev.stompbox.protocol.StompReceiptTimeoutException}.
         *
         * <p>Duplicates are possible (a SEND arrived but its RECEIPT did not); loss is not. Artemis
         * and RabbitMQ copy the {@code receipt} header into the MESSAGE, so consumers can pair the
         * copies. Transactional SENDs are never re-sent: their transaction fails instead. Useful
         * with {@link #autoReconnect(boolean) autoReconnect}; without it the first loss fails the
         * outstanding SENDs.
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

        /** An extra CONNECT header (for instance {@code client-id}). */
        public Builder connectHeader(String name, String value) {
            connectHeaders.put(name, value);
            return this;
        }

        /**
         * Encoded bytes that may wait to be written (default 4 MiB). A send that finds this many
         * waiting blocks until the writes catch up, at most the write timeout.
         */
        public Builder maxPendingWriteBytes(long bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("maxPendingWriteBytes must be at least 1: " + bytes);
            }
            this.maxPendingWriteBytes = bytes;
            return this;
        }

        public Builder listener(ConnectionListener listener) {
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

        /**
         * @throws IllegalArgumentException if the URI does not parse (the message lists valid options)
         */
        public StompClientConfig build() {
            return new StompClientConfig(this);
        }

        private static Duration positive(Duration d, String name) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive: " + d);
            }
            return d;
        }
    }
}
