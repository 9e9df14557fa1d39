package dev.stompbox.async;

import dev.stompbox.client.StompClient;
import dev.stompbox.client.StompClientConfig;
import dev.stompbox.fixtures.EmbeddedArtemis;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.stompbox.async.Futures.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What the defaults cost in thread hand-offs, on a real broker: a one-at-a-time subscription on a
 * pool keeps the pool thread while messages wait and the event loop takes finished handlers in
 * bursts (it was two wake-ups per message), and a producer that waits on {@code whenReady()} before
 * each send is answered on its own thread while there is room.
 */
class AsyncHandOffsTest {
    @Test
    @DisplayName("concurrency 1 on a pool: one handler at a time, in order, and far fewer pool hand-offs than messages")
    void oneAtATimeHandlersShareHandOffs() throws Exception {
        int n = 2_000;
        ExecutorService pool = Executors.newFixedThreadPool(4);
        AtomicInteger handOffs = new AtomicInteger();
        Executor counting = task -> {
            handOffs.incrementAndGet();
            pool.execute(task);
        };
        try (EmbeddedArtemis broker = new EmbeddedArtemis(60_000)) {
            String q = "/queue/handoffs-" + System.nanoTime();
            try (StompClient producer = StompClient.create(StompClientConfig.builder(broker.uri()).build())) {
                producer.connect();
                for (int i = 0; i < n; i++) {
                    producer.send(q, ByteBuffer.allocate(4).putInt(i).array(), i == n - 1 ? Map.of("receipt", "last") : Map.of())
                            .await(Duration.ofSeconds(30));
                }
            }
            AsyncStompClient consumer = AsyncStompClient.create(AsyncStompClientConfig.builder(broker.uri()).build());
            try {
                get(consumer.connect());
                AtomicInteger running = new AtomicInteger();
                AtomicInteger most = new AtomicInteger();
                AtomicInteger next = new AtomicInteger();
                ConcurrentLinkedQueue<String> disorder = new ConcurrentLinkedQueue<>();
                CountDownLatch all = new CountDownLatch(n);
                get(consumer.subscribe(q, Map.of("ack", "client-individual"), (c, f) -> {
                    most.accumulateAndGet(running.incrementAndGet(), Math::max);
                    int seq = ByteBuffer.wrap(f.body()).getInt();
                    if (seq != next.getAndIncrement()) {
                        disorder.add("got " + seq);
                    }
                    running.decrementAndGet();
                    all.countDown();
                    // Every tenth handler finishes later, on another thread: the next must still wait for it.
                    return seq % 10 == 0 ? CompletableFuture.runAsync(() -> sleep(1)) : null;
                }, SubscriptionOptions.builder().executor(counting).build()));
                assertThat(all.await(60, TimeUnit.SECONDS)).as("every message handled").isTrue();
                assertThat(most.get()).as("handlers at once").isEqualTo(1);
                assertThat(disorder).isEmpty();
                assertThat(handOffs.get()).as("pool hand-offs for %d messages", n).isLessThan(n / 2);
                await().atMost(Duration.ofSeconds(10)).until(() -> consumer.bufferedBytes() == 0 && consumer.completionTasks() > 0);
                assertThat(consumer.completionTasks()).as("event-loop tasks that took finished handlers, for %d messages", n)
                        .isLessThan(n / 2);
            } finally {
                consumer.close();
                pool.shutdownNow();
            }
        }
    }

