package dev.stompbox.async.internal;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SerialLaneTest {
    private final ExecutorService pool = Executors.newFixedThreadPool(4);
    private final AtomicInteger handOffs = new AtomicInteger();
    private final Executor counting = task -> {
        handOffs.incrementAndGet();
        pool.execute(task);
    };

    @AfterEach
    void stop() throws InterruptedException {
        pool.shutdownNow();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    @DisplayName("tasks run in order, one at a time, and a backlog costs one hand-off per batch, not one per task")
    void orderOneAtATimeAndFewHandOffs() throws Exception {
        SerialLane lane = new SerialLane(counting);
        int n = 10_000;
        List<Integer> order = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        CountDownLatch gate = new CountDownLatch(1);
        CountDownLatch all = new CountDownLatch(n);
        for (int i = 0; i < n; i++) {
            int k = i;
            lane.execute(() -> {
                most.accumulateAndGet(running.incrementAndGet(), Math::max);
                if (k == 0) {
                    await(gate); // the rest queue up behind the first
                }
                order.add(k);
                running.decrementAndGet();
                all.countDown();
                return null;
            });
        }
        gate.countDown();
        assertThat(all.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(most.get()).as("never two at once").isEqualTo(1);
        assertThat(order).hasSize(n).isSorted();
        assertThat(handOffs.get()).as("hand-offs for %d queued tasks", n).isLessThanOrEqualTo(1 + n / SerialLane.BATCH + 1);
    }

    @Test
    @DisplayName("a task whose stage is still running holds the lane until it completes; a failing task does not stop it")
    void asynchronousTasksHoldTheLane() throws Exception {
        SerialLane lane = new SerialLane(counting);
        CompletableFuture<Void> first = new CompletableFuture<>();
        CountDownLatch secondRan = new CountDownLatch(1);
        CountDownLatch thirdRan = new CountDownLatch(1);
        lane.execute(() -> first);
        lane.execute(() -> {
            secondRan.countDown();
            throw new IllegalStateException("a handler's bug");
        });
        lane.execute(() -> {
            thirdRan.countDown();
            return CompletableFuture.completedFuture(null);
        });
        assertThat(secondRan.await(300, TimeUnit.MILLISECONDS)).as("waits for the first stage").isFalse();
        first.complete(null);
        assertThat(secondRan.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(thirdRan.await(10, TimeUnit.SECONDS)).as("the lane goes on after a failed task").isTrue();
    }

    @Test
    @DisplayName("an executor that refuses the lane's turn: the caller hears it and the task is not left queued")
    void refusedTurn() throws Exception {
        SerialLane lane = new SerialLane(task -> {
            throw new RejectedExecutionException("shut down");
        });
        AtomicInteger ran = new AtomicInteger();
        assertThatThrownBy(() -> lane.execute(() -> {
            ran.incrementAndGet();
            return null;
        })).isInstanceOf(RejectedExecutionException.class);
        SerialLane working = new SerialLane(counting);
        CountDownLatch done = new CountDownLatch(1);
        working.execute(() -> {
            done.countDown();
            return null;
        });
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(ran.get()).isZero();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
