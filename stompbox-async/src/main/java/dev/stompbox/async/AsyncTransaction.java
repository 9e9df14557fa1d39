package dev.stompbox.async;

import dev.stompbox.protocol.connection.TransactionHandle;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A transaction of an {@link AsyncStompClient}: SENDs that take effect together on
 * {@link #commit()}, or not at all on {@link #abort()}. It belongs to the connection it began on:
 * once that is lost, its SENDs and its commit fail (with at-least-once publishing too: a
 * transaction is never re-sent in part).
 *
 * <pre>{@code
 * client.begin()
 *       .thenCompose(tx -> tx.send("/queue/a", "one").thenCompose(v -> tx.send("/queue/b", "two")).thenCompose(v -> tx.commit()))
 *       .join();
 * }</pre>
 */
public final class AsyncTransaction extends TransactionHandle {
    private final AsyncStompClient client;

    AsyncTransaction(AsyncStompClient client, String id, long epoch) {
        super(id, epoch);
        this.client = client;
    }

    /** A SEND in this transaction. */
    public CompletableFuture<Void> send(String destination, byte[] body, Map<String, String> headers) {
        return client.sendInTransaction(id(), epoch(), destination, body, headers);
    }

    /** A text SEND (UTF-8) in this transaction. */
    public CompletableFuture<Void> send(String destination, String body) {
        return send(destination, body, Map.of());
    }

    /** A text SEND (UTF-8) with headers in this transaction. */
    public CompletableFuture<Void> send(String destination, String body, Map<String, String> headers) {
        return send(destination, body.getBytes(java.nio.charset.StandardCharsets.UTF_8), headers);
    }

    public CompletableFuture<Void> commit() {
        return client.finishTransaction(id(), epoch(), true);
    }

    public CompletableFuture<Void> abort() {
        return client.finishTransaction(id(), epoch(), false);
    }
}
