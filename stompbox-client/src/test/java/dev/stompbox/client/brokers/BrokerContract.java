package dev.stompbox.client.brokers;

import dev.stompbox.client.Receipt;
import dev.stompbox.client.StompClient;
import dev.stompbox.client.StompClientConfig;
import dev.stompbox.client.Subscription;
import dev.stompbox.client.Transaction;
import dev.stompbox.protocol.HeartBeat;
import dev.stompbox.protocol.StompCommand;
import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.StompHeaders;
import dev.stompbox.protocol.StompVersion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * What the blocking client must do against every real broker, for every STOMP version the broker
 * speaks. Subclasses start the broker.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class BrokerContract {
    protected static final Duration TIMEOUT = Duration.ofSeconds(15);

    protected TestBroker broker;
    private final List<StompClient> clients = new ArrayList<>();

    protected abstract TestBroker startBroker();

    @BeforeAll
    void start() {
        broker = startBroker();
    }

    @AfterAll
    void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    @AfterEach
    void closeClients() {
        clients.forEach(StompClient::close);
        clients.clear();
    }

    List<StompVersion> versions() {
        return broker.versions();
    }

    protected StompClientConfig.Builder config(StompVersion version) {
        return StompClientConfig.builder(broker.uri()).version(version).login("guest").passcode("guest")
                .disconnectTimeout(Duration.ofSeconds(5)).receiptTimeout(TIMEOUT);
    }

    protected StompClient client(StompVersion version) {
        return client(config(version));
    }

    protected StompClient client(StompClientConfig.Builder config) {
        StompClient c = new StompClient(config.build());
        clients.add(c);
        c.connect();
        return c;
    }

    protected static String queue(String name) {
        return "/queue/stompbox-" + name + "-" + UUID.randomUUID();
    }

    /** Subscribes and waits until the broker confirms, so nothing sent afterwards can be missed. */
    protected static Subscription subscribe(StompClient c, String destination, String ack) {
        Subscription s = c.subscribe(destination, Map.of(StompHeaders.ACK, ack, StompHeaders.RECEIPT, "sub-" + UUID.randomUUID()));
        s.receipt().await(TIMEOUT);
        return s;
    }

    protected static void sendConfirmed(StompClient c, String destination, String body) {
        c.send(destination, body.getBytes(StandardCharsets.UTF_8), Map.of(StompHeaders.RECEIPT, "r-" + UUID.randomUUID())).await(TIMEOUT);
    }

    @ParameterizedTest
    @MethodSource("versions")
    void negotiatesTheVersionAsked(StompVersion version) {
        StompClient c = client(version);
        assertThat(c.version()).isEqualTo(version);
        c.disconnect();
        assertThat(c.isConnected()).isFalse();
    }

    @ParameterizedTest
    @MethodSource("versions")
    void textBinaryAndLargeBodiesRoundTrip(StompVersion version) {
        StompClient c = client(version);
        String q = queue("bodies");
        subscribe(c, q, "auto");
        byte[] binary = {0, 1, 2, 0, (byte) 0xff, 0, '\n', 0};
        byte[] large = new byte[1024 * 1024];
        new Random(42).nextBytes(large);
        c.send(q, "h\u00e9llo w\u00f6rld");
        c.send(q, binary, Map.of());
        c.send(q, large, Map.of(StompHeaders.RECEIPT, "large")).await(TIMEOUT);
        assertThat(c.receiveFrame(TIMEOUT).bodyAsString()).isEqualTo("h\u00e9llo w\u00f6rld");
        assertThat(c.receiveFrame(TIMEOUT).body()).isEqualTo(binary);
        assertThat(c.receiveFrame(TIMEOUT).body()).isEqualTo(large);
    }

    @ParameterizedTest
    @MethodSource("versions")
    void headersWithSpecialCharactersSurviveTheBroker(StompVersion version) {
        StompClient c = client(version);
        String q = queue("headers");
        subscribe(c, q, "auto");
        // 1.0 cannot escape: only ':' (after the first) may go in a value, and only ASCII.
        String value = version == StompVersion.V1_0 ? "a:b:c" : "colon:back\\slash\nnewline \u00e9\u65e5";
        c.send(q, "x".getBytes(StandardCharsets.UTF_8), Map.of("x-stompbox", value));
        StompFrame m = c.receiveFrame(TIMEOUT);
        String expected = version == StompVersion.V1_0 && broker.escapesHeadersIn10() ? value.replace(":", "\\c") : value;
        assertThat(m.header("x-stompbox")).isEqualTo(expected);
    }

    @ParameterizedTest
    @MethodSource("versions")
    void clientIndividualAckRedeliversOnlyWhatWasNotAcked(StompVersion version) {
        String q = queue("individual");
        StompClient first = client(version);
        subscribe(first, q, "client-individual");
        sendConfirmed(first, q, "one");
        sendConfirmed(first, q, "two");
        StompFrame one = first.receiveFrame(TIMEOUT);
        StompFrame two = first.receiveFrame(TIMEOUT);
        assertThat(List.of(one.bodyAsString(), two.bodyAsString())).containsExactly("one", "two");
        first.ack(two, true).await(TIMEOUT);
        first.disconnect();
        StompClient second = client(version);
        subscribe(second, q, "client-individual");
        StompFrame again = second.receiveFrame(TIMEOUT);
        assertThat(again.bodyAsString()).isEqualTo("one");
        second.ack(again, true).await(TIMEOUT);
        assertThat(second.receiveFrame(Duration.ofMillis(500))).isNull();
    }

    @ParameterizedTest
    @MethodSource("versions")
    void clientAckIsCumulative(StompVersion version) {
        String q = queue("cumulative");
        StompClient first = client(version);
        subscribe(first, q, "client");
        for (String body : List.of("a", "b", "c")) {
            sendConfirmed(first, q, body);
        }
        first.receiveFrame(TIMEOUT);
        StompFrame b = first.receiveFrame(TIMEOUT);
        first.receiveFrame(TIMEOUT);
        first.ack(b, true).await(TIMEOUT);
        first.disconnect();
        StompClient second = client(version);
        subscribe(second, q, "client");
        assertThat(second.receiveFrame(TIMEOUT).bodyAsString()).isEqualTo("c");
    }

    @ParameterizedTest
    @MethodSource("versions")
    void autoAckNeedsNothing(StompVersion version) {
        String q = queue("auto");
        StompClient first = client(version);
        subscribe(first, q, "auto");
        sendConfirmed(first, q, "once");
        assertThat(first.receiveFrame(TIMEOUT).bodyAsString()).isEqualTo("once");
        first.disconnect();
        StompClient second = client(version);
        subscribe(second, q, "auto");
        assertThat(second.receiveFrame(Duration.ofMillis(500))).isNull();
    }

    @ParameterizedTest
    @MethodSource("versions")
    void nackRedelivers(StompVersion version) {
        assumeThat(version).isNotEqualTo(StompVersion.V1_0);
        assumeThat(broker.redeliversOnNack()).as(broker.name() + " dead-letters NACKed messages by default").isTrue();
        String q = queue("nack");
        StompClient c = client(version);
        subscribe(c, q, "client-individual");
        sendConfirmed(c, q, "poison?");
        StompFrame m = c.receiveFrame(TIMEOUT);
        c.nack(m, true).await(TIMEOUT);
        StompFrame again = c.receiveFrame(TIMEOUT);
        assertThat(again.bodyAsString()).isEqualTo("poison?");
        c.ack(again, true).await(TIMEOUT);
    }

    @ParameterizedTest
    @MethodSource("versions")
    void transactionCommitDeliversAbortDoesNot(StompVersion version) {
        String q = queue("tx");
        StompClient c = client(version);
        try (Transaction tx = c.begin()) {
            tx.send(q, "aborted");
            tx.abort();
        }
        try (Transaction tx = c.begin()) {
            tx.send(q, "committed");
            tx.commit();
        }
        subscribe(c, q, "auto");
        assertThat(c.receiveFrame(TIMEOUT).bodyAsString()).isEqualTo("committed");
        assertThat(c.receiveFrame(Duration.ofMillis(500))).isNull();
    }

    @ParameterizedTest
    @MethodSource("versions")
    void abortedTransactionalAckLeavesTheMessageUnacked(StompVersion version) {
        assumeThat(broker.honoursTransactionalAck()).as(broker.name() + " ignores transaction on ACK").isTrue();
        String q = queue("txack");
        StompClient first = client(version);
        subscribe(first, q, "client-individual");
        sendConfirmed(first, q, "keep me");
        StompFrame m = first.receiveFrame(TIMEOUT);
        try (Transaction tx = first.begin()) {
            tx.ack(m);
            tx.abort();
        }
        first.disconnect();
        StompClient second = client(version);
        subscribe(second, q, "client-individual");
        assertThat(second.receiveFrame(TIMEOUT).bodyAsString()).isEqualTo("keep me");
    }

    @ParameterizedTest
    @MethodSource("versions")
    void receiptsOnSendSubscribeAndDisconnect(StompVersion version) {
        StompClient c = client(version);
        String q = queue("receipts");
        Receipt r = c.send(q, "x".getBytes(StandardCharsets.UTF_8), Map.of(StompHeaders.RECEIPT, "send-1"));
        r.await(TIMEOUT);
        assertThat(r.isDone()).isTrue();
        Subscription s = subscribe(c, q, "auto");
        assertThat(s.receipt().isDone()).isTrue();
        // A MESSAGE may come before the RECEIPT of what caused it: nothing may be dropped meanwhile.
        assertThat(c.receiveFrame(TIMEOUT).bodyAsString()).isEqualTo("x");
        c.disconnect(); // waits for its receipt, throws if it does not come
    }

    @ParameterizedTest
    @MethodSource("versions")
    void suppressedContentLengthStillDeliversTheText(StompVersion version) {
        StompClient c = client(version);
        String q = queue("text");
        subscribe(c, q, "auto");
        c.send(StompFrame.builder(StompCommand.SEND).header(StompHeaders.DESTINATION, q).body("plain text")
                .contentLength(false).build());
        assertThat(c.receiveFrame(TIMEOUT).bodyAsString()).isEqualTo("plain text");
    }

    @ParameterizedTest
    @MethodSource("versions")
    void heartBeatsKeepAnIdleConnectionAlive(StompVersion version) {
        assumeThat(version).isNotEqualTo(StompVersion.V1_0);
        StompClient c = client(config(version).heartBeat(new HeartBeat(1000, 1000)));
        String q = queue("idle");
        subscribe(c, q, "auto");
        // Idle for longer than the broker's idle timeout (the Artemis suite sets it to 2 s).
        assertThat(c.receiveFrame(Duration.ofMillis(idleMillis()))).isNull();
        assertThat(c.isConnected()).isTrue();
        sendConfirmed(c, q, "still here");
        assertThat(c.receiveFrame(TIMEOUT).bodyAsString()).isEqualTo("still here");
    }

    /** How long {@link #heartBeatsKeepAnIdleConnectionAlive} stays idle. */
    protected long idleMillis() {
        return 2500;
    }
}
