package dev.stompbox.benchmarks;

import dev.stompbox.async.AsyncStompClientConfig;
import dev.stompbox.async.AsyncStompClient;
import dev.stompbox.async.MessageHandler;
import dev.stompbox.async.SubscriptionOptions;
import dev.stompbox.client.Receipt;
import dev.stompbox.client.StompClient;
import dev.stompbox.client.StompClientConfig;
import dev.stompbox.protocol.StompFrame;
import org.HdrHistogram.Histogram;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * End to end on one broker: producers send through it to consumers, every contender the same
 * workload. Contenders: Stompbox blocking and Stompbox async here; Spring's
 * {@code ReactorNettyTcpStompClient}, Vert.x {@code StompClient} and a raw socket writing pre-encoded
 * frames and counting NULs back (the limit the broker allows any client) in {@link EndToEndPeers}.
 */
final class EndToEnd {
    static final String SENT_NS = "stompbox-sent-ns";

    // The contenders' names, as the report's tables and targets look them up.
    static final String BLOCKING = "Stompbox blocking";
    static final String ASYNC = "Stompbox async";
    static final String ASYNC_TUNED = "Stompbox async, tuned";
    static final String SPRING = "Spring ReactorNettyTcpStompClient";
    static final String VERTX = "Vert.x StompClient";
    static final String RAW = "raw socket (limit)";
    static final String RAW_EACH = "raw socket, a write per SEND";

    /** One workload. */
    record Workload(int producers, int consumers, int size, int messages, boolean receipts, int window) {
        String label() {
            return producers + "p/" + consumers + "c " + (size >= 1024 ? size / 1024 + " KiB" : size + " B") + (receipts ? ", receipts" : "");
        }
    }

    /**
     * What one run measured; latency is NaN for the raw socket, which reads no headers.
     * {@code cpuMicrosPerMessage} is this process's CPU time (every thread: the clients, the
     * harness's producer threads and recorder) from the first send to the last delivery, per
     * message delivered: with the broker in a JVM of its own, what a message costs the client side.
     * {@code jitMillis} is the time this JVM spent compiling meanwhile: near 0 in a warm run; when it is
     * not, the CPU figure holds compilation too.
     */
    record Result(double msgPerSec, double p50Micros, double p99Micros, long lost, double cpuMicrosPerMessage, long jitMillis) {
        static Result failed(long lost) {
            return new Result(Double.NaN, Double.NaN, Double.NaN, lost, Double.NaN, 0);
        }

        /** The figures on one console line, as the full run and {@link EndToEndRun} print them. */
        String line() {
            return String.format(java.util.Locale.ROOT, "%,10.0f msg/s  p50 %,9.0f us  p99 %,9.0f us  cpu %5.1f us/msg  jit %d ms  lost %d",
                    msgPerSec, p50Micros, p99Micros, cpuMicrosPerMessage, jitMillis, lost);
        }
    }

    private static final java.lang.management.CompilationMXBean JIT = java.lang.management.ManagementFactory.getCompilationMXBean();

    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();

    /** Counts what consumers receive and the end-to-end latency. */
    static final class Recorder {
        final AtomicLong received = new AtomicLong();
        final Histogram latency = new Histogram(TimeUnit.MINUTES.toMicros(10), 3);
        volatile long lastNanos;

        void record(String sentNs) {
            long now = System.nanoTime();
            if (sentNs != null) {
                long micros = Math.max(0, (now - Long.parseLong(sentNs)) / 1000);
                synchronized (latency) {
                    latency.recordValue(Math.min(micros, latency.getHighestTrackableValue()));
                }
            }
            received.incrementAndGet();
            lastNanos = now;
        }

        void count(long n) {
            received.addAndGet(n);
            lastNanos = System.nanoTime();
        }
    }

    interface Producer extends AutoCloseable {
        /** Sends one message; with receipts, acquires a window permit released on the RECEIPT. */
        void send(String destination, byte[] body, Semaphore window) throws Exception;

        /** Waits until everything sent is written (and confirmed, with receipts). */
        default void finish(Semaphore window, int permits) throws Exception {
            if (window != null) {
                window.acquire(permits);
            }
        }

        @Override
        void close() throws Exception;
    }

    interface Contender {
        String name();

        /** Subscribed and confirmed when this returns. */
        AutoCloseable consumer(String host, int port, String destination, Recorder recorder) throws Exception;

        Producer producer(String host, int port, boolean receipts) throws Exception;
    }

