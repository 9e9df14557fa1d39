package dev.stompbox.async.brokers;

import dev.stompbox.async.AsyncStompClientConfig;
import dev.stompbox.async.AsyncSubscription;
import dev.stompbox.async.AsyncStompClient;
import dev.stompbox.client.StompClient;
import dev.stompbox.client.StompClientConfig;
import dev.stompbox.fixtures.ArtemisExtension;
import dev.stompbox.fixtures.TestBroker;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.stompbox.async.Futures.get;
import static org.assertj.core.api.Assertions.assertThat;

/** The asynchronous client's own promises, on a real broker. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AsyncArtemisScenariosTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    @RegisterExtension
    static final ArtemisExtension BROKER = new ArtemisExtension();
    private TestBroker broker;

    @BeforeAll
    void start(TestBroker started) {
        broker = started;
    }

    private AsyncStompClient client(AsyncStompClientConfig.Builder config) {
        AsyncStompClient c = AsyncStompClient.create(config.build());
        get(c.connect());
        return c;
    }

    @Test
    void poisonPillWithoutErrorDestinationDisconnectsAndTheMessageIsRedeliveredToTheNextConsumer() throws Exception {
        String q = "/queue/poison-" + System.nanoTime();
        AsyncStompClient first = client(AsyncStompClientConfig.builder(broker.uri()).disconnectTimeout(Duration.ofSeconds(5)));
        try {
            get(first.subscribe(q, Map.of("ack", "client-individual", "receipt", "s"), (c, f) -> {
                throw new IllegalStateException("poison: " + f.bodyAsString());
            }));
            get(first.send(q, "pill".getBytes(java.nio.charset.StandardCharsets.UTF_8), Map.of("receipt", "r")));
            assertThat(failure(first.disconnected())).hasMessage("poison: pill");
            assertThat(first.isConnected()).isFalse();
        } finally {
            first.close();
        }
        AsyncStompClient second = client(AsyncStompClientConfig.builder(broker.uri()));
        try {
            BlockingQueue<String> got = new ArrayBlockingQueue<>(1);
            get(second.subscribe(q, Map.of("ack", "client-individual"), (c, f) -> {
                got.add(f.bodyAsString());
                return null;
            }));
            assertThat(got.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("pill");
        } finally {
            second.close();
        }
    }

    @Test
    void unsubscribingWaitsForTheRunningHandlerSoThatItsAckCountsAndLetsTheWaitingMessageGoToTheNextConsumer() throws Exception {
        String q = "/queue/unsubscribe-" + System.nanoTime();
        AsyncStompClient first = client(AsyncStompClientConfig.builder(broker.uri()));
        java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        BlockingQueue<String> handled = new ArrayBlockingQueue<>(2);
        try {
            AsyncSubscription sub = get(first.subscribe(q, Map.of("ack", "client-individual"), (c, f) -> {
                started.countDown();
                release.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                handled.add(f.bodyAsString());
                return null;
            }));
            get(first.send(q, "running".getBytes(java.nio.charset.StandardCharsets.UTF_8), Map.of("receipt", "r1")));
            get(first.send(q, "waiting".getBytes(java.nio.charset.StandardCharsets.UTF_8), Map.of("receipt", "r2")));
            assertThat(started.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();

            CompletableFuture<Void> unsubscribed = first.unsubscribe(sub);
            Thread.sleep(300);
            assertThat(unsubscribed).as("the UNSUBSCRIBE waits for the running handler").isNotDone();
            release.countDown();
            get(unsubscribed);
            assertThat(handled).as("the waiting message was never started").containsExactly("running");
        } finally {
            first.close();
        }
        AsyncStompClient second = client(AsyncStompClientConfig.builder(broker.uri()));
        try {
            BlockingQueue<String> got = new ArrayBlockingQueue<>(2);
            get(second.subscribe(q, Map.of("ack", "client-individual"), (c, f) -> {
                got.add(f.bodyAsString());
                return null;
            }));
            assertThat(got.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).as("the message not handled is redelivered").isEqualTo("waiting");
            assertThat(got.poll(1, TimeUnit.SECONDS)).as("the handled one was acked before the UNSUBSCRIBE").isNull();
        } finally {
            second.close();
        }
    }

    @Test
    void aRefusedSubscriptionFailsItsFutureWithTheBrokersError() throws Exception {
        AsyncStompClient client = client(AsyncStompClientConfig.builder(broker.uri()));
        CompletableFuture<AsyncSubscription> refused = client.subscribe("/queue/selector-" + System.nanoTime(),
                Map.of("selector", "this is not a selector"), (c, f) -> null);
        assertThat(failure(refused)).isInstanceOf(dev.stompbox.protocol.StompBrokerException.class);

        AsyncStompClient other = client(AsyncStompClientConfig.builder(broker.uri()));
        AsyncSubscription accepted = get(other.subscribe("/queue/fine-" + System.nanoTime(), Map.of(), (c, f) -> null));
        assertThat(accepted.id()).isNotEmpty(); // completed: the broker's RECEIPT came
    }

    /**
     * Artemis refuses a bad selector with an ERROR that names no frame, and closes. With auto-reconnect
     * the SUBSCRIBE is tried once more (the ERROR might not have been about it); refused again, it fails
     * with the ERROR and is not made again, and the client is back and stays connected. It used to replay
     * the bad selector into the same refusal on every reconnect, at once, for ever.
     */
    @Test
    void withAutoReconnectARefusedSubscriptionIsNotReplayed() throws Exception {
        java.util.concurrent.atomic.AtomicInteger reconnects = new java.util.concurrent.atomic.AtomicInteger();
        AsyncStompClient client = client(AsyncStompClientConfig.builder(broker.uri()).autoReconnect(true)
                .listener(new dev.stompbox.protocol.connection.ConnectionListener() {
                    @Override
                    public void reconnected(dev.stompbox.protocol.connection.ReconnectReport report) {
                        reconnects.incrementAndGet();
                    }
                }));
        try {
            CompletableFuture<AsyncSubscription> refused = client.subscribe("/queue/selector-" + System.nanoTime(),
                    Map.of("selector", "this is not a selector"), (c, f) -> null);
            assertThat(failure(refused)).isInstanceOf(dev.stompbox.protocol.StompBrokerException.class);
            String q = "/queue/after-refusal-" + System.nanoTime();
            org.awaitility.Awaitility.await("connected again").atMost(TIMEOUT).until(client::isConnected);
            get(client.subscribe(q, Map.of(), (c, f) -> null));
            Thread.sleep(1000);
            get(client.send(q, "fine".getBytes(java.nio.charset.StandardCharsets.UTF_8), Map.of("receipt", "fine")));
            assertThat(client.isConnected()).isTrue();
            assertThat(reconnects.get()).as("one to try the SUBSCRIBE once more, one after it was refused again, and no more")
                    .isEqualTo(2);
        } finally {
            client.close();
        }
    }

    @Test
    void aHundredThousandWaitingMessagesAndASlowHandlerKeepTheClientsBufferBounded() throws Exception {
        String q = "/queue/flood-" + System.nanoTime();
        int n = 100_000;
        try (StompClient producer = StompClient.create(StompClientConfig.builder(broker.uri()).build())) {
            producer.connect();
            byte[] body = new byte[100];
            for (int i = 0; i < n - 1; i++) {
                producer.send(q, body, Map.of());
            }
            producer.send(q, body, Map.of("receipt", "last")).await(TIMEOUT);
        }
        AsyncStompClient consumer = client(AsyncStompClientConfig.builder(broker.uri()).maxBufferedMessages(200));
        try {
            AtomicInteger handled = new AtomicInteger();
            CompletableFuture<Void> slow = new CompletableFuture<>();
            // ack auto: Artemis then pushes without waiting for acks. With client acks it stops once its
            // consumer window of unacked bytes is out, which here is about what the handler's lane takes
            // ahead (32 messages), and then there was sometimes nothing left to buffer.
            get(consumer.subscribe(q, Map.of("ack", "auto"), (c, f) -> {
                handled.incrementAndGet();
                return slow; // the first handler never finishes: everything else waits
            }));
            long max = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            while (System.nanoTime() < deadline) {
                max = Math.max(max, consumer.bufferedBytes());
                Thread.onSpinWait();
            }
            assertThat(handled.get()).isEqualTo(1);
            // About 200 waiting messages of ~300 bytes each, whatever the broker has queued.
            assertThat(max).isPositive().isLessThan(512L * 1024);
        } finally {
            consumer.closeNow(); // its handler never finishes: a graceful close would wait the disconnect timeout for it
        }
    }

    private static Throwable failure(CompletableFuture<?> f) throws InterruptedException {
        try {
            f.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            throw new AssertionError("completed normally");
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("no completion", e);
        }
    }
}
