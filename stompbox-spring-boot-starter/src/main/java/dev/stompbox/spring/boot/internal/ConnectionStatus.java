package dev.stompbox.spring.boot.internal;

import dev.stompbox.protocol.connection.ConnectionListener;
import dev.stompbox.protocol.connection.ReconnectReport;
import dev.stompbox.protocol.failover.BrokerAddress;

import java.util.List;
import java.util.function.Supplier;

/**
 * What one client's connection last went through, for the health indicator: the broker last tried
 * and why it failed, or nothing once connected. Passes every call on to the application's own
 * {@link ConnectionListener} beans. Thread-safe: the clients call it on their own threads, the
 * health check reads it on any.
 */
public final class ConnectionStatus implements ConnectionListener {
    private final Supplier<List<ConnectionListener>> others;
    private volatile BrokerAddress lastTried;
    private volatile Throwable lastFailure;

    public ConnectionStatus(Supplier<List<ConnectionListener>> others) {
        this.others = others;
    }

    /** The broker of the last failed attempt, or {@code null}. */
    public BrokerAddress lastTried() {
        return lastTried;
    }

    /** Why the connection is not up: the last failed attempt or the loss; {@code null} once connected. */
    public Throwable lastFailure() {
        return lastFailure;
    }

    @Override
    public void attemptFailed(BrokerAddress broker, Throwable cause) {
        lastTried = broker;
        lastFailure = cause;
        others.get().forEach(l -> l.attemptFailed(broker, cause));
    }

    @Override
    public void connected(BrokerAddress broker) {
        lastFailure = null;
        others.get().forEach(l -> l.connected(broker));
    }

    @Override
    public void connectionLost(Throwable cause) {
        lastFailure = cause;
        others.get().forEach(l -> l.connectionLost(cause));
    }

    @Override
    public void reconnected(ReconnectReport report) {
        lastFailure = null;
        others.get().forEach(l -> l.reconnected(report));
    }

    @Override
    public void reconnectFailed(Throwable cause) {
        lastFailure = cause;
        others.get().forEach(l -> l.reconnectFailed(cause));
    }
}
