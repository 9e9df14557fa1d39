package dev.stompbox.client;

import dev.stompbox.protocol.StompConnectionException;
import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.connection.TransactionHandle;

import java.util.Map;

/**
 * A STOMP transaction: SENDs and ACKs that take effect together on {@link #commit()}, or not at
 * all on {@link #abort()}. Closing a transaction that was not committed aborts it. A transaction
 * belongs to the connection it began on: if that connection is lost, the broker has dropped it and
 * every further call fails with {@link StompConnectionException}. Use it from one thread.
 *
 * <pre>{@code
 * try (Transaction tx = client.begin()) {
 *     tx.send("/queue/out", result, Map.of());
 *     tx.ack(message);
 *     tx.commit();
 * }
 * }</pre>
 */
public final class Transaction extends TransactionHandle implements AutoCloseable {
    private final StompClient client;
    private boolean finished;

    Transaction(StompClient client, String id, long epoch) {
        super(id, epoch);
        this.client = client;
    }

    /** A SEND in this transaction (delivered on commit). */
    public Receipt send(String destination, byte[] body, Map<String, String> headers) {
        check();
        return client.sendInTransaction(id(), epoch(), destination, body, headers);
    }

    /** A text SEND (UTF-8) in this transaction. */
    public Receipt send(String destination, String body) {
        return send(destination, body, Map.of());
    }

    /** A text SEND (UTF-8) with headers in this transaction. */
    public Receipt send(String destination, String body, Map<String, String> headers) {
        return send(destination, body.getBytes(java.nio.charset.StandardCharsets.UTF_8), headers);
    }

    /** An ACK in this transaction (applied on commit). */
    public Receipt ack(StompFrame message) {
        check();
        return client.acknowledge(message, false, id(), false);
    }

    /** A NACK in this transaction (applied on commit). */
    public Receipt nack(StompFrame message) {
        check();
        return client.acknowledge(message, true, id(), false);
    }

    /** Commits; with a receipt, waits for it (the client's receipt timeout). */
    public void commit() {
        check();
        finished = true;
        client.finishTransaction(id(), epoch(), true);
    }

    /** Aborts. */
    public void abort() {
        check();
        finished = true;
        client.finishTransaction(id(), epoch(), false);
    }

    /** Aborts unless committed or aborted already; quiet when the connection is gone. */
    @Override
    public void close() {
        if (!finished && client.epoch() == epoch()) {
            abort();
        }
        finished = true;
    }

    private void check() {
        if (finished) {
            throw new IllegalStateException("transaction " + id() + " already finished");
        }
        if (client.epoch() != epoch()) {
            throw new StompConnectionException("transaction " + id() + " was lost with the connection it began on");
        }
    }
}
