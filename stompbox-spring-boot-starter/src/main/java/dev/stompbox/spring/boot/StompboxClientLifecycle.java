package dev.stompbox.spring.boot;

import dev.stompbox.async.AsyncStompClient;
import dev.stompbox.protocol.connection.ConnectionConfig;
import dev.stompbox.spring.boot.internal.Stopping;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Connects the asynchronous client when the application context starts and disconnects it
 * gracefully when the context stops (running handlers may finish, within the disconnect timeout).
 * It starts before the {@code @StompListener} methods subscribe and stops after they have.
 *
 * <p>At start, the client walks its failover schedule with no deadline: the application starts
 * while the broker is away, the health indicator says why, and {@link #connected()} completes
 * once the client is in. With {@code stompbox.startup.fail-fast=true} the start waits at most
 * {@code stompbox.startup.timeout} instead and fails the application when the client is not in
 * by then. Thread-safe.
 *
 * <pre>{@code
 * @Autowired StompboxClientLifecycle stompbox;
 * stompbox.connected().thenAccept(client -> client.send("/queue/audit", "started"));
 * }</pre>
 */
public class StompboxClientLifecycle implements SmartLifecycle {
    /** Before the listener methods (which subscribe after it) and before the web server stops. */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

    private static final Logger log = LoggerFactory.getLogger(StompboxClientLifecycle.class);

    private final AsyncStompClient client;
    private final StompboxProperties properties;
    private volatile CompletableFuture<AsyncStompClient> connected = new CompletableFuture<>();
    private volatile boolean running;

    public StompboxClientLifecycle(AsyncStompClient client, StompboxProperties properties) {
        this.client = client;
        this.properties = properties;
    }

    /** Completes with the client once it is connected (the first time after each start). */
    public CompletableFuture<AsyncStompClient> connected() {
        return connected;
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        // A start after a stop: the first connect of this start completes a fresh future.
        CompletableFuture<AsyncStompClient> target = connected.isDone() ? (connected = new CompletableFuture<>()) : connected;
        StompboxProperties.Startup startup = properties.getStartup();
        CompletableFuture<AsyncStompClient> attempt = client.connect(startup.isFailFast() ? startup.getTimeout() : ConnectionConfig.FOREVER);
        attempt.whenComplete((c, e) -> {
            if (e == null) {
                target.complete(c);
            } else {
                if (running) {
                    log.error("Stompbox could not connect to {}: {}", client.config().uri(), e.toString());
                } else {
                    log.debug("Stompbox stopped before it connected to {}: {}", client.config().uri(), e.toString());
                }
                target.completeExceptionally(e);
            }
        });
        if (startup.isFailFast()) {
            awaitOrFail(attempt, startup.getTimeout());
        }
    }

    private void awaitOrFail(CompletableFuture<AsyncStompClient> attempt, Duration timeout) {
        try {
            // connect(bound) ends by itself at the bound; the second is a margin, not a second wait.
            attempt.get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            running = false;
            client.closeNow();
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IllegalStateException("Stompbox could not connect to " + client.config().uri() + " within " + timeout
                    + " (stompbox.startup.fail-fast=true): " + cause.getMessage(), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while connecting to " + client.config().uri(), e);
        }
    }

    @Override
    public void stop(Runnable callback) {
        synchronized (this) {
            if (!running) {
                callback.run();
                return;
            }
            running = false;
        }
        client.disconnect().whenComplete((v, e) -> {
            if (e != null) {
                log.debug("Stompbox disconnect: {}", e.toString());
            }
            callback.run();
        });
    }

    @Override
    public void stop() {
        Stopping.await(this::stop, client.config().disconnectTimeout().plusSeconds(1));
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
