package dev.stompbox.examples;

import dev.stompbox.protocol.StompCommand;
import dev.stompbox.protocol.StompFrame;
import dev.stompbox.testkit.ServerConnection;
import dev.stompbox.testkit.StompTestServer;
import dev.stompbox.testkit.junit.StompTestServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.stompbox.async.AsyncStompClient;
import dev.stompbox.client.StompClient;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How to test code that talks STOMP without a broker: the test kit's server records every frame,
 * and the extension starts a fresh one per test (and prints its trace when a test fails).
 */
@ExtendWith(StompTestServerExtension.class)
class TestKitExampleTest {
    StompTestServer server; // injected before each test

    @Test
    void simpleProducerSendsTwoMessagesAndDisconnectsCleanly() {
        SimpleProducer.main(new String[] {server.uri()});

        ServerConnection connection = server.awaitConnection(Duration.ofSeconds(10));
        assertThat(connection.awaitClosed(Duration.ofSeconds(10))).isEqualTo("client sent DISCONNECT");
        assertThat(connection.received()).extracting(StompFrame::command)
                .containsExactly(StompCommand.CONNECT, StompCommand.SEND, StompCommand.SEND, StompCommand.DISCONNECT);
        assertThat(server.waitingMessages(SimpleProducer.QUEUE)).isEqualTo(2);
    }

    @Test
    void failoverConsumerCarriesOnWhenTheConnectionGoesBetweenReceiveAndAck() throws Exception {
        String uri = "failover:(" + server.uri() + ")?initialReconnectDelay=10";
        server.publish("/queue/f", "first");
        List<String> got = new CopyOnWriteArrayList<>();
        java.util.concurrent.CountDownLatch reconnected = new java.util.concurrent.CountDownLatch(1);
        try (StompClient stomp = FailoverConsumer.client(uri, report -> reconnected.countDown())) {
            stomp.connect();
            Thread consumer = new Thread(() -> FailoverConsumer.consume(stomp, "/queue/f", Duration.ofSeconds(1), body -> {
                got.add(body);
                if (got.size() == 1) {
                    // Lose the connection after the receive and before the ack, and wait until the client is back.
                    server.awaitConnection(Duration.ofSeconds(10)).close();
                    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> reconnected.getCount() == 0);
                    server.publish("/queue/f", "second");
                }
            }));
            consumer.start();
            consumer.join(TimeUnit.SECONDS.toMillis(20));
        }
        // The ack of "first" failed (the connection was gone); the consumer went on to the next message.
        assertThat(got).containsSubsequence("first", "second");
    }

    @Test
    void atLeastOnceProducerResendsWhatTheBrokerHadNotConfirmed() throws Exception {
        server.nextConnectionFaults().withholdReceipts(f -> f.command() == StompCommand.SEND);
        AsyncStompClient stomp = AtLeastOnceProducer.client("failover:(" + server.uri() + ")?initialReconnectDelay=10");
        try {
            stomp.connect().get(10, TimeUnit.SECONDS);
            Thread dropper = new Thread(() -> {
                // The first connection confirms nothing; once it has seen all 20, it drops.
                ServerConnection first = server.awaitConnection(Duration.ofSeconds(10));
                first.awaitReceived(f -> "message 19".equals(f.bodyAsString()), Duration.ofSeconds(10));
                first.close();
            });
            dropper.start();
            AtLeastOnceProducer.publish(stomp, "/queue/orders", 20, Duration.ofSeconds(20));
            dropper.join(10_000);
        } finally {
            stomp.close();
        }
        ServerConnection second = server.awaitConnection(1, Duration.ofSeconds(10));
        assertThat(second.received()).filteredOn(f -> f.command() == StompCommand.SEND).hasSize(20)
                .allMatch(f -> "true".equals(f.header("persistent")) && f.header("receipt") != null);
    }
}
