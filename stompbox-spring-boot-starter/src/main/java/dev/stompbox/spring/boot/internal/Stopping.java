package dev.stompbox.spring.boot.internal;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** A lifecycle's blocking {@code stop()} from its asynchronous {@code stop(Runnable)}, waiting at most a bound. */
public final class Stopping {
    private Stopping() {
    }

    /** Runs {@code stop} with a callback and waits for it, at most {@code bound}. */
    public static void await(Consumer<Runnable> stop, Duration bound) {
        CompletableFuture<Void> stopped = new CompletableFuture<>();
        stop.accept(() -> stopped.complete(null));
        stopped.orTimeout(bound.toMillis(), TimeUnit.MILLISECONDS).exceptionally(e -> null).join();
    }
}
