package dev.stompbox.protocol.connection;

import dev.stompbox.protocol.failover.BrokerAddress;

/**
 * Told what happens to a client's connection, the same for both clients. Calls come one at a
 * time, in the order things happened, never while the client holds a lock of its own: the
 * blocking client makes them on a thread of its own, the asynchronous client on its event loop.
 * Keep them short; do not block in them. All methods have empty defaults.
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
    /** A listener that does nothing; the default. */
    ConnectionListener NONE = new ConnectionListener() {
    };

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
