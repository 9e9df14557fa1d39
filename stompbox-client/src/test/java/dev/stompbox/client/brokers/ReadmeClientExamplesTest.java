package dev.stompbox.client.brokers;

import dev.stompbox.fixtures.*;

import dev.stompbox.client.Receipt;
import dev.stompbox.client.StompClient;
import dev.stompbox.client.StompClientConfig;
import dev.stompbox.client.Transaction;
import dev.stompbox.protocol.HeartBeat;
import dev.stompbox.protocol.StompFrame;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's blocking-client examples, run against embedded Artemis. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReadmeClientExamplesTest {
    @RegisterExtension
    static final ArtemisExtension BROKER = new ArtemisExtension();
    private TestBroker broker;

    @BeforeAll
    void start(TestBroker started) {
        broker = started;
    }

    @Test
    void simpleProducerAndConsumer() {
        try (StompClient stomp = StompClient.create(broker.uri())) {
            stomp.connect();
            stomp.send("/queue/simpleTest", "test message1");
            stomp.send("/queue/simpleTest", "test message2");
            stomp.disconnect();
        }
        List<String> got = new ArrayList<>();
        try (StompClient stomp = StompClient.create(broker.uri())) {
            stomp.connect();
            stomp.subscribe("/queue/simpleTest", Map.of("ack", "client"));
            while (got.size() < 2) {
                StompFrame frame = stomp.receiveFrame(Duration.ofSeconds(10));
                got.add(frame.bodyAsString());
                stomp.ack(frame);
            }
        }
        assertThat(got).containsExactly("test message1", "test message2");
    }

    @Test
    void receiptsAndTransactions() {
        StompClientConfig config = StompClientConfig.builder(broker.uri())
                .login("guest").passcode("guest")
                .heartBeat(new HeartBeat(10_000, 10_000))
                .receiptTimeout(Duration.ofSeconds(5))
                .build();
        try (StompClient client = StompClient.create(config)) {
            client.connect();
            Receipt receipt = client.send("/queue/work", "{\"order\":42}".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    Map.of("receipt", "order-42", "persistent", "true"));
            receipt.await();
            client.subscribe("/queue/work", Map.of("ack", "client-individual"));
            StompFrame work = client.receiveFrame(Duration.ofSeconds(30));
            try (Transaction tx = client.begin()) {
                tx.send("/queue/results", "done: " + work.bodyAsString());
                tx.ack(work);
                tx.commit();
            }
            client.subscribe("/queue/results", Map.of());
            assertThat(client.receiveFrame(Duration.ofSeconds(10)).bodyAsString()).isEqualTo("done: {\"order\":42}");
            client.disconnect();
        }
    }
}
