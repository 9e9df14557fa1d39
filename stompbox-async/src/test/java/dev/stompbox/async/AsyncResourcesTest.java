package dev.stompbox.async;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static dev.stompbox.async.Futures.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Threads shared by many clients: used, never shut down by a client, released by their own close. */
class AsyncResourcesTest extends AsyncTestKitSupport {
    private static Set<String> threads(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith(prefix)).collect(Collectors.toSet());
    }

    @Test
    @DisplayName("clients sharing resources run on their threads and start none of their own; closing one leaves the other working")
    void sharedByManyClients() throws Exception {
        Set<String> before = threads("stompbox-async-");
        AsyncStompResources shared = AsyncStompResources.builder().eventLoopThreads(1).handlerThreads(2).build();
        try {
            AsyncStompClient a = connected(AsyncStompClientConfig.builder(server.uri()).resources(shared));
            AsyncStompClient b = connected(AsyncStompClientConfig.builder(server.uri()).resources(shared));
            BlockingQueue<String> handledOn = new ArrayBlockingQueue<>(4);
            get(b.subscribe("/queue/shared", Map.of("receipt", "s"), (c, f) -> {
                handledOn.add(Thread.currentThread().getName());
                return null;
            }));
            get(a.send("/queue/shared", "one"));
            assertThat(handledOn.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).startsWith("stompbox-async-resources-");
            Set<String> started = threads("stompbox-async-");
            started.removeAll(before);
            assertThat(started).as("threads started since").isNotEmpty().allMatch(n -> n.startsWith("stompbox-async-resources-"));

            a.close();
            get(b.send("/queue/shared", "two"));
            assertThat(handledOn.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).startsWith("stompbox-async-resources-");
            assertThat(shared.isTerminated()).isFalse();
            b.close();
        } finally {
            shared.close();
        }
        await().atMost(TIMEOUT).until(shared::isTerminated);
    }

    @Test
    @DisplayName("without shared resources a client starts its own loop, and close() releases it")
    void ownThreadsReleased() {
        Set<String> before = threads("stompbox-async-");
        AsyncStompClient c = connected(AsyncStompClientConfig.builder(server.uri()));
        Set<String> own = threads("stompbox-async-");
        own.removeAll(before);
        assertThat(own).as("the client's own event loop").anyMatch(n -> n.matches("stompbox-async-\\d+-loop-1"));
        c.close();
        await().atMost(TIMEOUT).until(() -> threads("stompbox-async-").stream().noneMatch(own::contains));
    }
}