    @Test
    @DisplayName("the client's own pool, defaults: a one-at-a-time subscription stays on one or two threads, not one per hand-off")
    void theDefaultPoolKeepsAOneAtATimeSubscriptionOnFewThreads() throws Exception {
        int n = 2_000;
        try (EmbeddedArtemis broker = new EmbeddedArtemis(60_000);
             AsyncStompClient producer = AsyncStompClient.create(AsyncStompClientConfig.builder(broker.uri()).build());
             AsyncStompClient consumer = AsyncStompClient.create(AsyncStompClientConfig.builder(broker.uri()).build())) {
            get(producer.connect());
            get(consumer.connect());
            String q = "/queue/default-pool-" + System.nanoTime();
            Set<String> threads = ConcurrentHashMap.newKeySet();
            CountDownLatch all = new CountDownLatch(n + n / 50);
            get(consumer.subscribe(q, Map.of("receipt", "sub"), (c, f) -> {
                threads.add(Thread.currentThread().getName());
                all.countDown();
                return null;
            }));
            for (int i = 0; i < n; i++) {
                producer.send(q, "m" + i);
                if (i % 50 == 49) {
                    get(producer.send(q, "x", Map.of("receipt", "r" + i))); // in small bursts: many hand-offs
                }
            }
            assertThat(all.await(60, TimeUnit.SECONDS)).as("every message handled").isTrue();
            // A pool with maxConcurrency core threads made a new thread for each of its first 256 hand-offs
            // (here 40 and more). Usually one or two; a thread descheduled between the end of one lane turn
            // and its return to the pool can make the next turn take another.
            assertThat(threads).as("handler threads").hasSizeLessThanOrEqualTo(4)
                    .allMatch(name -> name.contains("-handler-"));
        }
    }

    @Test
    @DisplayName("whenReady() with room is already complete when it returns: no trip to the event loop per send")
    void whenReadyAnswersOnTheCallersThread() throws Exception {
        try (EmbeddedArtemis broker = new EmbeddedArtemis(60_000);
             AsyncStompClient client = AsyncStompClient.create(AsyncStompClientConfig.builder(broker.uri()).build())) {
            get(client.connect());
            assertThat(client.whenReady()).as("connected, nothing pending").isDone();
            for (int i = 0; i < 1000; i++) {
                assertThat(client.whenReady().get(10, TimeUnit.SECONDS)).isNull();
                client.send("/queue/ready-" + System.nanoTime() % 4, "m" + i);
            }
            get(client.send("/queue/ready-last", "end", Map.of("receipt", "end")));
            assertThat(client.whenReady()).isDone();
        }
    }

    @Test
    @DisplayName("a burst of sends made while the event loop is busy costs it one turn and one flush, in order, none lost")
    void aBurstOfSendsSharesOneFlush() throws Exception {
        int n = 200;
        try (EmbeddedArtemis broker = new EmbeddedArtemis(60_000);
             AsyncStompClient producer = AsyncStompClient.create(AsyncStompClientConfig.builder(broker.uri()).build());
             StompClient consumer = StompClient.create(StompClientConfig.builder(broker.uri()).build())) {
            get(producer.connect());
            consumer.connect();
            String q = "/queue/burst-" + System.nanoTime();
            consumer.subscribe(q, Map.of("receipt", "sub"));
            LoopRunner runner = producer.runner();
            long flushesBefore = flushes(runner);
            long turnsBefore = runner.taskTurns();
            CountDownLatch loopBusy = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            // Keeps the event loop busy while the producer makes its sends, as a loop busy reading would.
            runner.loop().execute(() -> {
                loopBusy.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertThat(loopBusy.await(10, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<?>[] sent = new CompletableFuture<?>[n];
            for (int i = 0; i < n; i++) {
                sent[i] = producer.send(q, "m" + i);
            }
            assertThat(sent).as("nothing is written while the loop is busy").noneMatch(CompletableFuture::isDone);
            release.countDown();
            CompletableFuture.allOf(sent).get(10, TimeUnit.SECONDS);
            assertThat(runner.taskTurns() - turnsBefore).as("event-loop turns for %d sends", n).isEqualTo(1);
            assertThat(flushes(runner) - flushesBefore).as("flushes for %d sends", n).isEqualTo(1);
            for (int i = 0; i < n; i++) {
                assertThat(consumer.receiveFrame(Duration.ofSeconds(10)).bodyAsString()).isEqualTo("m" + i);
            }
        }
    }

    /** The runner's flush count, read on its event loop. */
    private static long flushes(LoopRunner runner) throws Exception {
        return runner.loop().submit(runner::flushes).get(10, TimeUnit.SECONDS);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
