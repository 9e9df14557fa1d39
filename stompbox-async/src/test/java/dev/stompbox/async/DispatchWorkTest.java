package dev.stompbox.async;

import dev.stompbox.client.StompClient;
import dev.stompbox.client.StompClientConfig;
import dev.stompbox.fixtures.EmbeddedArtemis;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.stompbox.async.Futures.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The dispatcher runs after every message read and every handler finished. With a full buffer behind
 * a busy handler it must not walk every waiting message each time: that made the client's work grow
 * with the square of the buffer (a 1 000-message buffer cost ~500 000 steps per 1 000 messages), and
 * made every message of a flowing subscription step over the backlog of a busy one.
 */
class DispatchWorkTest {
    @Test
    void handingOutABufferBehindABusyHandlerTakesWorkLinearInTheMessages() throws Exception {
        int n = 3_000;
        try (EmbeddedArtemis broker = new EmbeddedArtemis(60_000)) {
            String q = "/queue/drain-" + System.nanoTime();
            try (StompClient producer = StompClient.create(StompClientConfig.builder(broker.uri()).build())) {
                producer.connect();
                for (int i = 0; i < n - 1; i++) {
                    producer.send(q, new byte[10], Map.of());
                }
                producer.send(q, new byte[10], Map.of("receipt", "last")).await(Duration.ofSeconds(30));
            }
            AsyncStompClient consumer = AsyncStompClient.create(AsyncStompClientConfig.builder(broker.uri()).build());
            try {
                get(consumer.connect());
                CompletableFuture<Void> first = new CompletableFuture<>();
                AtomicInteger handled = new AtomicInteger();
                CountDownLatch all = new CountDownLatch(n);
                get(consumer.subscribe(q, Map.of(), (c, f) -> {
                    all.countDown();
                    return handled.getAndIncrement() == 0 ? first : null;
                }, SubscriptionOptions.builder().concurrency(1).build()));
                // Let the buffer fill up behind the first handler, then let everything through.
                await().atMost(Duration.ofSeconds(30)).until(() -> consumer.bufferedBytes() > 0);
                Thread.sleep(500); // a pause, not a wait: the buffer keeps filling behind the stuck handler
                assertThat(handled.get()).isEqualTo(1);
                first.complete(null);
                assertThat(all.await(60, TimeUnit.SECONDS)).as("every message handled").isTrue();
                assertThat(consumer.drainSteps()).isLessThan(5L * n);
            } finally {
                consumer.close();
            }
        }
    }

    @Test
    void aFlowingSubscriptionDoesNotStepOverTheBacklogOfABusyOne() throws Exception {
        int backlog = 500; // under maxBufferedMessages (1 000), so that reading goes on behind it
        int flowing = 3_000;
        try (EmbeddedArtemis broker = new EmbeddedArtemis(60_000)) {
            String busyQueue = "/queue/busy-" + System.nanoTime();
            String flowingQueue = "/queue/flowing-" + System.nanoTime();
            try (StompClient producer = StompClient.create(StompClientConfig.builder(broker.uri()).build())) {
                producer.connect();
                for (int i = 0; i < backlog; i++) {
                    producer.send(busyQueue, new byte[10], Map.of());
                }
                for (int i = 0; i < flowing - 1; i++) {
                    producer.send(flowingQueue, new byte[10], Map.of());
                }
                producer.send(flowingQueue, new byte[10], Map.of("receipt", "last")).await(Duration.ofSeconds(30));
            }
            AsyncStompClient consumer = AsyncStompClient.create(AsyncStompClientConfig.builder(broker.uri()).build());
            try {
                get(consumer.connect());
                CompletableFuture<Void> stuck = new CompletableFuture<>();
                get(consumer.subscribe(busyQueue, Map.of(), (c, f) -> stuck, SubscriptionOptions.builder().concurrency(1).build()));
                await().atMost(Duration.ofSeconds(30)).until(() -> consumer.bufferedBytes() > 0);
                CountDownLatch all = new CountDownLatch(flowing);
                get(consumer.subscribe(flowingQueue, Map.of(), (c, f) -> {
                    all.countDown();
                    return null;
                }, SubscriptionOptions.builder().concurrency(1).build()));
                assertThat(all.await(60, TimeUnit.SECONDS)).as("every message of the flowing subscription handled").isTrue();
                // Walking the busy subscription's ~470 waiting messages for each message read and each
                // handler finished was some two million steps here.
                assertThat(consumer.drainSteps()).isLessThan(5L * (backlog + flowing));
                stuck.complete(null);
            } finally {
                consumer.close();
            }
        }
    }
}
