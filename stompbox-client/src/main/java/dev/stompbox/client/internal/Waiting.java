package dev.stompbox.client.internal;

import dev.stompbox.protocol.StompConnectionException;
import dev.stompbox.protocol.StompException;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** How the blocking client waits for what the engine completes. */
public final class Waiting {
    private Waiting() {
    }

    /**
     * Waits for {@code future} (a connect or a disconnect), at most {@code timeout} ({@code null}:
     * as long as it takes), and throws what it failed with.
     */
    public static void await(CompletableFuture<Void> future, Duration timeout, String what) {
        try {
            if (timeout == null) {
                future.get();
            } else {
                future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof StompException) {
                throw ((StompException) e.getCause()).forCaller(); // this thread's stack, the original as cause
            }
            throw new StompConnectionException(what + " failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new StompConnectionException(what + " did not finish within " + timeout.toMillis() + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StompConnectionException("interrupted while waiting: " + what, e);
        }
    }
}
