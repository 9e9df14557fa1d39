package dev.stompbox.async.internal;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The pool handlers run on when the application names no executor: up to {@code maxThreads}
 * threads, a new one only when every thread is busy, an idle one ending after a minute; tasks
 * beyond the threads wait in a queue of {@code queueCapacity}, and past that are refused.
 *
 * <p>Why not a plain {@link ThreadPoolExecutor} with {@code maxThreads} core threads: that makes a
 * new thread for each of its first {@code maxThreads} tasks even while others sit idle, so one
 * subscription taking one message at a time ends up spread over hundreds of threads, every hand-off
 * waking a cold one. And with fewer core threads it queues rather than grows, capping the
 * handlers' concurrency without saying so. Here a task goes to an idle thread when there is one
 * and makes a thread when there is none. Thread-safe.
 *
 * <pre>{@code
 * HandlerPool pool = HandlerPool.create(256, 256, threadFactory);
 * pool.execute(task);     // an idle thread takes it, or a new one, or it waits its turn
 * }</pre>
 */
public final class HandlerPool extends ThreadPoolExecutor {
    private final AtomicInteger threads;
    private final AtomicInteger submitted = new AtomicInteger(); // queued or running

    private HandlerPool(int maxThreads, GrowFirst queue, ThreadFactory factory, AtomicInteger threads) {
        super(0, maxThreads, 60, TimeUnit.SECONDS, queue, counted(factory, threads));
        this.threads = threads;
        queue.pool = this;
    }

    public static HandlerPool create(int maxThreads, int queueCapacity, ThreadFactory factory) {
        return new HandlerPool(maxThreads, new GrowFirst(queueCapacity), factory, new AtomicInteger());
    }

    /**
     * Counts the threads without asking the pool, whose own count takes its main lock. Counted when
     * made, not when started: counted on start, a thread not yet running looked absent and the next
     * task made another. (A thread that is made and then fails to start stays counted; the pool then
     * queues a task one thread earlier than it might, and the task waits for a busy one.)
     */
    private static ThreadFactory counted(ThreadFactory factory, AtomicInteger threads) {
        return r -> {
            Thread t = factory.newThread(() -> {
                try {
                    r.run();
                } finally {
                    threads.decrementAndGet();
                }
            });
            if (t != null) {
                threads.incrementAndGet();
            }
            return t;
        };
    }

    @Override
    public void execute(Runnable task) {
        submitted.incrementAndGet();
        // Uncounted as soon as the task returns, before the pool's own bookkeeping: a thread at that
        // point is all but idle, and the next task should wait for it rather than make another.
        Runnable counted = () -> {
            try {
                task.run();
            } finally {
                submitted.decrementAndGet();
            }
        };
        try {
            super.execute(counted);
        } catch (RejectedExecutionException e) {
            // Refused for want of a thread (all busy, or none could be made): the queue takes it, if it
            // has room and some thread is there to take it from the queue.
            if (isShutdown() || !((GrowFirst) getQueue()).force(counted) || (getPoolSize() == 0 && remove(counted))) {
                submitted.decrementAndGet();
                throw e;
            }
        }
    }

    /** Threads made and not ended; for tests. */
    int threads() {
        return threads.get();
    }

    /** Refuses a task while no thread is idle and the pool may grow, so that it grows rather than queues. */
    private static final class GrowFirst extends LinkedBlockingQueue<Runnable> {
        private transient HandlerPool pool;

        GrowFirst(int capacity) {
            super(capacity);
        }

        @Override
        public boolean offer(Runnable task) {
            HandlerPool p = pool;
            int alive = p.threads.get();
            if (p.submitted.get() > alive && alive < p.getMaximumPoolSize()) {
                return false;
            }
            return super.offer(task);
        }

        boolean force(Runnable task) {
            return super.offer(task);
        }
    }
}
