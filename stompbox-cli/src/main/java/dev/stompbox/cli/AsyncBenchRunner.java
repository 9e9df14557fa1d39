package dev.stompbox.cli;

import dev.stompbox.async.AsyncStompClient;
import dev.stompbox.async.SubscriptionOptions;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * {@code stompbox bench --client async}: one {@link AsyncStompClient} per producer and per consumer,
 * used as the README shows it unless told otherwise. Consumers subscribe with a handler and the
 * subscription's defaults (handlers on the client's pool, one at a time), or with
 * {@code --on-event-loop} and {@code --concurrency}. Each producer is a thread of its own that waits
 * on {@code whenReady()} before every send, and with receipts keeps at most {@code --window} sends
 * awaiting theirs.
 */
final class AsyncBenchRunner extends BenchRunner {
    AsyncBenchRunner(BenchCommand bench, String uri, String dest) {
        super(bench, uri, dest);
    }

    @Override
    void run() throws Exception {
        List<AsyncStompClient> clients = new ArrayList<>();
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        try {
            SubscriptionOptions options = SubscriptionOptions.builder().onEventLoop(bench.onEventLoop).concurrency(bench.concurrency).build();
            for (int c = 0; c < bench.consumers; c++) {
                AsyncStompClient consumer = AsyncStompClient.create(bench.asyncConfig(uri));
                clients.add(consumer);
                consumer.connect().get(30, TimeUnit.SECONDS);
                BenchCommand.Received h = bench.newConsumer();
                consumer.subscribe(dest, bench.subscribeHeaders(), (client, f) -> {
                    synchronized (h) { // handlers of one subscription may run on different threads, or several at once
                        bench.record(f, h);
                    }
                    return null;
                }, options).get(30, TimeUnit.SECONDS);
            }
            List<AsyncStompClient> producers = new ArrayList<>();
            for (int p = 0; p < bench.producers; p++) {
                AsyncStompClient client = AsyncStompClient.create(bench.asyncConfig(uri));
                clients.add(client);
                client.connect().get(30, TimeUnit.SECONDS);
                producers.add(client);
            }
            bench.started(); // every producer connected: the run's clock and a --rate schedule leave the handshakes out
            long deadline = bench.deadline();
            byte[] body = bench.body();
            List<Thread> senders = new ArrayList<>();
            for (int p = 0; p < bench.producers; p++) {
                int producer = p;
                AsyncStompClient client = producers.get(p);
                // A thread per producer, as for the blocking client: a shared pool would run no more
                // producers at once than it has threads, and they block here by design.
                senders.add(producer(p, () -> produce(client, producer, deadline, body), failures));
            }
            finish(senders, failures);
        } finally {
            bench.stopProducing();
            for (AsyncStompClient c : clients) {
                c.close();
            }
        }
    }

    private Void produce(AsyncStompClient client, int producer, long deadline, byte[] body) throws Exception {
        Semaphore window = bench.windowed() ? new Semaphore(bench.window) : null;
        CompletableFuture<Void> last = CompletableFuture.completedFuture(null);
        for (long i = 0; bench.more(i, producer, deadline); i++) {
            // Stamped first (at --rate, once its due time has come): a wait for room after that counts in its latency.
            Map<String, String> headers = bench.headers(producer, i);
            if (window != null && !window.tryAcquire(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("no RECEIPT freed a place in the window within 30 s");
            }
            client.whenReady().get(30, TimeUnit.SECONDS); // the README's producer loop
            last = client.send(dest, body, headers);
            if (window != null) {
                last.whenComplete((v, t) -> window.release());
            }
            bench.sentOne();
        }
        if (window != null && !window.tryAcquire(bench.window, 60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the last RECEIPTs did not come within 60 s");
        }
        // Sends complete in order: the last one done means all were. One that failed is not thrown
        // here: its message never arrives, and the summary counts it lost.
        return last.handle((v, t) -> (Void) null).get(60, TimeUnit.SECONDS);
    }
}
