package dev.stompbox.protocol.internal.engine;

import dev.stompbox.protocol.failover.BrokerAddress;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * What a client does for the engine: the I/O it asked for and the news it has for the
 * application. Called from {@link Effect#apply}, which a client runs after it has let go of any
 * lock it drives the engine under, so listener code never runs under a client's lock.
 */
public interface EngineHandler {
    /**
     * Open a transport to {@code broker} within {@code timeout} and report it as {@code conn}:
     * {@link ConnectionEngine#opened} or {@link ConnectionEngine#openFailed}.
     */
    void open(int conn, BrokerAddress broker, Duration timeout);

    /** Close transport {@code conn}; nothing more is read from it or written to it. */
    void close(int conn);

    /** A MESSAGE for the application. */
    void deliver(Delivery delivery);

    /** The first connection is up. */
    void connected(BrokerAddress broker);

    /**
     * The live connection of {@code epoch} was lost. Messages of that epoch that the client holds
     * and has not handed out yet, and that need an ack, are to be dropped: the broker redelivers them.
     */
    void connectionLost(long epoch, Throwable cause);

    /** Connected again after a loss. */
    void reconnected(Reconnection reconnection);

    /** An attempt to connect to {@code broker} failed; the schedule goes on or gives up. */
    void attemptFailed(BrokerAddress broker, Throwable cause);

    /** The reconnect gave up; the client stays disconnected. */
    void reconnectFailed(Throwable cause);

    /**
     * The connection ended for good: {@code cause} is {@code null} after the application's
     * disconnect, otherwise why (an ERROR, a loss without auto-reconnect, a spent schedule).
     */
    void ended(Throwable cause);

    /** There is room again for SENDs that were refused for the lack of it. */
    void room();

    /**
     * Complete {@code future}: a receipt, a connect, a write someone waits for. Completing runs the
     * application's callbacks, so a client that applies effects under its lock defers this until
     * it has let go.
     */
    default void complete(CompletableFuture<Void> future) {
        future.complete(null);
    }

    /** Fail {@code future} with {@code cause}; deferred like {@link #complete}. */
    default void fail(CompletableFuture<?> future, Throwable cause) {
        future.completeExceptionally(cause);
    }
}
