package dev.stompbox.async.brokers;

import dev.stompbox.async.AsyncStompClient;
import dev.stompbox.async.AsyncStompClientConfig;
import dev.stompbox.async.SubscriptionOptions;
import dev.stompbox.fixtures.ArtemisExtension;
import dev.stompbox.fixtures.BrokerExtension;
import dev.stompbox.fixtures.ClassicExtension;
import dev.stompbox.protocol.StompHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static dev.stompbox.async.Futures.get;
import static org.assertj.core.api.Assertions.assertThat;

/** What the README's flow-control advice says, on the real brokers: concurrency(4) really runs 4 handlers at once. */
class AsyncPrefetchTest {
    @RegisterExtension
    static final ArtemisExtension ARTEMIS = new ArtemisExtension();
    @RegisterExtension
    static final ClassicExtension CLASSIC = new ClassicExtension();

    /** Publishes 8 messages, and waits until 4 handlers of a concurrency(4) subscription run at once. */
    private static boolean fourAtOnce(BrokerExtension broker, SubscriptionOptions.Builder options) throws Exception {
        String q = "/queue/prefetch-" + System.nanoTime();
        try (AsyncStompClient consumer = AsyncStompClient.create(AsyncStompClientConfig.builder(broker.broker().uri()).build());
             AsyncStompClient producer = AsyncStompClient.create(AsyncStompClientConfig.builder(broker.broker().uri()).build())) {
            get(consumer.connect());
            get(producer.connect());
            CountDownLatch running = new CountDownLatch(4);
            CompletableFuture<Void> release = new CompletableFuture<>();
            get(consumer.subscribe(q, Map.of(StompHeaders.ACK, "client-individual"), (c, f) -> {
                running.countDown();
                return release;
            }, options.concurrency(4).build()));
            for (int i = 0; i < 8; i++) {
                get(producer.send(q, "m" + i, Map.of(StompHeaders.RECEIPT, "r" + i)));
            }
            boolean all = running.await(10, TimeUnit.SECONDS);
            release.complete(null);
            consumer.closeNow();
            return all;
        }
    }

    @Test
    void classicWithPrefetchFourRunsFourHandlersAtOnce() throws Exception {
        assertThat(fourAtOnce(CLASSIC, SubscriptionOptions.builder().prefetch(4))).isTrue();
    }

    @Test
    void artemisWithItsDefaultWindowRunsFourHandlersAtOnce() throws Exception {
        // Artemis counts its window in bytes: asking for "4 messages" cannot be done, and is not needed for small ones.
        assertThat(fourAtOnce(ARTEMIS, SubscriptionOptions.builder())).isTrue();
        assertThat(fourAtOnce(ARTEMIS, SubscriptionOptions.builder().prefetch(4))).as("prefetch(4) is not sent to Artemis").isTrue();
    }
}
