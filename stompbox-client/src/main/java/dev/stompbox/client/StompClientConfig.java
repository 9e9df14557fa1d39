package dev.stompbox.client;

import dev.stompbox.protocol.connection.ConnectionConfig;
import dev.stompbox.protocol.failover.BrokerAddress;

/**
 * Everything a {@link StompClient} is configured with: the settings both clients share (see
 * {@link ConnectionConfig} for them and their defaults) and the blocking client's own. Brokers are
 * {@code tcp://} and {@code ssl://}: a {@code ws://} or {@code wss://} one is refused when the
 * configuration is built. Immutable; {@link #toString()} never shows the passcode.
 *
 * <table>
 *   <caption>The blocking client's own settings</caption>
 *   <tr><th>setting</th><th>default</th></tr>
 *   <tr><td>inboxCapacity (MESSAGEs read ahead)</td><td>1000</td></tr>
 *   <tr><td>receipts (ask for one on every command, and wait for it)</td><td>off</td></tr>
 * </table>
 *
 * <pre>{@code
 * StompClientConfig config = StompClientConfig.builder("failover:(tcp://a:61613,tcp://b:61613)?randomize=false")
 *         .login("guest").passcode("guest")
 *         .heartBeat(new HeartBeat(5_000, 5_000))
 *         .autoReconnect(true)
 *         .inboxCapacity(100)
 *         .build();
 * }</pre>
 */
public final class StompClientConfig extends ConnectionConfig {
    private final int inboxCapacity;
    private final boolean receipts;

    private StompClientConfig(Builder b) {
        super(b);
        this.inboxCapacity = b.inboxCapacity;
        this.receipts = b.receipts;
        for (BrokerAddress broker : failoverUri().brokers()) {
            if (broker.webSocket()) {
                // Refused here, not at each connect: on a failover schedule every attempt would fail, for as long as it retries.
                throw new IllegalArgumentException("The blocking client speaks STOMP over TCP and TLS, not WebSocket: " + broker
                        + " needs the asynchronous client (AsyncStompClient)");
            }
        }
    }

    /** A builder for a client of {@code uri}. */
    public static Builder builder(String uri) {
        return new Builder(uri);
    }

    /** A builder holding every setting of this configuration, to change some of them. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** MESSAGEs the client reads ahead of {@code receiveFrame}; at the bound it stops reading. */
    public int inboxCapacity() {
        return inboxCapacity;
    }

    /** Whether every command asks for a RECEIPT and waits for it. */
    public boolean receipts() {
        return receipts;
    }

    /** Builds a {@link StompClientConfig}; see the class documentation for the defaults. */
    public static final class Builder extends ConnectionConfig.Builder<Builder> {
        private int inboxCapacity = 1000;
        private boolean receipts;

        private Builder(String uri) {
            super(uri);
        }

        private Builder(StompClientConfig from) {
            super(from);
            this.inboxCapacity = from.inboxCapacity;
            this.receipts = from.receipts;
        }

        @Override
        protected Builder self() {
            return this;
        }

        /**
         * MESSAGEs read ahead of {@code receiveFrame} (default 1000). With that many waiting the
         * client stops reading the socket, which pushes back on the broker (a read already made may
         * add the frames it holds).
         */
        public Builder inboxCapacity(int capacity) {
            this.inboxCapacity = atLeastOne(capacity, "inboxCapacity");
            return this;
        }

        /** Ask for a RECEIPT on every command (each call then waits for it). */
        public Builder receipts(boolean on) {
            this.receipts = on;
            return this;
        }

        /**
         * @throws IllegalArgumentException if the URI does not parse (the message lists valid options),
         *                                  or names a WebSocket broker
         */
        public StompClientConfig build() {
            return new StompClientConfig(this);
        }
    }
}
