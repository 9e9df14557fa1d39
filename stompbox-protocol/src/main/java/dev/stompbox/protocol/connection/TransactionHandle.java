package dev.stompbox.protocol.connection;

/**
 * What both clients' transactions share: the id, and the connection the transaction began on.
 * A transaction belongs to that connection: once it is lost the broker has dropped the
 * transaction, and every further call on it fails.
 *
 * <pre>{@code
 * try (Transaction tx = client.begin()) {
 *     log.debug("in {}", tx.id());
 *     tx.send("/queue/out", "result");
 *     tx.commit();
 * }
 * }</pre>
 */
public abstract class TransactionHandle {
    private final String id;
    private final long epoch;

    /** @param epoch the client's count of connections when the transaction began */
    protected TransactionHandle(String id, long epoch) {
        this.id = id;
        this.epoch = epoch;
    }

    public final String id() {
        return id;
    }

    /** The connection it began on, as the client counts them. */
    protected final long epoch() {
        return epoch;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + id + "]";
    }
}
