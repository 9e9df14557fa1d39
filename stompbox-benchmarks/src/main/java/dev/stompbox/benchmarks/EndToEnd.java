package dev.stompbox.benchmarks;

import dev.stompbox.async.AsyncStompClientConfig;
import dev.stompbox.async.AsyncStompClient;
import dev.stompbox.async.MessageHandler;
import dev.stompbox.async.SubscriptionOptions;
import dev.stompbox.client.Receipt;
import dev.stompbox.client.StompClient;
import dev.stompbox.client.StompClientConfig;
import dev.stompbox.protocol.StompCommand;
import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.StompVersion;
import dev.stompbox.protocol.codec.StompEncoder;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.stomp.StompClientConnection;
import io.vertx.ext.stomp.StompClientOptions;
import org.HdrHistogram.Histogram;
import org.springframework.messaging.converter.ByteArrayMessageConverter;
import org.springframework.messaging.simp.stomp.ReactorNettyTcpStompClient;
import org.springframework.messaging.simp.stomp.StompFrameHandler;
import org.springframework.messaging.simp.stomp.StompHeaders;
import org.springframework.messaging.simp.stomp.StompSession;
import org.springframework.messaging.simp.stomp.StompSessionHandlerAdapter;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Type;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
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
 * workload. Contenders: Stompbox blocking, Stompbox async, Spring's {@code ReactorNettyTcpStompClient},
 * Vert.x {@code StompClient}, and a raw socket writing pre-encoded frames and counting NULs back
 * (the limit the broker allows any client).
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
     */
    record Result(double msgPerSec, double p50Micros, double p99Micros, long lost, double cpuMicrosPerMessage) {
        static Result failed(long lost) {
            return new Result(Double.NaN, Double.NaN, Double.NaN, lost, Double.NaN);
        }
    }

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
     * {@code raw}), in report order; {@code vertx} is the caller's, who shuts it down.
     */
    static Map<String, Contender> contenders(VertxClient vertx) {
        Map<String, Contender> all = new java.util.LinkedHashMap<>();
        all.put("blocking", new StompboxBlocking());
        all.put("async", new StompboxAsync(false));
        all.put("async-tuned", new StompboxAsync(true));
        all.put("spring", new SpringTcp());
        all.put("vertx", vertx);
        all.put("raw", new RawSocket());
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
            long received = recorder.received.get();
            double seconds = Math.max(1e-9, (recorder.lastNanos - start) / 1e9);
            Histogram h = recorder.latency;
            boolean hasLatency = h.getTotalCount() > 0;
            return new Result(received / seconds, hasLatency ? h.getValueAtPercentile(50) : Double.NaN,
                    hasLatency ? h.getValueAtPercentile(99) : Double.NaN, Math.max(0, w.messages() - received),
                    received > 0 ? cpu / 1000.0 / received : Double.NaN);
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

    private static Map<String, String> stamp() {
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

    /** Spring's STOMP client over TCP (Reactor Netty). */
    static final class SpringTcp implements Contender {
        private static final org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler SCHEDULER = scheduler();

        private static org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler scheduler() {
            org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler s = new org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler();
            s.setDaemon(true);
            s.initialize();
            return s;
        }

        @Override
        public String name() {
            return SPRING;
        }

        private static StompSession connect(String host, int port, ReactorNettyTcpStompClient[] holder) throws Exception {
            ReactorNettyTcpStompClient client = new ReactorNettyTcpStompClient(host, port);
            client.setMessageConverter(new ByteArrayMessageConverter());
            client.setTaskScheduler(SCHEDULER); // receipts need one
            holder[0] = client;
            return client.connectAsync(new StompSessionHandlerAdapter() {
            }).get(30, TimeUnit.SECONDS);
        }

        @Override
        public AutoCloseable consumer(String host, int port, String destination, Recorder recorder) throws Exception {
            ReactorNettyTcpStompClient[] holder = new ReactorNettyTcpStompClient[1];
            StompSession session = connect(host, port, holder);
            session.setAutoReceipt(true);
            java.util.concurrent.CountDownLatch subscribed = new java.util.concurrent.CountDownLatch(1);
            session.subscribe(destination, new StompFrameHandler() {
                @Override
                public Type getPayloadType(StompHeaders headers) {
                    return byte[].class;
                }

                @Override
                public void handleFrame(StompHeaders headers, Object payload) {
                    recorder.record(headers.getFirst(SENT_NS));
                }
            }).addReceiptTask((Runnable) subscribed::countDown);
            subscribed.await(30, TimeUnit.SECONDS);
            return () -> {
                session.disconnect();
                holder[0].shutdown();
            };
        }

        @Override
        public Producer producer(String host, int port, boolean receipts) throws Exception {
            ReactorNettyTcpStompClient[] holder = new ReactorNettyTcpStompClient[1];
            StompSession session = connect(host, port, holder);
            session.setAutoReceipt(receipts);
            return new Producer() {
                @Override
                public void send(String destination, byte[] body, Semaphore window) throws InterruptedException {
                    StompHeaders h = new StompHeaders();
                    h.setDestination(destination);
                    h.set(SENT_NS, Long.toString(System.nanoTime()));
                    if (window != null) {
                        window.acquire();
                        session.send(h, body).addReceiptTask((Runnable) window::release);
                    } else {
                        session.send(h, body);
                    }
                }

                @Override
                public void close() {
                    session.disconnect();
                    holder[0].shutdown();
                }
            };
        }
    }

    /** Vert.x {@code StompClient}. */
    static final class VertxClient implements Contender {
        private final Vertx vertx = Vertx.vertx();

        @Override
        public String name() {
            return VERTX;
        }

        /**
         * The client must stay reachable while its connection is used: Vert.x closes the TCP client
         * of a {@code StompClient} that is garbage collected, and with it every connection (Artemis
         * then answers each later SEND with "Connection is not valid"). Dropping the client after
         * connecting is what made Vert.x lose messages in earlier runs of this harness.
         */
        private record Connection(io.vertx.ext.stomp.StompClient client, StompClientConnection connection)
                implements AutoCloseable {
            @Override
            public void close() throws Exception {
                connection.close();
                client.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            }
        }

        private Connection connect(String host, int port) throws Exception {
            io.vertx.ext.stomp.StompClient client = io.vertx.ext.stomp.StompClient.create(vertx,
                    new StompClientOptions().setHost(host).setPort(port)
                            .setHeartbeat(new io.vertx.core.json.JsonObject().put("x", 10000).put("y", 10000)));
            return new Connection(client, client.connect().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS));
        }

        @Override
        public AutoCloseable consumer(String host, int port, String destination, Recorder recorder) throws Exception {
            Connection c = connect(host, port);
            c.connection().subscribe(destination, new java.util.HashMap<>(), f -> recorder.record(f.getHeader(SENT_NS)))
                    .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            return c;
        }

        @Override
        public Producer producer(String host, int port, boolean receipts) throws Exception {
            Connection connection = connect(host, port);
            StompClientConnection c = connection.connection();
            // Vert.x's future-returning send always asks for a RECEIPT; its Completable overload with
            // null sends none. Each workload gets what it asks for.
            io.vertx.ext.stomp.impl.StompClientConnectionImpl impl = (io.vertx.ext.stomp.impl.StompClientConnectionImpl) c;
            return new Producer() {
                @Override
                public void send(String destination, byte[] body, Semaphore window) throws InterruptedException {
                    Map<String, String> hs = new java.util.HashMap<>(stamp());
                    if (window == null) {
                        impl.send(destination, hs, Buffer.buffer(body), null);
                        return;
                    }
                    window.acquire();
                    c.send(destination, hs, Buffer.buffer(body)).onComplete(ar -> window.release());
                }

                @Override
                public void close() throws Exception {
                    connection.close();
                }
            };
        }

        void shutdown() throws Exception {
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    /** The limit: pre-encoded frames written to a socket, NULs counted back. No headers read, so no latency. */
    static final class RawSocket implements Contender {
        @Override
        public String name() {
            return RAW;
        }

        private static Socket open(String host, int port, String extra) throws IOException {
            Socket s = new Socket(host, port);
            s.setTcpNoDelay(true);
            OutputStream out = s.getOutputStream();
            out.write(("CONNECT\naccept-version:1.2\nhost:/\nheart-beat:0,0\n\n\0" + extra).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return s;
        }

        /** Reads until {@code n} NULs have gone by (CONNECTED, RECEIPT). */
        private static void skipFrames(InputStream in, int n) throws IOException {
            int seen = 0;
            while (seen < n) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("closed");
                }
                if (b == 0) {
                    seen++;
                }
            }
        }

        @Override
        public AutoCloseable consumer(String host, int port, String destination, Recorder recorder) throws Exception {
            Socket s = open(host, port, "SUBSCRIBE\nid:0\ndestination:" + destination + "\nreceipt:s\n\n\0");
            InputStream in = s.getInputStream();
            skipFrames(in, 2);
            Thread t = new Thread(() -> {
                byte[] buf = new byte[64 * 1024];
                try {
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        int nuls = 0;
                        for (int i = 0; i < n; i++) {
                            if (buf[i] == 0) {
                                nuls++;
                            }
                        }
                        if (nuls > 0) {
                            recorder.count(nuls);
                        }
                    }
                } catch (IOException closed) {
                    // The run is over.
                }
            }, "e2e-raw-consumer");
            t.setDaemon(true);
            t.start();
            return s::close;
        }

        @Override
        public Producer producer(String host, int port, boolean receipts) throws Exception {
            Socket s = open(host, port, "");
            InputStream in = s.getInputStream();
            skipFrames(in, 1);
            OutputStream out = new BufferedOutputStream(s.getOutputStream(), 64 * 1024);
            byte[][] frame = new byte[1][];
            Semaphore[] window = new Semaphore[1];
            if (receipts) {
                Thread reader = new Thread(() -> {
                    byte[] buf = new byte[16 * 1024];
                    try {
                        int n;
                        while ((n = in.read(buf)) > 0) {
                            for (int i = 0; i < n; i++) {
                                if (buf[i] == 0 && window[0] != null) {
                                    window[0].release();
                                }
                            }
                        }
                    } catch (IOException closed) {
                        // The run is over.
                    }
                }, "e2e-raw-receipts");
                reader.setDaemon(true);
                reader.start();
            }
            return new Producer() {
                @Override
                public void send(String destination, byte[] body, Semaphore w) throws IOException, InterruptedException {
                    if (frame[0] == null) {
                        StompFrame.Builder b = StompFrame.builder(StompCommand.SEND).header("destination", destination)
                                .header(SENT_NS, "0");
                        if (w != null) {
                            b.header("receipt", "r");
                        }
                        frame[0] = StompEncoder.of(StompVersion.V1_2).encode(b.bodyWithoutCopy(body).build());
                    }
                    if (w != null) {
                        window[0] = w;
                        if (!w.tryAcquire()) {
                            out.flush(); // the broker must see what we wrote before it can answer
                            w.acquire();
                        }
                    }
                    out.write(frame[0]);
                }

                @Override
                public void finish(Semaphore w, int permits) throws Exception {
                    out.flush();
                    if (w != null) {
                        w.acquire(permits);
                    }
                }

                @Override
                public void close() throws IOException {
                    s.close();
                }
            };
        }
    }
}
