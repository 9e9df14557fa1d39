package dev.stompbox.micrometer;

import dev.stompbox.async.AsyncStompClientConfig;
import dev.stompbox.async.AsyncStompClient;
import dev.stompbox.async.SubscriptionOptions;
import dev.stompbox.client.StompClient;
import dev.stompbox.client.StompClientConfig;
import dev.stompbox.fixtures.ArtemisExtension;
import dev.stompbox.fixtures.TestBroker;
import dev.stompbox.protocol.HeartBeat;
import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.StompReceiptTimeoutException;
import dev.stompbox.testkit.StompTestServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.TestInstance;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.awaitility.Awaitility;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Both clients' meters, read from a {@link SimpleMeterRegistry} after runs against Artemis (and the test kit for faults). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MicrometerStompMetricsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    @RegisterExtension
    static final ArtemisExtension BROKER = new ArtemisExtension();
    private TestBroker broker;

    @BeforeAll
    void start(TestBroker started) {
        broker = started;
    }

    @Test
    void blockingClientCountsConnectionsFramesBytesMessagesAndReceipts() {
        MeterRegistry registry = new SimpleMeterRegistry();
        String q = "/queue/metrics-blocking-" + System.nanoTime();
        StompClient client = StompClient.create(StompClientConfig.builder(broker.uri())
                .metrics(MicrometerStompMetrics.of(registry, "b")).build());
        try {
            client.connect();
            assertThat(gauge(registry, "stomp.client.connections")).isEqualTo(1);
            client.subscribe(q, Map.of("ack", "client-individual", "receipt", "s")).receipt().await(TIMEOUT);
            for (int i = 0; i < 5; i++) {
                client.send(q, ("message " + i).getBytes(StandardCharsets.UTF_8), Map.of("receipt", "r" + i)).await(TIMEOUT);
            }
            List<StompFrame> got = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                got.add(client.receiveFrame(TIMEOUT));
            }
            for (int i = 0; i < 4; i++) {
                client.ack(got.get(i));
            }
            client.nack(got.get(4));
            client.disconnect();
        } finally {
            client.close();
        }
        assertThat(count(registry, "stomp.client.connects", "outcome", "success", "reconnect", "false")).isEqualTo(1);
        assertThat(gauge(registry, "stomp.client.connections")).isZero();
        assertThat(frames(registry, "out", "CONNECT")).isEqualTo(1);
        assertThat(frames(registry, "out", "SUBSCRIBE")).isEqualTo(1);
        assertThat(frames(registry, "out", "SEND")).isEqualTo(5);
        assertThat(frames(registry, "out", "ACK")).isEqualTo(4);
        assertThat(frames(registry, "out", "NACK")).isEqualTo(1);
        assertThat(frames(registry, "out", "DISCONNECT")).isEqualTo(1);
        assertThat(frames(registry, "in", "CONNECTED")).isEqualTo(1);
        assertThat(frames(registry, "in", "MESSAGE")).isEqualTo(5);
        assertThat(frames(registry, "in", "RECEIPT")).isEqualTo(7); // subscribe, five sends, disconnect
        // Each SEND carries "message N" (9 bytes) plus its head; each MESSAGE more, with the broker's headers.
        assertThat(bytes(registry, "out", "SEND")).isGreaterThan(5 * 9 + 5 * "SEND\ndestination:\n\n".length());
        assertThat(bytes(registry, "in", "MESSAGE")).isGreaterThan(bytes(registry, "out", "SEND"));
        assertThat(count(registry, "stomp.client.messages.delivered")).isEqualTo(5);
        assertThat(count(registry, "stomp.client.messages.acked")).isEqualTo(4);
        assertThat(count(registry, "stomp.client.messages.nacked")).isEqualTo(1);
        assertThat(registry.get("stomp.client.receipt.duration").tag("client", "b").timer().count()).isEqualTo(7);
        assertThat(count(registry, "stomp.client.receipt.timeouts")).isZero();
    }

    /** Under ack auto Artemis counts a message delivered once sent: those the application never took are lost, and counted so. */
    @Test
    void messagesADisconnectDropsUntakenAreCountedLostUnderAckAuto() {
        MeterRegistry registry = new SimpleMeterRegistry();
        String q = "/queue/metrics-unhanded-" + System.nanoTime();
        StompClient client = StompClient.create(StompClientConfig.builder(broker.uri())
                .metrics(MicrometerStompMetrics.of(registry, "u")).build());
        try {
            client.connect();
            client.subscribe(q, Map.of("receipt", "s")).receipt().await(TIMEOUT);
            for (int i = 0; i < 5; i++) {
                client.send(q, ("message " + i).getBytes(StandardCharsets.UTF_8), Map.of("receipt", "r" + i)).await(TIMEOUT);
            }
            await(() -> frames(registry, "in", "MESSAGE") == 5);
            client.receiveFrame(TIMEOUT);
            client.receiveFrame(TIMEOUT);
            assertThat(count(registry, "stomp.client.messages.unhanded", "outcome", "lost")).isZero();
            client.disconnect();
        } finally {
            client.close();
        }
        assertThat(count(registry, "stomp.client.messages.delivered")).isEqualTo(2);
        assertThat(count(registry, "stomp.client.messages.unhanded", "outcome", "lost")).isEqualTo(3);
        assertThat(count(registry, "stomp.client.messages.unhanded", "outcome", "redelivered")).isZero();
    }

    @Test
    void asyncClientAlsoTimesHandlersAndCountsForwardedMessages() throws Exception {
        MeterRegistry registry = new SimpleMeterRegistry();
        String q = "/queue/metrics-async-" + System.nanoTime();
        AsyncStompClient client = AsyncStompClient.create(AsyncStompClientConfig.builder(broker.uri())
                .metrics(MicrometerStompMetrics.of(registry, "a")).build());
        try {
            client.connect().get(30, TimeUnit.SECONDS);
            CountDownLatch handled = new CountDownLatch(4);
            client.subscribe(q, Map.of("ack", "client-individual", "receipt", "s"), (c, f) -> {
                handled.countDown();
                if (f.bodyAsString().equals("poison")) {
                    throw new IllegalStateException("refused");
                }
                return null;
            }, SubscriptionOptions.builder().errorDestination(q + "-errors").build()).get(30, TimeUnit.SECONDS);
            for (String body : List.of("one", "two", "poison", "three")) {
                client.send(q, body.getBytes(StandardCharsets.UTF_8), Map.of("receipt", "r-" + body)).get(30, TimeUnit.SECONDS);
            }
            assertThat(handled.await(30, TimeUnit.SECONDS)).isTrue();
            await(() -> count(registry, "stomp.client.messages.forwarded") == 1 && count(registry, "stomp.client.messages.acked") == 4);
            assertThat(gauge(registry, "stomp.client.connections")).isEqualTo(1);
            client.disconnect().get(30, TimeUnit.SECONDS);
        } finally {
            client.close();
        }
        assertThat(count(registry, "stomp.client.connects", "outcome", "success", "reconnect", "false")).isEqualTo(1);
        await(() -> gauge(registry, "stomp.client.connections") == 0);
        assertThat(count(registry, "stomp.client.messages.delivered")).isEqualTo(4);
        assertThat(registry.get("stomp.client.handler.duration").tags("client", "a", "outcome", "success").timer().count()).isEqualTo(3);
        assertThat(registry.get("stomp.client.handler.duration").tags("client", "a", "outcome", "failure").timer().count()).isEqualTo(1);
        assertThat(gauge(registry, "stomp.client.handlers.active")).isZero();
        assertThat(frames(registry, "out", "SEND")).isEqualTo(5); // four sends and the forward
        assertThat(frames(registry, "out", "ACK")).isEqualTo(4); // three handled, one forwarded
        assertThat(frames(registry, "in", "MESSAGE")).isEqualTo(4);
        assertThat(bytes(registry, "in", "MESSAGE")).isPositive();
        assertThat(registry.get("stomp.client.receipt.duration").tag("client", "a").timer().count()).isGreaterThanOrEqualTo(6);
    }

    @Test
    void receiptTimeoutsMissedHeartBeatsAndFailedConnectsAreCounted() throws Exception {
        MeterRegistry registry = new SimpleMeterRegistry();
        try (StompTestServer server = new StompTestServer().start()) {
            server.nextConnectionFaults().withholdReceipts();
            StompClient blocking = StompClient.create(StompClientConfig.builder(server.uri())
                    .receiptTimeout(Duration.ofMillis(200)).heartBeat(new HeartBeat(0, 100))
                    .disconnectTimeout(Duration.ofMillis(200))
                    .metrics(MicrometerStompMetrics.of(registry, "b")).build());
            try {
                blocking.connect();
                assertThatThrownBy(() -> blocking.send("/queue/a", "x".getBytes(StandardCharsets.UTF_8), Map.of("receipt", "r"))
                        .await(TIMEOUT)).isInstanceOf(StompReceiptTimeoutException.class);
                server.awaitConnection(TIMEOUT).faults().stopHeartBeats();
                await(() -> !blocking.isConnected());
            } finally {
                blocking.close();
            }
            assertThat(count(registry, "stomp.client.receipt.timeouts")).isEqualTo(1);
            assertThat(count(registry, "stomp.client.heartbeats.missed")).isEqualTo(1);
            assertThat(gauge(registry, "stomp.client.connections")).isZero();

            server.nextConnectionFaults().withholdReceipts();
            AsyncStompClient async = AsyncStompClient.create(AsyncStompClientConfig.builder(server.uri())
                    .receiptTimeout(Duration.ofMillis(200)).heartBeat(new HeartBeat(0, 100))
                    .disconnectTimeout(Duration.ofMillis(200))
                    .metrics(MicrometerStompMetrics.of(registry, "a")).build());
            try {
                async.connect().get(30, TimeUnit.SECONDS);
                assertThatThrownBy(() -> async.send("/queue/a", "x".getBytes(StandardCharsets.UTF_8), Map.of("receipt", "r"))
                        .get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                        .hasCauseInstanceOf(StompReceiptTimeoutException.class);
                server.awaitConnection(1, TIMEOUT).faults().stopHeartBeats();
                await(() -> !async.isConnected());
            } finally {
                async.close();
            }
            assertThat(registry.get("stomp.client.receipt.timeouts").tag("client", "a").counter().count()).isEqualTo(1);
            assertThat(registry.get("stomp.client.heartbeats.missed").tag("client", "a").counter().count()).isEqualTo(1);
        }
        StompClient refused = StompClient.create(StompClientConfig.builder("tcp://127.0.0.1:1")
                .connectTimeout(Duration.ofSeconds(2)).metrics(MicrometerStompMetrics.of(registry, "refused")).build());
        assertThatThrownBy(refused::connect).isInstanceOf(RuntimeException.class);
        refused.close();
        assertThat(registry.get("stomp.client.connects").tags("client", "refused", "outcome", "failure", "reconnect", "false")
                .counter().count()).isEqualTo(1);
    }

    @Test
    void reconnectsAreCountedApartFromFirstConnects() throws Exception {
        MeterRegistry registry = new SimpleMeterRegistry();
        try (StompTestServer server = new StompTestServer().start()) {
            StompClient client = StompClient.create(StompClientConfig.builder(server.uri()).autoReconnect(true)
                    .disconnectTimeout(Duration.ofMillis(200)).metrics(MicrometerStompMetrics.of(registry, "r")).build());
            try {
                client.connect();
                server.awaitConnection(TIMEOUT).reset();
                server.awaitConnection(1, TIMEOUT);
                await(() -> client.isConnected()
                        && count(registry, "stomp.client.connects", "outcome", "success", "reconnect", "true") == 1);
                assertThat(count(registry, "stomp.client.connects", "outcome", "success", "reconnect", "false")).isEqualTo(1);
                assertThat(gauge(registry, "stomp.client.connections")).isEqualTo(1);
            } finally {
                client.close();
            }
        }
    }

    @Test
    void sendsResentAfterAReconnectAreCounted() throws Exception {
        MeterRegistry registry = new SimpleMeterRegistry();
        try (StompTestServer server = new StompTestServer().start()) {
            String uri = "failover:(" + server.uri() + ")?initialReconnectDelay=10";
            server.nextConnectionFaults().withholdReceipts(f -> f.command() == dev.stompbox.protocol.StompCommand.SEND);
            try (StompClient blocking = StompClient.create(StompClientConfig.builder(uri).atLeastOnce(true).autoReconnect(true)
                    .disconnectTimeout(Duration.ofMillis(500)).metrics(MicrometerStompMetrics.of(registry, "b")).build())) {
                blocking.connect();
                var r1 = blocking.send("/queue/a", "one".getBytes(StandardCharsets.UTF_8), Map.of());
                var r2 = blocking.send("/queue/a", "two".getBytes(StandardCharsets.UTF_8), Map.of());
                var one = server.awaitConnection(TIMEOUT);
                one.awaitReceived(f -> "two".equals(f.bodyAsString()), TIMEOUT);
                one.close();
                r1.await(TIMEOUT);
                r2.await(TIMEOUT);
            }
            server.nextConnectionFaults().withholdReceipts(f -> f.command() == dev.stompbox.protocol.StompCommand.SEND);
            AsyncStompClient async = AsyncStompClient.create(AsyncStompClientConfig.builder(uri).atLeastOnce(true).autoReconnect(true)
                    .disconnectTimeout(Duration.ofMillis(500)).metrics(MicrometerStompMetrics.of(registry, "a")).build());
            try {
                async.connect().get(10, TimeUnit.SECONDS);
                var sent = async.send("/queue/a", "three".getBytes(StandardCharsets.UTF_8), Map.of());
                var three = server.awaitConnection(server.connections().size() - 1, TIMEOUT);
                three.awaitReceived(f -> "three".equals(f.bodyAsString()), TIMEOUT);
                three.close();
                sent.get(10, TimeUnit.SECONDS);
            } finally {
                async.close();
            }
        }
        assertThat(registry.get("stomp.client.sends.resent").tag("client", "b").counter().count()).isEqualTo(2);
        assertThat(registry.get("stomp.client.sends.resent").tag("client", "a").counter().count()).isEqualTo(1);
    }

    private static double count(MeterRegistry registry, String name, String... tags) {
        return registry.get(name).tag("client", clientOf(registry, name)).tags(tags).counter().count();
    }

    /** The one client that registered {@code name} in this registry (tests use one client per registry, except the faults test). */
    private static String clientOf(MeterRegistry registry, String name) {
        return registry.get(name).meters().iterator().next().getId().getTag("client");
    }

    private static double gauge(MeterRegistry registry, String name) {
        return registry.get(name).tag("client", clientOf(registry, name)).gauge().value();
    }

    private static double frames(MeterRegistry registry, String direction, String command) {
        return registry.get("stomp.client.frames").tags("direction", direction, "command", command).counter().count();
    }

    private static double bytes(MeterRegistry registry, String direction, String command) {
        return registry.get("stomp.client.bytes").tags("direction", direction, "command", command).counter().count();
    }

    private static void await(BooleanSupplier condition) {
        Awaitility.await().atMost(TIMEOUT).until(condition::getAsBoolean);
    }
}
