package dev.stompbox.spring.boot;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.time.Duration;

/**
 * The {@code stompbox.*} properties. A duration left unset keeps the client's own default (see
 * {@code ConnectionConfig}); the other defaults are those a long-running application wants, which
 * differ from the library's in one place: {@code stompbox.auto-reconnect} is on.
 *
 * <pre>{@code
 * stompbox.url=failover:(tcp://broker-a:61613,tcp://broker-b:61613)
 * stompbox.login=app
 * stompbox.passcode=${BROKER_PASSCODE}
 * stompbox.heart-beat.send=5s
 * stompbox.heart-beat.receive=5s
 * stompbox.at-least-once=true
 * stompbox.ssl.bundle=broker
 * }</pre>
 */
@ConfigurationProperties("stompbox")
public class StompboxProperties {
    /**
     * The broker: tcp://, ssl://, ws://, wss:// or failover:(...). With auto-reconnect, a URL naming
     * one broker is taken as failover:(URL), so that the client keeps reconnecting with the failover
     * defaults (exponential back-off from 10 ms up to 30 s, forever).
     */
    private String url = "tcp://localhost:61613";

    /** The CONNECT login. */
    private String login;

    /** The CONNECT passcode; never logged, never shown by the health indicator. */
    private String passcode;

    /** The CONNECT host header (the broker's virtual host); default "/". */
    private String virtualHost;

    /** Reconnect after a lost connection (and at start-up) and replay the subscriptions. */
    private boolean autoReconnect = true;

    /**
     * At-least-once publishing: every SEND asks for a RECEIPT and is sent again after a reconnect
     * when its RECEIPT had not come.
     */
    private boolean atLeastOnce;

    /** TCP connect and TLS handshake timeout; default 10s. */
    private Duration connectTimeout;

    /** How long to wait for the CONNECTED reply; default 10s. */
    private Duration connectedTimeout;

    /** How long to wait for a RECEIPT; default 30s. */
    private Duration receiptTimeout;

    /** The whole graceful disconnect, running handlers included; default 10s. */
    private Duration disconnectTimeout;

    /** How long writes may make no progress before the connection counts as lost; default 30s. */
    private Duration writeTimeout;

    /** The name given to the clients' meters (tag "client"); the blocking client's gets "-blocking". */
    private String clientName = "stompbox";

    private final HeartBeat heartBeat = new HeartBeat();
    private final Ssl ssl = new Ssl();
    private final Startup startup = new Startup();
    private final Async async = new Async();
    private final Blocking blocking = new Blocking();
    private final Listener listener = new Listener();

    public String getUrl() {
        return url;
    }

    public void setUrl(String url) {
        this.url = url;
    }

    public String getLogin() {
        return login;
    }

    public void setLogin(String login) {
        this.login = login;
    }

    public String getPasscode() {
        return passcode;
    }

    public void setPasscode(String passcode) {
        this.passcode = passcode;
    }

    public String getVirtualHost() {
        return virtualHost;
    }

    public void setVirtualHost(String virtualHost) {
        this.virtualHost = virtualHost;
    }

    public boolean isAutoReconnect() {
        return autoReconnect;
    }

    public void setAutoReconnect(boolean autoReconnect) {
        this.autoReconnect = autoReconnect;
    }

    public boolean isAtLeastOnce() {
        return atLeastOnce;
    }

    public void setAtLeastOnce(boolean atLeastOnce) {
        this.atLeastOnce = atLeastOnce;
    }

    public Duration getConnectTimeout() {
        return connectTimeout;
    }

    public void setConnectTimeout(Duration connectTimeout) {
        this.connectTimeout = connectTimeout;
    }

    public Duration getConnectedTimeout() {
        return connectedTimeout;
    }

    public void setConnectedTimeout(Duration connectedTimeout) {
        this.connectedTimeout = connectedTimeout;
    }

    public Duration getReceiptTimeout() {
        return receiptTimeout;
    }

    public void setReceiptTimeout(Duration receiptTimeout) {
        this.receiptTimeout = receiptTimeout;
    }

    public Duration getDisconnectTimeout() {
        return disconnectTimeout;
    }

