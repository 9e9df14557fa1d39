package dev.stompbox.async.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Queue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Runs tasks one at a time, in the order given, on an executor's threads; a task that returns a
 * stage still running holds the lane until that stage completes. A thread that finishes a task
 * takes the next one itself, so a stream of tasks costs one hand-off to the executor, not one each
 * (a one-at-a-time subscription's handlers on a pool were bounded by two thread wake-ups per
 * message). After {@link #BATCH} tasks in a row it hands the rest back to the executor, so that a
 * busy lane cannot keep one of a shared pool's threads forever. Thread-safe.
 *
 * <pre>{@code
 * SerialLane lane = new SerialLane(pool);
 * lane.execute(() -> { work(); return null; });          // done when it returns
 * lane.execute(() -> asyncWork());                        // done when the stage completes
 * }</pre>
 */
public final class SerialLane {
    static final int BATCH = 256;
    private static final Logger log = LoggerFactory.getLogger(SerialLane.class);

    private final Executor executor;
    private final Queue<Supplier<? extends CompletionStage<?>>> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();

    public SerialLane(Executor executor) {
        this.executor = executor;
    }

    /**
     * Queues {@code task}: it runs after every task queued before it has finished (returned null or
     * a completed stage, or its stage completed), never at the same time as one.
     *
     * @throws java.util.concurrent.RejectedExecutionException when the executor refuses the lane's
     *                                                         turn; the task is then taken back
     */
    public void execute(Supplier<? extends CompletionStage<?>> task) {
        tasks.add(task);
        if (scheduled.compareAndSet(false, true)) {
            try {
                executor.execute(this::drain);
            } catch (RuntimeException e) {
                tasks.remove(task);
                scheduled.set(false);
                throw e;
            }
        }
    }

    private void drain() {
        for (int n = 0; n < BATCH; n++) {
            Supplier<? extends CompletionStage<?>> task = tasks.poll();
            if (task == null) {
                scheduled.set(false);
                // A task queued after the poll and before the flag cleared found it set and left the turn to us.
                if (tasks.isEmpty() || !scheduled.compareAndSet(false, true)) {
                    return;
                }
                continue;
            }
            CompletionStage<?> running;
            try {
                running = task.get();
            } catch (RuntimeException e) {
                log.warn("a task of a serial lane failed", e);
                continue;
            }
            if (running != null && !done(running)) {
                running.whenComplete((v, t) -> resume()); // the lane stays scheduled: nothing else starts meanwhile
                return;
            }
        }
        resume();
    }

    private void resume() {
        try {
            executor.execute(this::drain);
        } catch (RuntimeException e) {
            log.warn("a serial lane's executor refused it; {} task(s) left unrun", tasks.size(), e);
            scheduled.set(false);
        }
    }

    private static boolean done(CompletionStage<?> stage) {
        try {
            return stage.toCompletableFuture().isDone();
        } catch (UnsupportedOperationException e) {
            return false; // a stage that will not say: wait for it
        }
    }
}
