package dev.stompbox.client;

import dev.stompbox.protocol.failover.BrokerAddress;

/**
 * Told what happens to the client's connection. Called on the client's own threads: keep it short
 * and do not call blocking client methods from it. All methods have empty defaults.
 *
 * <pre>{@code
 * StompClientConfig.builder(uri).autoReconnect(true).listener(new ConnectionListener() {
 *     public void reconnected(ReconnectReport report) {
 *         log.info("back on {}; {} messages to be redelivered", report.broker(), report.unackedMessages().size());
 *     }
 * }).build();
 * }</pre>
 */
public interface ConnectionListener {
    /** Connected (CONNECTED received) to {@code broker}, the first time. */
    default void connected(BrokerAddress broker) {
    }

    /** The connection was lost; {@code cause} says why. With auto-reconnect a reconnect follows. */
    default void connectionLost(Throwable cause) {
    }

    /** Connected again after a loss, with what was replayed and what was in flight. */
    default void reconnected(ReconnectReport report) {
    }

    /** The reconnect schedule is spent (or failed for good); the client stays disconnected. */
    default void reconnectFailed(Throwable cause) {
    }
}
