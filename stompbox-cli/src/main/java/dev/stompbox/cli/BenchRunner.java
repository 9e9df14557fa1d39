package dev.stompbox.cli;

import java.util.List;
import java.util.concurrent.Callable;

/** Runs one pass of the bench (the warm-up, then the measured run) with one of the two clients. */
abstract class BenchRunner {
    final BenchCommand bench;
    final String uri;
    final String dest;

    BenchRunner(BenchCommand bench, String uri, String dest) {
        this.bench = bench;
        this.uri = uri;
        this.dest = dest;
    }

    abstract void run() throws Exception;

    /** Starts producer {@code p}'s thread (a daemon); what {@code work} throws goes to {@code failures}. */
    static Thread producer(int p, Callable<?> work, List<Throwable> failures) {
        Thread t = new Thread(() -> {
            try {
                work.call();
            } catch (Exception e) {
                failures.add(e);
            }
        }, "bench-producer-" + p);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Waits for the producers to end, throws the first failure, then waits for the consumers. */
    void finish(List<Thread> producers, List<Throwable> failures) throws InterruptedException {
        bench.awaitProducers(producers);
        rethrow(failures);
        bench.awaitConsumers();
    }

    /** Throws the first failure a producer or consumer thread had, if any. */
    static void rethrow(List<Throwable> failures) {
        if (!failures.isEmpty()) {
            Throwable t = failures.get(0);
            throw t instanceof RuntimeException ? (RuntimeException) t : new IllegalStateException(t);
        }
    }
}
