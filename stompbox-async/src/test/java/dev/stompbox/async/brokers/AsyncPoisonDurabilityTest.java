package dev.stompbox.async.brokers;

import dev.stompbox.async.AsyncStompClient;
import dev.stompbox.async.AsyncStompClientConfig;
import dev.stompbox.async.SubscriptionOptions;
import dev.stompbox.fixtures.ArtemisExtension;
import dev.stompbox.fixtures.EmbeddedArtemis;
import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.metrics.StompMetrics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.stompbox.async.Futures.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A durable poison message forwarded to the error destination stays durable: it survives a broker restart. */
class AsyncPoisonDurabilityTest {
    @RegisterExtension
    static final ArtemisExtension ARTEMIS = new ArtemisExtension().persistent();

    @Test
    void aForwardedPersistentPoisonMessageSurvivesARestart() throws Exception {
        String in = "/queue/durable-in-" + System.nanoTime();
        String errors = "/queue/durable-errors-" + System.nanoTime();
        AtomicInteger forwarded = new AtomicInteger();
        StompMetrics counting = new StompMetrics() {
            @Override
            public void messageForwarded() {
                forwarded.incrementAndGet();
            }
        };
        String uri = ARTEMIS.broker().uri();
        try (AsyncStompClient consumer = AsyncStompClient.create(AsyncStompClientConfig.builder(uri).metrics(counting).build());
             AsyncStompClient producer = AsyncStompClient.create(AsyncStompClientConfig.builder(uri).build())) {
            get(consumer.connect());
            get(producer.connect());
            get(consumer.subscribe(in, Map.of("ack", "client-individual"), (c, f) -> {
                throw new IllegalStateException("poison");
            }, SubscriptionOptions.builder().errorDestination(errors).build()));
            get(producer.send(in, "pill", Map.of("persistent", "true", "receipt", "r")));
            await().atMost(Duration.ofSeconds(10)).until(() -> forwarded.get() == 1); // forwarded, then the original acked
        }

        ((EmbeddedArtemis) ARTEMIS.broker()).restart();

        try (AsyncStompClient reader = AsyncStompClient.create(AsyncStompClientConfig.builder(uri).build())) {
            get(reader.connect());
            BlockingQueue<StompFrame> got = new ArrayBlockingQueue<>(2);
            get(reader.subscribe(errors, Map.of(), (c, f) -> {
                got.add(f);
                return null;
            }));
            StompFrame poison = got.poll(10, TimeUnit.SECONDS);
            assertThat(poison).as("the forwarded message, after the restart").isNotNull();
            assertThat(poison.bodyAsString()).isEqualTo("pill");
            assertThat(poison.header("stompbox-error")).contains("poison");
        }
    }
}
