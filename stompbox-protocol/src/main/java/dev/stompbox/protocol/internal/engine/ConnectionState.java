package dev.stompbox.protocol.internal.engine;

/**
 * The one lifecycle both clients report. {@code DISCONNECTED} covers both an orderly end and a
 * loss that is not (or no longer) being recovered from; {@link ConnectionEngine#failure()} tells
 * which.
 */
public enum ConnectionState {
    /** Created; nothing happened on the network yet. */
    NEW,
    /** The application asked to connect; walking the failover schedule. */
    CONNECTING,
    /** CONNECTED received; commands go out. */
    CONNECTED,
    /** Lost, walking the failover schedule again; at-least-once SENDs wait for the next connection. */
    RECONNECTING,
    /** The application asked to disconnect; acks still go out, then DISCONNECT and its RECEIPT. */
    DISCONNECTING,
    /** No connection, and none being made. */
    DISCONNECTED,
    /** Closed for good. */
    CLOSED
}
