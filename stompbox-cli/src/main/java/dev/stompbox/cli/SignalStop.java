package dev.stompbox.cli;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Lets Ctrl-C or SIGTERM end a command's work rather than its process at once. The JVM runs its
 * shutdown hooks on both signals, and other threads go on while they run: this one marks the stop
 * and, once the command is {@link #arm() armed}, waits at most {@code bound} for it to say it is done
 * ({@link #close()}), so that it can finish cleanly (a summary, a graceful disconnect) before the JVM
 * ends. Before that (connecting, say) a signal ends the JVM at once, as if there were no hook.
 *
 * <pre>{@code
 * try (SignalStop stop = new SignalStop("tail", Duration.ofSeconds(15))) {
 *     connect();
 *     stop.arm();
 *     while (!stop.requested()) { ... }
 * }
 * }</pre>
 */
final class SignalStop implements AutoCloseable {
    private final CountDownLatch done = new CountDownLatch(1);
    private final Thread hook;
    private volatile boolean requested;
    private volatile boolean armed;
    private volatile long requestedNanos;

    private final Duration bound;
    private final Runnable onSignal;

    SignalStop(String command, Duration bound) {
        this(command, bound, () -> { });
    }

    /** @param onSignal run first when a signal comes, to wake a command that waits for one */
    SignalStop(String command, Duration bound, Runnable onSignal) {
        this.bound = bound;
        this.onSignal = onSignal;
        hook = new Thread(this::signal, "stompbox-" + command + "-stop");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** What the hook runs on Ctrl-C or SIGTERM; tests call it. Returns once the command is done, or at the bound. */
    void signal() {
        requestedNanos = System.nanoTime();
        requested = true;
        onSignal.run();
        if (!armed) {
            return;
        }
        try {
            done.await(bound.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** From now on a signal waits for the command to finish: it has something to finish, and does so quickly. */
    void arm() {
        armed = true;
    }

    /** Whether a signal asked the command to stop. */
    boolean requested() {
        return requested;
    }

    /** When it did ({@link System#nanoTime()}); meaningful once {@link #requested()}. */
    long requestedNanos() {
        return requestedNanos;
    }

    /** The command is done: a signal that came lets the JVM end now; none will wait from here on. */
    @Override
    public void close() {
        done.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running, and now ends
        }
    }
}