    /**
     * Every contender, by short name ({@code blocking}, {@code async}, {@code async-tuned}, {@code spring}, {@code vertx},
     * {@code raw}, {@code raw-each}), in report order; {@code vertx} is the caller's, who shuts it down.
     */
    static Map<String, Contender> contenders(EndToEndPeers.VertxClient vertx) {
        Map<String, Contender> all = new java.util.LinkedHashMap<>();
        all.put("blocking", new StompboxBlocking());
        all.put("async", new StompboxAsync(false));
        all.put("async-tuned", new StompboxAsync(true));
        all.put("spring", new EndToEndPeers.SpringTcp());
        all.put("vertx", vertx);
        all.put("raw", new EndToEndPeers.RawSocket(false));
        all.put("raw-each", new EndToEndPeers.RawSocket(true));
        return all;
    }

    static Result run(Contender contender, String host, int port, Workload w) throws Exception {
        String destination = "/queue/e2e-" + UUID.randomUUID();
        Recorder recorder = new Recorder();
        List<AutoCloseable> open = new ArrayList<>();
        try {
            for (int c = 0; c < w.consumers(); c++) {
                open.add(contender.consumer(host, port, destination, recorder));
            }
            List<Producer> producers = new ArrayList<>();
            for (int p = 0; p < w.producers(); p++) {
                Producer producer = contender.producer(host, port, w.receipts());
                producers.add(producer);
                open.add(producer);
            }
            byte[] body = new byte[w.size()];
            java.util.Arrays.fill(body, (byte) 'x');
            long cpuStart = OS.getProcessCpuTime();
            long jitStart = JIT.getTotalCompilationTime();
            long start = System.nanoTime();
            List<Thread> threads = new ArrayList<>();
            List<Exception> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
            for (int p = 0; p < w.producers(); p++) {
                Producer producer = producers.get(p);
                int share = w.messages() / w.producers() + (p < w.messages() % w.producers() ? 1 : 0);
                Thread t = new Thread(() -> {
                    Semaphore window = w.receipts() ? new Semaphore(w.window()) : null;
                    try {
                        for (int i = 0; i < share; i++) {
                            producer.send(destination, body, window);
                        }
                        producer.finish(window, w.window());
                    } catch (InterruptedException e) {
                        // Cut off after stalling: what it did not deliver is counted as lost.
                    } catch (Exception e) {
                        failures.add(e);
                    }
                }, "e2e-producer-" + p);
                t.setDaemon(true); // a stalled contender must never keep the benchmark JVM alive
                threads.add(t);
                t.start();
            }
            long cutOff = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            for (Thread t : threads) {
                // A contender that stalls is cut off and counted as losing the rest.
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(cutOff - System.nanoTime())));
            }
            for (Thread t : threads) {
                t.interrupt();
            }
            if (!failures.isEmpty()) {
                throw failures.get(0);
            }
            long quiet = TimeUnit.SECONDS.toNanos(10);
            while (recorder.received.get() < w.messages() && System.nanoTime() - Math.max(recorder.lastNanos, start) < quiet) {
                Thread.sleep(5);
            }
            long cpu = OS.getProcessCpuTime() - cpuStart;
            long jit = JIT.getTotalCompilationTime() - jitStart;
            long received = recorder.received.get();
            double seconds = Math.max(1e-9, (recorder.lastNanos - start) / 1e9);
            Histogram h = recorder.latency;
            boolean hasLatency = h.getTotalCount() > 0;
            return new Result(received / seconds, hasLatency ? h.getValueAtPercentile(50) : Double.NaN,
                    hasLatency ? h.getValueAtPercentile(99) : Double.NaN, Math.max(0, w.messages() - received),
                    received > 0 ? cpu / 1000.0 / received : Double.NaN, jit);
        } finally {
            for (AutoCloseable c : open) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // Best effort: the next run uses fresh connections.
                }
            }
        }
    }

    static Map<String, String> stamp() {
        return Map.of(SENT_NS, Long.toString(System.nanoTime()));
    }

    /** The blocking client: one thread per connection. */
    static final class StompboxBlocking implements Contender {
        @Override
        public String name() {
            return BLOCKING;
        }

        @Override
        public AutoCloseable consumer(String host, int port, String destination, Recorder recorder) {
            StompClient client = StompClient.create(StompClientConfig.builder("tcp://" + host + ":" + port).build());
            client.connect();
            client.subscribe(destination, Map.of("receipt", "sub")).receipt().await();
            Thread t = new Thread(() -> {
                try {
                    while (!Thread.currentThread().isInterrupted()) {
                        StompFrame f = client.receiveFrame(Duration.ofMillis(100));
                        if (f != null) {
                            recorder.record(f.header(SENT_NS));
                        }
                    }
                } catch (RuntimeException closed) {
                    // The run is over.
                }
            }, "e2e-stompbox-consumer");
            t.setDaemon(true);
            t.start();
            return () -> {
                t.interrupt();
                client.close();
            };
        }

        @Override
        public Producer producer(String host, int port, boolean receipts) {
            StompClient client = StompClient.create(StompClientConfig.builder("tcp://" + host + ":" + port).build());
            client.connect();
            AtomicLong ids = new AtomicLong();
            java.util.ArrayDeque<Receipt> inFlight = new java.util.ArrayDeque<>();
            return new Producer() {
                @Override
                public void send(String destination, byte[] body, Semaphore window) throws InterruptedException {
                    if (window == null) {
                        client.send(destination, body, stamp());
                        return;
                    }
                    window.acquire();
                    Map<String, String> hs = new java.util.HashMap<>(stamp());
                    hs.put("receipt", "r" + ids.incrementAndGet());
                    Receipt r = client.send(destination, body, hs);
                    r.toCompletionStage().whenComplete((v, t) -> window.release());
                    inFlight.add(r);
                    if (inFlight.size() > 4096) {
                        inFlight.poll();
                    }
                }

                @Override
                public void close() {
                    client.close();
                }
            };
        }
    }

    /**
     * The asynchronous client. With {@code tuned} false it is used as the README shows it, every
     * setting at its default: handlers on the client's pool, one at a time, and a producer that
     * waits on {@code whenReady()} before each send. Tuned, as {@link #TUNED} says: handlers on the
     * event loop, 64 at a time, and at most 1000 sends in flight per producer.
     */
    static final class StompboxAsync implements Contender {
        static final String TUNED = "handlers on the event loop (onEventLoop(true)), concurrency(64), 1000 sends in flight per producer";
        private final boolean tuned;

        StompboxAsync(boolean tuned) {
            this.tuned = tuned;
        }

        @Override
        public String name() {
            return tuned ? ASYNC_TUNED : ASYNC;
        }

        @Override
        public AutoCloseable consumer(String host, int port, String destination, Recorder recorder) throws Exception {
            AsyncStompClient client = AsyncStompClient.create(AsyncStompClientConfig.builder("tcp://" + host + ":" + port).build());
            client.connect().get(30, TimeUnit.SECONDS);
            MessageHandler handler = (c, f) -> {
                recorder.record(f.header(SENT_NS));
                return null;
            };
            if (tuned) {
                client.subscribe(destination, Map.of("receipt", "sub"), handler,
                        SubscriptionOptions.builder().onEventLoop(true).concurrency(64).build()).get(30, TimeUnit.SECONDS);
            } else {
                client.subscribe(destination, Map.of("receipt", "sub"), handler).get(30, TimeUnit.SECONDS);
            }
            return client::close;
        }

        @Override
        public Producer producer(String host, int port, boolean receipts) throws Exception {
            AsyncStompClient client = AsyncStompClient.create(AsyncStompClientConfig.builder("tcp://" + host + ":" + port).build());
            client.connect().get(30, TimeUnit.SECONDS);
            AtomicLong ids = new AtomicLong();
            Semaphore written = new Semaphore(1000); // tuned: bounds the sends queued on the event loop
            CompletableFuture<?>[] last = {CompletableFuture.completedFuture(null)};
            return new Producer() {
                @Override
                public void send(String destination, byte[] body, Semaphore window) throws Exception {
                    Map<String, String> hs = stamp();
                    if (window != null) {
                        window.acquire();
                        hs = new java.util.HashMap<>(hs);
                        hs.put("receipt", "r" + ids.incrementAndGet());
                    } else if (tuned) {
                        written.acquire();
                    }
                    if (!tuned) {
                        client.whenReady().get(30, TimeUnit.SECONDS); // the README's producer loop
                    }
                    Semaphore release = window != null ? window : tuned ? written : null;
                    CompletableFuture<Void> f = client.send(destination, body, hs);
                    if (release != null) {
                        f.whenComplete((v, t) -> release.release());
                    }
                    last[0] = f;
                }

                @Override
                public void finish(Semaphore window, int permits) throws Exception {
                    if (window != null) {
                        window.acquire(permits);
                    } else if (tuned) {
                        written.acquire(1000);
                    } else {
                        last[0].get(30, TimeUnit.SECONDS); // sends complete in order, when written
                    }
                }

                @Override
                public void close() {
                    client.close();
                }
            };
        }
    }
}
