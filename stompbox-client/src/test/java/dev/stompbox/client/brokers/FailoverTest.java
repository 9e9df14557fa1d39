package dev.stompbox.client.brokers;

import dev.stompbox.fixtures.*;

import dev.stompbox.protocol.connection.ConnectionListener;
import dev.stompbox.protocol.connection.ReconnectReport;
import dev.stompbox.client.StompClient;
import dev.stompbox.client.StompClientConfig;
import dev.stompbox.client.Subscription;
import dev.stompbox.protocol.StompHeaders;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Failover between two real brokers: the subscription follows the client to the second one. */
class FailoverTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @Test
    void reconnectsToTheSecondBrokerReplaysTheSubscriptionAndReceivesThere() throws Exception {
        EmbeddedArtemis first = new EmbeddedArtemis(60_000);
        try (EmbeddedArtemis second = new EmbeddedArtemis(60_000)) {
            BlockingQueue<ReconnectReport> reports = new ArrayBlockingQueue<>(4);
            StompClientConfig config = StompClientConfig.builder("failover:(" + first.uri() + "," + second.uri()
                            + ")?randomize=false,initialReconnectDelay=50,maxReconnectDelay=200")
                    .autoReconnect(true)
                    .listener(new ConnectionListener() {
                        @Override
                        public void reconnected(ReconnectReport report) {
                            reports.add(report);
                        }
                    }).build();
            try (StompClient consumer = StompClient.create(config)) {
                consumer.connect();
                assertThat(consumer.broker().port()).isEqualTo(first.port());
                Subscription sub = consumer.subscribe("/queue/failover", Map.of(StompHeaders.RECEIPT, "sub"));
                sub.receipt().await(TIMEOUT);
                try (StompClient producer = StompClient.create(first.uri())) {
                    producer.connect();
                    producer.send("/queue/failover", "before");
                    producer.disconnect();
                }
                assertThat(consumer.receiveFrame(TIMEOUT).bodyAsString()).isEqualTo("before");

                first.close();
                ReconnectReport report = reports.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                assertThat(report).as("reconnected within %s", TIMEOUT).isNotNull();
                assertThat(report.broker().port()).isEqualTo(second.port());
                assertThat(report.replayedSubscriptions()).containsExactly(sub.id());
                assertThat(consumer.broker().port()).isEqualTo(second.port());

                try (StompClient producer = StompClient.create(second.uri())) {
                    producer.connect();
                    producer.send("/queue/failover", "after");
                    producer.disconnect();
                }
                assertThat(consumer.receiveFrame(TIMEOUT).bodyAsString()).isEqualTo("after");
            }
        }
    }
}
