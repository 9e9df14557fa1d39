package dev.stompbox.benchmarks;

import dev.stompbox.async.AsyncStompClientConfig;
import dev.stompbox.async.AsyncStompClient;
import dev.stompbox.client.StompClient;
import dev.stompbox.client.StompClientConfig;
import dev.stompbox.protocol.StompFrame;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A bounded soak: eight connections (four producers, four consumers, each pair on its own queue,
 * blocking and asynchronous clients crossed) through one embedded Artemis at a steady rate. After a
 * warm-up, and again at the end while everything still runs, it takes the live thread count and
 * the heap in use after a full GC; then it waits for every message sent to arrive. It fails (exit
 * 1) when either figure grew by more than 10 % or when a message was lost. {@code scripts/soak.sh} runs it.
 *
 * <pre>{@code
 * java -cp "$cp" dev.stompbox.benchmarks.Soak 300 500   # 300 s, 500 msg/s per producer
 * }</pre>
 */
public final class Soak {
    private static final int PAIRS = 4;
    private static final Duration WARM_UP = Duration.ofSeconds(20);

    private Soak() {
    }

    /** What one consumer saw of its producer: each sequence number once, and how many came twice. */
    private static final class Seen {
        private final BitSet seqs = new BitSet();
        private long duplicates;

        synchronized void add(String body) {
            int seq = Integer.parseInt(body.substring(0, body.indexOf(':')));
            if (seqs.get(seq)) {
                duplicates++;
            }
            seqs.set(seq);
        }

        synchronized int distinct() {
            return seqs.cardinality();
        }

        synchronized long duplicates() {
            return duplicates;
        }
    }

    public static void main(String[] args) throws Exception {
        long seconds = args.length > 0 ? Long.parseLong(args[0]) : 300;
        int rate = args.length > 1 ? Integer.parseInt(args[1]) : 500;
        dev.stompbox.cli.LogDefaults.apply();
        Result r = run(Duration.ofSeconds(seconds), rate, WARM_UP);
        System.out.println(r.ok() ? "soak: OK" : "soak: FAILED");
        System.exit(r.ok() ? 0 : 1);
    }

    /** What a soak found: messages sent, lost and duplicated, and growth of threads and heap after GC (0.1 = 10 %). */
    public record Result(long sent, long lost, long duplicates, double threadGrowth, double heapGrowth) {
        /** Nothing lost, and neither threads nor heap after GC grew by more than 10 %. */
        public boolean ok() {
            return lost == 0 && threadGrowth <= 0.10 && heapGrowth <= 0.10;
        }
    }

