package dev.stompbox.async;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

import static dev.stompbox.async.Futures.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * Handlers on virtual threads, with the executor the JDK (21 and later) makes for them. The build
 * targets Java 17, so the executor is looked up rather than named; CI runs this test on the newest
 * JDK with {@code -Dstompbox.requireVirtualThreads=true}, where its absence is a failure.
 */
class VirtualThreadHandlersTest extends AsyncTestKitSupport {
    private static ExecutorService virtualThreadPerTask() {
        try {
            Method m = java.util.concurrent.Executors.class.getMethod("newVirtualThreadPerTaskExecutor");
            return (ExecutorService) m.invoke(null);
        } catch (ReflectiveOperationException e) {
            assumeThat(Boolean.getBoolean("stompbox.requireVirtualThreads")).as("virtual threads need JDK 21 or later").isFalse();
            return null;
        }
    }

    @Test
    @DisplayName("handlers on a user-supplied Executors.newVirtualThreadPerTaskExecutor(): blocking handlers run at once, on virtual threads")
    void handlersOnVirtualThreads() throws Exception {
        ExecutorService virtual = virtualThreadPerTask();
        assumeThat(virtual).as("virtual threads need JDK 21 or later").isNotNull();
        try {
            AsyncStompClient client = connected(AsyncStompClientConfig.builder(server.uri()).executor(virtual));
            CountDownLatch allRunning = new CountDownLatch(50);
            CompletableFuture<Void> release = new CompletableFuture<>();
            CompletableFuture<Boolean> onVirtual = new CompletableFuture<>();
            get(client.subscribe("/queue/virtual", Map.of("ack", "client-individual", "receipt", "s"), (c, f) -> {
                onVirtual.complete((Boolean) Thread.class.getMethod("isVirtual").invoke(Thread.currentThread()));
                allRunning.countDown();
                release.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                return null;
            }, SubscriptionOptions.builder().concurrency(50).build()));
            for (int i = 0; i < 50; i++) {
                server.publish("/queue/virtual", "m" + i);
            }
            assertThat(allRunning.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).as("50 blocking handlers at once").isTrue();
            assertThat(onVirtual.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            release.complete(null);
        } finally {
            virtual.shutdown();
        }
    }
}
