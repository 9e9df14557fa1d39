package dev.stompbox.client.brokers;

import org.junit.jupiter.api.extension.RegisterExtension;

import dev.stompbox.fixtures.*;

import dev.stompbox.client.StompClient;
import dev.stompbox.client.Subscription;
import dev.stompbox.protocol.StompBrokerException;
import dev.stompbox.protocol.StompReceiptTimeoutException;
import dev.stompbox.protocol.StompVersion;
import dev.stompbox.protocol.connection.ConnectionListener;
import dev.stompbox.protocol.connection.ReconnectReport;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * The contract on RabbitMQ with its STOMP plugin, started by {@code scripts/rabbitmq.sh}. Skipped,
 * with a message saying how to start it, when it is not running, unless
 * {@code STOMPBOX_REQUIRE_RABBITMQ=1} (as in CI), which makes its absence a failure.
 */
class RabbitMqTest extends BlockingBrokerContract {
    @RegisterExtension
    static final BrokerExtension BROKER = new RabbitMqExtension();

    /** A client that reconnects (RabbitMQ's bare URI: back-off from 10 ms) and counts its reconnects. */
    private StompClient countingReconnects(AtomicInteger reconnects, Duration receiptTimeout) {
        return StompClient.create(config(StompVersion.V1_2).autoReconnect(true).receiptTimeout(receiptTimeout)
                .listener(new ConnectionListener() {
                    @Override
                    public void reconnected(ReconnectReport report) {
                        reconnects.incrementAndGet();
                    }
                }).build());
    }

    /**
     * RabbitMQ refuses a SUBSCRIBE of a queue that does not exist with an ERROR naming no frame, and
     * closes; every reconnect replays the SUBSCRIBE into the same refusal. The client used to reconnect
     * at once each time, 362 times in these 2 s in one run; backing off from 10 ms it makes about 9.
     */
    @Test
    void aReplayRefusedAtOnceIsNotReconnectedToAtOnceAgain() throws Exception {
        AtomicInteger reconnects = new AtomicInteger();
        try (StompClient client = countingReconnects(reconnects, Duration.ofSeconds(30))) {
            client.connect();
            client.subscribe("/amq/queue/missing-" + System.nanoTime(), Map.of());
            Thread.sleep(2000);
        }
        assertThat(reconnects.get()).as("reconnects in 2 s").isBetween(3, 12);
    }

    /**
     * The same refusal with a receipt asked for. RabbitMQ sends the ERROR, then a RECEIPT for the
     * very SUBSCRIBE that failed: the client takes that RECEIPT as naming the refused frame, so the
     * SUBSCRIBE fails with the ERROR (it used to succeed), nothing of it is replayed, and the client
     * reconnects once more and stays connected. (Should the RECEIPT ever come apart from its ERROR,
     * the SUBSCRIBE is tried once more on the next connection, and fails when refused again.)
     */
    @Test
    void aSubscribeRabbitMqRefusesFailsAndLeavesTheClientConnected() {
        AtomicInteger reconnects = new AtomicInteger();
        try (StompClient client = countingReconnects(reconnects, Duration.ofSeconds(5))) {
            client.connect();
            Subscription refused = client.subscribe("/amq/queue/missing-" + System.nanoTime(), Map.of("receipt", "missing"));
            Throwable failure = catchThrowable(() -> refused.receipt().await(Duration.ofSeconds(10)));
            assertThat(failure).as("the SUBSCRIBE of a queue that does not exist")
                    .isInstanceOfAny(StompBrokerException.class, StompReceiptTimeoutException.class);
            System.out.println("a SUBSCRIBE RabbitMQ refused failed with: " + failure);
            // Connected, and still connected half a second later: the ERROR of a SUBSCRIBE written just
            // before its receipt timed out may still end the connection that wrote it.
            await("connected again, with nothing to replay").atMost(Duration.ofSeconds(35)).pollInterval(Duration.ofMillis(500))
                    .until(() -> client.isConnected() && stillConnected(client));
            int settled = reconnects.get();
            client.send("/queue/after-refusal-" + System.nanoTime(), "fine", Map.of("receipt", "fine")).await(Duration.ofSeconds(10));
            assertThat(client.isConnected()).isTrue();
            assertThat(reconnects.get()).as("no reconnect after the last one").isEqualTo(settled);
        }
    }

    private static boolean stillConnected(StompClient client) throws InterruptedException {
        Thread.sleep(500);
        return client.isConnected();
    }

    @Test
    void virtualHostSlashOrNoneConnectsOthersAreRefusedAndNotRetried() {
        try (StompClient none = StompClient.create(config(StompVersion.V1_2).virtualHost(null).build())) {
            none.connect();
            assertThat(none.isConnected()).isTrue();
        }
        for (String host : new String[] {"", "localhost", "127.0.0.1"}) {
            assertThatThrownBy(() -> StompClient.create(config(StompVersion.V1_2).virtualHost(host).build()).connect())
                    .as("host:%s", host).isInstanceOf(StompBrokerException.class).hasMessageContaining("access denied");
        }
    }
}