    /**
     * Runs one soak for {@code duration} (warm-up included) at {@code rate} messages per second per
     * producer, printing progress, and returns what it found; {@code mvn verify} runs a short one.
     */
    public static Result run(Duration duration, int rate, Duration warmUp) throws Exception {
        long seconds = duration.toSeconds();
        try (dev.stompbox.cli.EmbeddedBroker broker = new dev.stompbox.cli.EmbeddedBroker(0, 0)) {
            String uri = "tcp://127.0.0.1:" + broker.port();
            List<AutoCloseable> open = new ArrayList<>();
            List<Seen> seen = new ArrayList<>();
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicBoolean consuming = new AtomicBoolean(true);
            List<Thread> threads = new ArrayList<>();
            AtomicLong[] sent = new AtomicLong[PAIRS];
            for (int p = 0; p < PAIRS; p++) {
                String queue = "/queue/soak-" + p;
                Seen s = new Seen();
                seen.add(s);
                sent[p] = new AtomicLong();
                boolean asyncConsumer = p % 2 == 0;
                boolean asyncProducer = p / 2 == 0;
                if (asyncConsumer) {
                    AsyncStompClient c = AsyncStompClient.create(AsyncStompClientConfig.builder(uri).build());
                    c.connect().get(30, TimeUnit.SECONDS);
                    c.subscribe(queue, Map.of("receipt", "s"), (client, f) -> {
                        s.add(f.bodyAsString());
                        return null;
                    }).get(30, TimeUnit.SECONDS);
                    open.add(c::close);
                } else {
                    StompClient c = StompClient.create(StompClientConfig.builder(uri).build());
                    c.connect();
                    c.subscribe(queue, Map.of("receipt", "s")).receipt().await(Duration.ofSeconds(30));
                    Thread t = new Thread(() -> {
                        while (consuming.get()) {
                            StompFrame f = c.receiveFrame(Duration.ofMillis(200));
                            if (f != null) {
                                s.add(f.bodyAsString());
                            }
                        }
                    }, "soak-consumer-" + p);
                    threads.add(t);
                    open.add(c);
                }
                AtomicLong count = sent[p];
                Sender sender;
                if (asyncProducer) {
                    AsyncStompClient c = AsyncStompClient.create(AsyncStompClientConfig.builder(uri).build());
                    c.connect().get(30, TimeUnit.SECONDS);
                    open.add(c::close);
                    sender = (body, receipt) -> {
                        c.whenReady().get(30, TimeUnit.SECONDS); // send never blocks: wait for room here instead
                        var f = c.send(queue, body, receipt ? Map.of("receipt", "last") : Map.of());
                        if (receipt) {
                            f.get(30, TimeUnit.SECONDS);
                        }
                    };
                } else {
                    StompClient c = StompClient.create(StompClientConfig.builder(uri).build());
                    c.connect();
                    open.add(c);
                    sender = (body, receipt) -> {
                        var r = c.send(queue, body, receipt ? Map.of("receipt", "last") : Map.of());
                        if (receipt) {
                            r.await(Duration.ofSeconds(30));
                        }
                    };
                }
                threads.add(new Thread(() -> produce(sender, rate, running, count), "soak-producer-" + p));
            }
            threads.forEach(Thread::start);
            long start = System.nanoTime();
            Thread.sleep(warmUp.toMillis());
            Snapshot before = Snapshot.take();
            System.out.printf(Locale.ROOT, "after %d s warm-up: %s%n", warmUp.toSeconds(), before);
            long end = start + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < end) {
                Thread.sleep(Math.min(30_000, Math.max(1, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime()))));
                long total = 0;
                for (AtomicLong a : sent) {
                    total += a.get();
                }
                System.out.printf(Locale.ROOT, "%4d s: %,d sent%n", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start), total);
            }
            // The end snapshot while everything still runs, as at the start: like for like.
            Snapshot after = Snapshot.take();
            System.out.printf(Locale.ROOT, "at the end:          %s%n", after);
            running.set(false);
            long drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            boolean complete = false;
            while (!complete && System.nanoTime() < drainDeadline) {
                complete = true;
                for (int p = 0; p < PAIRS; p++) {
                    complete &= seen.get(p).distinct() >= sent[p].get();
                }
                Thread.sleep(100);
            }
            consuming.set(false);
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(30));
            }
            long totalSent = 0;
            long lost = 0;
            long duplicates = 0;
            for (int p = 0; p < PAIRS; p++) {
                totalSent += sent[p].get();
                lost += Math.max(0, sent[p].get() - seen.get(p).distinct());
                duplicates += seen.get(p).duplicates();
            }
            for (AutoCloseable c : open) {
                c.close();
            }
            double threadGrowth = (after.threads() - before.threads()) / (double) before.threads();
            double heapGrowth = (after.heapBytes() - before.heapBytes()) / (double) before.heapBytes();
            System.out.printf(Locale.ROOT, "soak: %d s, 8 connections, %,d messages sent, %d lost, %d duplicated; threads %+.1f %%, heap after GC %+.1f %%%n",
                    seconds, totalSent, lost, duplicates, 100 * threadGrowth, 100 * heapGrowth);
            return new Result(totalSent, lost, duplicates, threadGrowth, heapGrowth);
        }
    }

    @FunctionalInterface
    private interface Sender {
        void send(byte[] body, boolean receipt) throws Exception;
    }

    /** Sends at {@code rate} messages per second until stopped; the last one with a receipt, so that all are on the broker. */
    private static void produce(Sender sender, int rate, AtomicBoolean running, AtomicLong count) {
        long interval = TimeUnit.SECONDS.toNanos(1) / rate;
        long next = System.nanoTime();
        try {
            int seq = 0;
            while (running.get()) {
                sender.send((seq + ":" + "x".repeat(100)).getBytes(StandardCharsets.UTF_8), false);
                count.incrementAndGet();
                seq++;
                next += interval;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
            }
            sender.send((seq + ":last").getBytes(StandardCharsets.UTF_8), true);
            count.incrementAndGet();
        } catch (Exception e) {
            System.err.println("producer failed: " + e);
        }
    }

    /** Live threads and heap in use after a full GC. */
    private record Snapshot(int threads, long heapBytes) {
        static Snapshot take() throws InterruptedException {
            MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
            ThreadMXBean threadBean = ManagementFactory.getThreadMXBean();
            for (int i = 0; i < 3; i++) {
                System.gc();
                Thread.sleep(200);
            }
            return new Snapshot(threadBean.getThreadCount(), memory.getHeapMemoryUsage().getUsed());
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%d live threads, %,d KiB heap in use after GC", threads, heapBytes / 1024);
        }
    }
}
