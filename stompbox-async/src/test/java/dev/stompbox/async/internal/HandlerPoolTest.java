package dev.stompbox.async.internal;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class HandlerPoolTest {
    private HandlerPool pool;

    private HandlerPool pool(int maxThreads, int queue) {
        AtomicInteger n = new AtomicInteger();
        pool = HandlerPool.create(maxThreads, queue, r -> {
            Thread t = new Thread(r, "handler-pool-test-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        return pool;
    }

    @AfterEach
    void shutDown() throws InterruptedException {
        pool.shutdownNow();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    @DisplayName("tasks one after another (a one-at-a-time subscription) stay on one thread, not one each")
    void sequentialTasksReuseAThread() {
        HandlerPool p = pool(256, 256);
        for (int i = 0; i < 500; i++) {
            AtomicInteger ran = new AtomicInteger();
            p.execute(ran::incrementAndGet);
            // The next task comes once this one is over for the pool too (its thread back waiting):
            // one after another, with no descheduled thread in between to make the pool grow.
            await().atMost(10, TimeUnit.SECONDS).pollInterval(java.time.Duration.ofMillis(1))
                    .until(() -> ran.get() == 1 && p.getActiveCount() == 0);
        }
        assertThat(p.getLargestPoolSize()).isEqualTo(1);
    }

    @Test
    @DisplayName("as many tasks as threads all run at once: the pool grows rather than queues them")
    void growsToRunEveryTaskAtOnce() throws Exception {
        HandlerPool p = pool(8, 8);
        CyclicBarrier all = new CyclicBarrier(8 + 1);
        for (int i = 0; i < 8; i++) {
            p.execute(() -> {
                try {
                    all.await(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
        }
        all.await(10, TimeUnit.SECONDS); // only if eight run at the same time
        assertThat(p.getLargestPoolSize()).isEqualTo(8);
    }

    @Test
    @DisplayName("past its threads a task waits in the queue, past the queue it is refused, and every accepted one runs")
    void queuesThenRefuses() throws InterruptedException {
        HandlerPool p = pool(2, 2);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger ran = new AtomicInteger();
        Runnable blocked = () -> {
            try {
                release.await(10, TimeUnit.SECONDS);
                ran.incrementAndGet();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        for (int i = 0; i < 4; i++) {
            p.execute(blocked);
        }
        assertThatThrownBy(() -> p.execute(blocked)).isInstanceOf(RejectedExecutionException.class);
        assertThat(p.getLargestPoolSize()).isEqualTo(2);
        release.countDown();
        await().atMost(10, TimeUnit.SECONDS).until(() -> ran.get() == 4);
        CountDownLatch again = new CountDownLatch(1);
        p.execute(again::countDown);
        assertThat(again.await(10, TimeUnit.SECONDS)).as("a refused task leaves the count right").isTrue();
    }

    @Test
    @DisplayName("a thread factory that makes no thread: the task is refused, not left in a queue nobody takes")
    void noThreadMeansRefused() {
        pool = HandlerPool.create(4, 4, r -> null);
        assertThatThrownBy(() -> pool.execute(() -> { })).isInstanceOf(RejectedExecutionException.class);
        assertThat(pool.getQueue()).isEmpty();
    }

    @Test
    void idleThreadsEnd() throws InterruptedException {
        HandlerPool p = pool(4, 4);
        p.setKeepAliveTime(50, TimeUnit.MILLISECONDS);
        CountDownLatch done = new CountDownLatch(1);
        p.execute(done::countDown);
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        await().atMost(10, TimeUnit.SECONDS).until(() -> p.threads() == 0 && p.getPoolSize() == 0);
        CountDownLatch later = new CountDownLatch(1);
        p.execute(later::countDown);
        assertThat(later.await(10, TimeUnit.SECONDS)).as("a thread is made again").isTrue();
    }
}
