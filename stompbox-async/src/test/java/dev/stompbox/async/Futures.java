package dev.stompbox.async;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waiting on futures in tests, never without a bound. */
public final class Futures {
    public static final Duration TIMEOUT = Duration.ofSeconds(15);

    private Futures() {
    }

    /** The value, or the failure rethrown; an AssertionError when nothing comes within the timeout. */
    public static <T> T get(CompletableFuture<T> f) {
        try {
            return f.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException ? (RuntimeException) e.getCause() : new RuntimeException(e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError("no completion within " + TIMEOUT, e);
        }
    }

    /** Why the future failed; an AssertionError when it completes normally or not at all. */
    public static Throwable failure(CompletableFuture<?> f) {
        try {
            f.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            throw new AssertionError("completed normally");
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError("no completion within " + TIMEOUT, e);
        }
    }
}