    public void setDisconnectTimeout(Duration disconnectTimeout) {
        this.disconnectTimeout = disconnectTimeout;
    }

    public Duration getWriteTimeout() {
        return writeTimeout;
    }

    public void setWriteTimeout(Duration writeTimeout) {
        this.writeTimeout = writeTimeout;
    }

    public String getClientName() {
        return clientName;
    }

    public void setClientName(String clientName) {
        this.clientName = clientName;
    }

    public HeartBeat getHeartBeat() {
        return heartBeat;
    }

    public Ssl getSsl() {
        return ssl;
    }

    public Startup getStartup() {
        return startup;
    }

    public Async getAsync() {
        return async;
    }

    public Blocking getBlocking() {
        return blocking;
    }

    public Listener getListener() {
        return listener;
    }

    /** STOMP heart-beating, asked of the broker in CONNECT. */
    public static class HeartBeat {
        /** How often the client offers to send a beat when it has nothing else to send (0: never); default 10s. */
        private Duration send;

        /** How often the client wants a beat from the broker (0: never); default 10s. */
        private Duration receive;

        public Duration getSend() {
            return send;
        }

        public void setSend(Duration send) {
            this.send = send;
        }

        public Duration getReceive() {
            return receive;
        }

        public void setReceive(Duration receive) {
            this.receive = receive;
        }
    }

    /** TLS for ssl:// and wss:// URLs. */
    public static class Ssl {
        /** The name of a Spring Boot SSL bundle (spring.ssl.bundle.*) to take the trust and key material from. */
        private String bundle;

        /** Check that the broker's certificate names the host connected to. */
        private boolean hostnameVerification = true;

        public String getBundle() {
            return bundle;
        }

        public void setBundle(String bundle) {
            this.bundle = bundle;
        }

        public boolean isHostnameVerification() {
            return hostnameVerification;
        }

        public void setHostnameVerification(boolean hostnameVerification) {
            this.hostnameVerification = hostnameVerification;
        }
    }

    /** What happens when the broker cannot be reached as the application starts. */
    public static class Startup {
        /**
         * Fail the application's start when the client cannot connect within the timeout. Off: the
         * application starts, the health indicator says DOWN and why, and the client keeps trying.
         */
        private boolean failFast;

        /** How long a fail-fast start waits for the connection. */
        private Duration timeout = Duration.ofSeconds(30);

        public boolean isFailFast() {
            return failFast;
        }

        public void setFailFast(boolean failFast) {
            this.failFast = failFast;
        }

        public Duration getTimeout() {
            return timeout;
        }

        public void setTimeout(Duration timeout) {
            this.timeout = timeout;
        }
    }

    /** The asynchronous client's own settings. */
    public static class Async {
        /** Handlers of all subscriptions running at once; default 256. */
        private Integer maxConcurrency;

        /** MESSAGEs waiting for a free handler before the client stops reading; default 1000. */
        private Integer maxBufferedMessages;

        public Integer getMaxConcurrency() {
            return maxConcurrency;
        }

        public void setMaxConcurrency(Integer maxConcurrency) {
            this.maxConcurrency = maxConcurrency;
        }

        public Integer getMaxBufferedMessages() {
            return maxBufferedMessages;
        }

        public void setMaxBufferedMessages(Integer maxBufferedMessages) {
            this.maxBufferedMessages = maxBufferedMessages;
        }
    }

    /** The blocking client, made only on request, with the same connection settings. */
    public static class Blocking {
        /** Make a blocking StompClient bean as well (needs stompbox-client). */
        private boolean enabled;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }
    }

    /** The @StompListener methods. */
    public static class Listener {
        /** Subscribe the listener methods when the context starts. */
        private boolean autoStartup = true;

        /** How long stopping waits for listener methods still running before the client disconnects. */
        private Duration shutdownTimeout = Duration.ofSeconds(30);

        public boolean isAutoStartup() {
            return autoStartup;
        }

        public void setAutoStartup(boolean autoStartup) {
            this.autoStartup = autoStartup;
        }

        public Duration getShutdownTimeout() {
            return shutdownTimeout;
        }

        public void setShutdownTimeout(Duration shutdownTimeout) {
            this.shutdownTimeout = shutdownTimeout;
        }
    }
}
