package dev.stompbox.protocol.connection;

import dev.stompbox.protocol.failover.BrokerAddress;

/**
 * Told what happens to a client's connection, the same for both clients. Calls come one at a
 * time, in the order things happened, never while the client holds a lock of its own. The
 * blocking client makes them on a thread of its own ({@code stompbox-client-N-listener}): a
 * listener may call the client there, even wait for a receipt, and a slow one delays only the
 * listener calls after it. The asynchronous client makes them on its event loop: a listener there
 * must never block (everything of the client waits for it, heart-beats included); hand long work
 * to another thread. All methods have empty defaults.
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

    /**
     * An attempt to connect or reconnect to {@code broker} failed ({@code cause} says why: refused,
     * timed out, no CONNECTED); another follows if the failover schedule has one. A health check
     * shows it while the client is not connected.
     */
    default void attemptFailed(BrokerAddress broker, Throwable cause) {
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
