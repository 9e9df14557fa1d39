package dev.stompbox.async.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Work that other threads ask of one event loop, run there in the order it was asked, a turn at a
 * time: the loop takes everything queued (at most {@value #TASKS_PER_TURN} tasks) in one task of its
 * own, wrapped in what the owner wants done once per turn (the asynchronous client applies the
 * engine's effects and flushes once, at the end). A burst of sends then costs the loop one task and
 * one flush rather than one of each per send, and nothing waits for a batch to fill: a turn starts
 * as soon as the loop is free. One queue for every kind of work keeps the order a thread asked in.
 * When the loop has ended, each task's {@code rejected} handler runs instead, on the caller's
 * thread. Thread-safe.
 *
 * <pre>{@code
 * LoopQueue queue = new LoopQueue(eventLoop, turn -> { turn.run(); flush(); });
 * queue.submit(() -> write(frame), e -> result.completeExceptionally(e));
 * }</pre>
 */
public final class LoopQueue {
    /** Queued tasks the loop runs in one turn before it lets reads and timers in. */
    public static final int TASKS_PER_TURN = 256;
    private static final Logger log = LoggerFactory.getLogger(LoopQueue.class);

    private record Task(Runnable work, Consumer<RejectedExecutionException> rejected) {
    }

    private final Executor loop;
    private final Consumer<Runnable> turn;
    private final Queue<Task> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean posted = new AtomicBoolean();
    private final AtomicLong turns = new AtomicLong();

    /**
     * @param loop the event loop (any executor that runs one task at a time, in order)
     * @param turn runs a turn's work, given as a {@link Runnable}, with whatever the owner does around it
     */
    public LoopQueue(Executor loop, Consumer<Runnable> turn) {
        this.loop = loop;
        this.turn = turn;
    }

    /**
     * Queues {@code work} for the loop, after all work queued before it. When the loop has ended,
     * {@code rejected} runs instead, on this thread (or on whichever thread finds it ended).
     */
    public void submit(Runnable work, Consumer<RejectedExecutionException> rejected) {
        tasks.add(new Task(work, rejected));
        if (posted.compareAndSet(false, true)) {
            post();
        }
    }

    /** Turns the loop has taken so far; for tests that a burst costs one. */
    public long turns() {
        return turns.get();
    }

    private void post() {
        try {
            loop.execute(this::runTurn);
        } catch (RejectedExecutionException e) {
            reject(e);
        }
    }

    /** The loop ended: every queued task, and any queued while this runs, is told so. */
    private void reject(RejectedExecutionException e) {
        do {
            Task t;
            while ((t = tasks.poll()) != null) {
                try {
                    t.rejected().accept(e);
                } catch (RuntimeException x) {
                    log.warn("a rejected event loop task's handler failed", x);
                }
            }
            posted.set(false);
        } while (!tasks.isEmpty() && posted.compareAndSet(false, true));
    }

    private void runTurn() {
        turns.incrementAndGet();
        turn.accept(this::runTasks);
    }

    private void runTasks() {
        for (int n = 0; n < TASKS_PER_TURN; n++) {
            Task t = tasks.poll();
            if (t == null) {
                posted.set(false);
                // A task queued after the poll and before the flag cleared found it set and left the turn to us.
                if (tasks.isEmpty() || !posted.compareAndSet(false, true)) {
                    return;
                }
                continue;
            }
            try {
                t.work().run();
            } catch (Throwable e) { // as Netty treats a task that throws: logged, and the loop goes on
                log.warn("event loop task failed", e);
            }
        }
        post(); // more than a turn's worth: the rest in a turn of its own, so that reads and timers come in between
    }
}
