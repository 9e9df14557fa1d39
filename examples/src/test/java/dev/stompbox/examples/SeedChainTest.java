package dev.stompbox.examples;

import dev.stompbox.async.AsyncStompClientConfig;
import dev.stompbox.async.AsyncStompClient;
import dev.stompbox.client.StompClient;
import dev.stompbox.fixtures.EmbeddedArtemis;
import dev.stompbox.protocol.StompFrame;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The seed's producer → transformer (count + 1) → consumer chain, end to end on Artemis, with its error queues. */
class SeedChainTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private EmbeddedArtemis broker;
    private final List<AsyncStompClient> clients = new ArrayList<>();

    @BeforeEach
    void start() {
        broker = new EmbeddedArtemis(60_000);
    }

    @AfterEach
    void stop() {
        clients.forEach(AsyncStompClient::close);
        broker.close();
    }

    private AsyncStompClient connected() {
        AsyncStompClient c = AsyncStompClient.create(AsyncStompClientConfig.builder(broker.uri()).build());
        clients.add(c);
        c.connect().join();
        return c;
    }

    @Test
    void countsFlowThroughAndPoisonPillsLandOnTheErrorQueues() throws Exception {
        BlockingQueue<Integer> counts = new LinkedBlockingQueue<>();
        Consumer.run(connected(), counts::add).join();
        IncrementTransformer.run(connected()).join();

        AsyncStompClient producer = connected();
        Producer.run(producer).join();
        producer.send(Producer.QUEUE, "poison for the transformer").join();
        // Straight to the consumer's queue: a message the consumer cannot read.
        producer.send(Consumer.QUEUE, "poison for the consumer").join();

        List<Integer> got = new ArrayList<>();
        while (got.size() < 10) {
            Integer c = counts.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(c).as("count %d of 10", got.size() + 1).isNotNull();
            got.add(c);
        }
        assertThat(got).containsExactlyInAnyOrder(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);

        try (StompClient check = StompClient.create(broker.uri())) {
            check.connect();
            check.subscribe(IncrementTransformer.ERROR_QUEUE, Map.of());
            StompFrame transformerError = check.receiveFrame(TIMEOUT);
            assertThat(transformerError.bodyAsString()).isEqualTo("poison for the transformer");
            assertThat(transformerError.header("stompbox-error")).contains("not a count message");
            check.subscribe(Consumer.ERROR_QUEUE, Map.of());
            assertThat(check.receiveFrame(TIMEOUT).bodyAsString()).isEqualTo("poison for the consumer");
            // Acked after forwarding: nothing comes back to the transformer's input.
            check.subscribe(IncrementTransformer.IN_QUEUE, Map.of());
            assertThat(check.receiveFrame(Duration.ofMillis(500))).isNull();
        }
    }
}
