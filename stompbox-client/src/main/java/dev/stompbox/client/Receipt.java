package dev.stompbox.client;

import dev.stompbox.protocol.StompConnectionException;
import dev.stompbox.protocol.StompException;
import dev.stompbox.protocol.StompReceiptTimeoutException;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The RECEIPT a command asked for. It completes when the broker's RECEIPT arrives, fails with
 * {@link StompReceiptTimeoutException} when the client's receipt timeout passes first (whether or
 * not anyone is waiting), and fails with {@link StompConnectionException} at once when the
 * connection is lost. A command that asked for no receipt returns {@link #NONE}, already complete.
 *
 * <pre>{@code
 * Receipt r = client.send("/queue/orders", body, Map.of("receipt", "order-42"));
 * r.await(Duration.ofSeconds(5));      // the broker has the message
 * }</pre>
 */
public final class Receipt {
    /** For commands sent without a receipt: nothing to wait for. */
    public static final Receipt NONE = new Receipt(null, CompletableFuture.completedFuture(null), Duration.ZERO);

    private final String id;
    private final CompletableFuture<Void> future;
    private final Duration timeout;

    Receipt(String id, CompletableFuture<Void> future, Duration timeout) {
        this.id = id;
        this.future = future;
        this.timeout = timeout;
    }

    /** The receipt id, or {@code null} for {@link #NONE}. */
    public String id() {
        return id;
    }

    /** Whether the RECEIPT arrived, or the receipt failed. */
    public boolean isDone() {
        return future.isDone();
    }

    /** Waits, at most the client's receipt timeout, for the RECEIPT. */
    public void await() {
        await(timeout);
    }

    /**
     * Waits at most {@code timeout} for the RECEIPT.
     *
     * @throws StompReceiptTimeoutException if it does not come in time
     * @throws StompConnectionException     if the connection was lost first
     */
    public void await(Duration timeout) {
        if (id == null) {
            return;
        }
        try {
            future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new StompReceiptTimeoutException(id, timeout);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof StompException) {
                throw ((StompException) e.getCause()).forCaller(); // this thread's stack, the original as cause
            }
            throw new StompConnectionException("receipt " + id + " failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StompConnectionException("interrupted while waiting for receipt " + id, e);
        }
    }

    /** The receipt as a stage, for code that does not want to block. */
    public CompletionStage<Void> toCompletionStage() {
        return future.minimalCompletionStage();
    }

    @Override
    public String toString() {
        return id == null ? "Receipt[none]" : "Receipt[" + id + (future.isDone() ? ", done]" : ", pending]");
    }
}
