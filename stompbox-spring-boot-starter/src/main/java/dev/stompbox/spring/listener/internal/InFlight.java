package dev.stompbox.spring.listener.internal;

import java.time.Duration;

/** Listener methods running now, so that stopping can wait for them (bounded). Thread-safe. */
public final class InFlight {
    private int running;

    public synchronized void enter() {
        running++;
    }

    public synchronized void exit() {
        if (--running == 0) {
            notifyAll();
        }
    }

    public synchronized int running() {
        return running;
    }

    /** Waits until none runs or {@code timeout} passed; returns how many still run. */
    public synchronized int awaitIdle(Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        for (long left = timeout.toNanos(); running > 0 && left > 0; left = end - System.nanoTime()) {
            wait(Math.max(1, left / 1_000_000));
        }
        return running;
    }
}
