package dev.stompbox.it;

import dev.stompbox.async.AsyncStompClientConfig;
import dev.stompbox.async.AsyncStompClient;
import dev.stompbox.client.StompClient;
import dev.stompbox.client.StompClientConfig;
import dev.stompbox.fixtures.ClassicExtension;
import dev.stompbox.fixtures.TestBroker;
import dev.stompbox.protocol.StompCommand;
import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.metrics.StompMetrics;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.TestInstance;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Micrometer is optional: with no Micrometer class anywhere on the class path, both clients connect,
 * send, receive and report through {@link StompMetrics} as usual.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WithoutMicrometerTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    @RegisterExtension
    static final ClassicExtension BROKER = new ClassicExtension();
    private TestBroker broker;

    @BeforeAll
    void start(TestBroker started) {
        broker = started;
    }

    @Test
    void thereIsNoMicrometerAndNoArtemisOnThisClassPath() {
        assertThatThrownBy(() -> Class.forName("io.micrometer.core.instrument.MeterRegistry"))
                .isInstanceOf(ClassNotFoundException.class);
        assertThatThrownBy(() -> Class.forName("org.apache.activemq.artemis.core.server.ActiveMQServer"))
                .isInstanceOf(ClassNotFoundException.class);
    }

    @Test
    void blockingClientWorksWithDefaultAndOwnMetrics() {
        CountingMetrics metrics = new CountingMetrics();
        String q = "/queue/no-micrometer-blocking-" + System.nanoTime();
        for (StompClientConfig config : new StompClientConfig[] {
            StompClientConfig.builder(broker.uri()).build(),
            StompClientConfig.builder(broker.uri()).metrics(metrics).build()}) {
            try (StompClient client = StompClient.create(config)) {
                client.connect();
                client.subscribe(q, Map.of("receipt", "s")).receipt().await(TIMEOUT);
                client.send(q, "hello".getBytes(StandardCharsets.UTF_8), Map.of("receipt", "r")).await(TIMEOUT);
                StompFrame got = client.receiveFrame(TIMEOUT);
                assertThat(got.bodyAsString()).isEqualTo("hello");
                client.disconnect();
            }
        }
        assertThat(metrics.sent.get()).as("CONNECT, SUBSCRIBE, SEND, DISCONNECT").isEqualTo(4);
        assertThat(metrics.delivered.get()).isEqualTo(1);
    }

    @Test
    void asyncClientWorksWithDefaultAndOwnMetrics() throws Exception {
        CountingMetrics metrics = new CountingMetrics();
        String q = "/queue/no-micrometer-async-" + System.nanoTime();
        for (AsyncStompClientConfig config : new AsyncStompClientConfig[] {
            AsyncStompClientConfig.builder(broker.uri()).build(),
            AsyncStompClientConfig.builder(broker.uri()).metrics(metrics).build()}) {
            AsyncStompClient client = AsyncStompClient.create(config);
            try {
                client.connect().get(30, TimeUnit.SECONDS);
                BlockingQueue<String> got = new ArrayBlockingQueue<>(1);
                client.subscribe(q, Map.of("receipt", "s"), (c, f) -> {
                    got.add(f.bodyAsString());
                    return null;
                }).get(30, TimeUnit.SECONDS);
                client.send(q, "hello".getBytes(StandardCharsets.UTF_8), Map.of("receipt", "r")).get(30, TimeUnit.SECONDS);
                assertThat(got.poll(30, TimeUnit.SECONDS)).isEqualTo("hello");
                client.disconnect().get(30, TimeUnit.SECONDS);
            } finally {
                client.close();
            }
        }
        assertThat(metrics.sent.get()).as("CONNECT, SUBSCRIBE, SEND, DISCONNECT").isEqualTo(4);
        assertThat(metrics.delivered.get()).isEqualTo(1);
    }

    /** An application's own metrics, with no library behind them. */
    private static final class CountingMetrics implements StompMetrics {
        final AtomicInteger sent = new AtomicInteger();
        final AtomicInteger delivered = new AtomicInteger();

        @Override
        public void frameSent(StompCommand command, int bytes) {
            sent.incrementAndGet();
        }

        @Override
        public void messageDelivered() {
            delivered.incrementAndGet();
        }
    }
}
