package dev.stompbox.cli;

import dev.stompbox.client.Receipt;
import dev.stompbox.client.StompClient;
import dev.stompbox.protocol.StompException;
import dev.stompbox.protocol.StompFrame;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** {@code stompbox bench --client blocking}: one thread and one {@link StompClient} per producer and per consumer. */
final class BlockingBenchRunner extends BenchRunner {
    BlockingBenchRunner(BenchCommand bench, String uri, String dest) {
        super(bench, uri, dest);
    }

    @Override
    void run() throws Exception {
        List<StompClient> clients = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        try {
            CountDownLatch ready = new CountDownLatch(bench.consumers);
            for (int c = 0; c < bench.consumers; c++) {
                StompClient consumer = StompClient.create(bench.blockingConfig(uri));
                clients.add(consumer);
                consumer.connect();
                BenchCommand.Received h = bench.newConsumer();
                Thread t = new Thread(() -> {
                    try {
                        consumer.subscribe(dest, bench.subscribeHeaders()).receipt().await();
                        ready.countDown();
                        while (true) {
                            StompFrame f = consumer.receiveFrame(Duration.ofMillis(200));
                            if (f != null) {
                                bench.record(f, h);
                                if (!bench.ack.equals("auto")) {
                                    ackOrLeave(consumer, f);
                                }
                            } else if (bench.finished() || Thread.currentThread().isInterrupted()) {
                                return;
                            }
                        }
                    } catch (RuntimeException e) {
                        failures.add(e);
                        ready.countDown();
                    }
                }, "bench-consumer-" + c);
                t.setDaemon(true);
                threads.add(t);
                t.start();
            }
            if (!ready.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("consumers did not subscribe within 30 s");
            }
            BenchRunner.rethrow(failures);
            List<StompClient> producers = new ArrayList<>();
            for (int p = 0; p < bench.producers; p++) {
                StompClient client = StompClient.create(bench.blockingConfig(uri));
                clients.add(client);
                client.connect();
                producers.add(client);
            }
            bench.started(); // every producer connected: the run's clock and a --rate schedule leave the handshakes out
            long deadline = bench.deadline();
            List<Thread> senders = new ArrayList<>();
            byte[] body = bench.body();
            for (int p = 0; p < bench.producers; p++) {
                int producer = p;
                StompClient client = producers.get(p);
                senders.add(producer(p, () -> {
                    ArrayDeque<Receipt> inFlight = new ArrayDeque<>();
                    for (long i = 0; bench.more(i, producer, deadline); i++) {
                        Map<String, String> hs = bench.headers(producer, i);
                        if (bench.windowed()) {
                            if (inFlight.size() >= bench.window) {
                                inFlight.poll().await();
                            }
                            inFlight.add(client.send(dest, body, hs));
                        } else {
                            client.send(dest, body, hs);
                        }
                        bench.sentOne();
                    }
                    for (Receipt r : inFlight) {
                        r.await();
                    }
                    return null;
                }, failures));
            }
            finish(senders, failures);
        } finally {
            bench.stopProducing();
            threads.forEach(Thread::interrupt);
            for (StompClient c : clients) {
                c.close();
            }
        }
    }

    /**
     * Acks; with reconnects on, an ack refused because the connection went between receive and ack
     * is left to the broker, which redelivers the message (counted as a duplicate when it comes again).
     */
    private static void ackOrLeave(StompClient consumer, StompFrame f) {
        try {
            consumer.ack(f);
        } catch (StompException e) {
            if (!consumer.config().autoReconnect()) {
                throw e;
            }
        }
    }
}
