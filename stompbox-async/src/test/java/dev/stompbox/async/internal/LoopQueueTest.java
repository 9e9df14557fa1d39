package dev.stompbox.async.internal;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class LoopQueueTest {
    private final ExecutorService loop = Executors.newSingleThreadExecutor();
    private final AtomicInteger wrapped = new AtomicInteger(); // turns the owner's wrapper saw

    @AfterEach
    void stop() throws InterruptedException {
        loop.shutdownNow();
        assertThat(loop.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    private LoopQueue queue() {
        return new LoopQueue(loop, turn -> {
            wrapped.incrementAndGet();
            turn.run();
        });
    }

    /** Keeps the loop busy until the returned latch is counted down. */
    private CountDownLatch busy() throws InterruptedException {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        loop.execute(() -> {
            started.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        return release;
    }

    @Test
    @DisplayName("work queued while the loop is busy runs in order, in one turn wrapped once")
    void aBurstIsOneTurn() throws Exception {
        LoopQueue queue = queue();
        CountDownLatch release = busy();
        List<Integer> ran = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch all = new CountDownLatch(100);
        for (int i = 0; i < 100; i++) {
            int n = i;
            queue.submit(() -> {
                ran.add(n);
                all.countDown();
            }, e -> { });
        }
        release.countDown();
        assertThat(all.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(ran).hasSize(100).isSorted();
        assertThat(queue.turns()).isEqualTo(1);
        assertThat(wrapped.get()).isEqualTo(1);
    }

    @Test
    @DisplayName("more than a turn's worth is split into turns, so other work on the loop comes in between, and the order holds")
    void aLongBacklogTakesSeveralTurns() throws Exception {
        LoopQueue queue = queue();
        CountDownLatch release = busy();
        int n = LoopQueue.TASKS_PER_TURN * 2 + 10;
        List<Integer> ran = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch all = new CountDownLatch(n);
        for (int i = 0; i < n; i++) {
            int k = i;
            queue.submit(() -> {
                ran.add(k);
                all.countDown();
            }, e -> { });
        }
        AtomicInteger otherRanAfter = new AtomicInteger(-1);
        loop.execute(() -> otherRanAfter.set(ran.size())); // queued on the loop behind the first turn
        release.countDown();
        assertThat(all.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(ran).hasSize(n).isSorted();
        assertThat(queue.turns()).isEqualTo(3);
        assertThat(otherRanAfter.get()).as("the loop's own task ran between turns").isEqualTo(LoopQueue.TASKS_PER_TURN);
    }

    @Test
    @DisplayName("a task that throws, even an Error, is logged and the ones after it still run")
    void aFailingTaskDoesNotStallTheQueue() throws Exception {
        LoopQueue queue = queue();
        CountDownLatch after = new CountDownLatch(2);
        queue.submit(() -> {
            throw new IllegalStateException("boom");
        }, e -> { });
        queue.submit(after::countDown, e -> { });
        queue.submit(() -> {
            throw new AssertionError("an Error");
        }, e -> { });
        queue.submit(after::countDown, e -> { });
        assertThat(after.await(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    @DisplayName("once the loop has ended, every task is rejected on the caller's thread, none lost and none run")
    void anEndedLoopRejectsEveryTask() throws Exception {
        loop.shutdown();
        assertThat(loop.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        LoopQueue queue = queue();
        AtomicInteger ran = new AtomicInteger();
        List<Thread> rejectedOn = Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < 3; i++) {
            queue.submit(ran::incrementAndGet, e -> {
                assertThat(e).isInstanceOf(RejectedExecutionException.class);
                rejectedOn.add(Thread.currentThread());
            });
        }
        assertThat(ran.get()).isZero();
        assertThat(rejectedOn).hasSize(3).containsOnly(Thread.currentThread());
    }
}
