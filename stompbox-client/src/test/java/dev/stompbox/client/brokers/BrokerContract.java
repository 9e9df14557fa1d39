package dev.stompbox.client.brokers;

import dev.stompbox.client.brokers.ContractClient.ContractTransaction;
import dev.stompbox.client.brokers.ContractClient.Received;
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
 * What a Stompbox client must do against every real broker, for every STOMP version the broker
 * speaks. Subclasses pick the broker and the client (blocking or asynchronous); the suite is the
 * same for both.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class BrokerContract {
    protected static final Duration TIMEOUT = Duration.ofSeconds(15);

    protected TestBroker broker;
    private final List<ContractClient> clients = new ArrayList<>();

    /** Starts (or finds) the broker, once per class. */
    protected abstract TestBroker startBroker();

    /** A connected client of the kind under test. */
    protected abstract ContractClient connect(TestBroker broker, StompVersion version, HeartBeat heartBeat);

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
        clients.forEach(ContractClient::close);
        clients.clear();
    }

    List<StompVersion> versions() {
        return broker.versions();
    }

    protected ContractClient client(StompVersion version) {
        return client(version, new HeartBeat(10_000, 10_000));
    }

    protected ContractClient client(StompVersion version, HeartBeat heartBeat) {
        ContractClient c = connect(broker, version, heartBeat);
        clients.add(c);
        return c;
    }

    protected static String queue(String name) {
        return "/queue/stompbox-" + name + "-" + UUID.randomUUID();
    }

    protected static void send(ContractClient c, String destination, String body) {
        c.sendConfirmed(destination, body.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    protected static Received receive(ContractClient c) {
        Received r = c.receive(TIMEOUT);
        assertThat(r).as("a message within %s", TIMEOUT).isNotNull();
        return r;
    }

    @ParameterizedTest
    @MethodSource("versions")
    void negotiatesTheVersionAsked(StompVersion version) {
        ContractClient c = client(version);
        assertThat(c.version()).isEqualTo(version);
        c.disconnect();
        assertThat(c.isConnected()).isFalse();
    }

    @ParameterizedTest
    @MethodSource("versions")
    void textBinaryAndLargeBodiesRoundTrip(StompVersion version) {
        ContractClient c = client(version);
        String q = queue("bodies");
        c.subscribe(q, "auto");
        byte[] binary = {0, 1, 2, 0, (byte) 0xff, 0, '\n', 0};
        byte[] large = new byte[1024 * 1024];
        new Random(42).nextBytes(large);
        send(c, q, "h\u00e9llo w\u00f6rld");
        c.sendConfirmed(q, binary, Map.of());
        c.sendConfirmed(q, large, Map.of());
        assertThat(receive(c).frame().bodyAsString()).isEqualTo("h\u00e9llo w\u00f6rld");
        assertThat(receive(c).frame().body()).isEqualTo(binary);
        assertThat(receive(c).frame().body()).isEqualTo(large);
    }

    @ParameterizedTest
    @MethodSource("versions")
    void headersWithSpecialCharactersSurviveTheBroker(StompVersion version) {
        ContractClient c = client(version);
        String q = queue("headers");
        c.subscribe(q, "auto");
        // 1.0 cannot escape: only ':' (after the first) may go in a value, and only ASCII.
        String value = version == StompVersion.V1_0 ? "a:b:c" : "colon:back\\slash\nnewline \u00e9\u65e5";
        c.sendConfirmed(q, "x".getBytes(StandardCharsets.UTF_8), Map.of("x-stompbox", value));
        StompFrame m = receive(c).frame();
        String expected = version == StompVersion.V1_0 && broker.escapesHeadersIn10() ? value.replace(":", "\\c") : value;
        assertThat(m.header("x-stompbox")).isEqualTo(expected);
    }

    @ParameterizedTest
    @MethodSource("versions")
    void clientIndividualAckRedeliversOnlyWhatWasNotAcked(StompVersion version) {
        String q = queue("individual");
        ContractClient first = client(version);
        first.subscribe(q, "client-individual");
        send(first, q, "one");
        send(first, q, "two");
        Received one = receive(first);
        Received two = receive(first);
        assertThat(List.of(one.frame().bodyAsString(), two.frame().bodyAsString())).containsExactly("one", "two");
        two.ack();
        first.disconnect();
        ContractClient second = client(version);
        second.subscribe(q, "client-individual");
        Received again = receive(second);
        assertThat(again.frame().bodyAsString()).isEqualTo("one");
        again.ack();
        assertThat(second.receive(Duration.ofMillis(500))).isNull();
    }

    @ParameterizedTest
    @MethodSource("versions")
    void clientAckModeRedeliversWhatFollowsTheLastAck(StompVersion version) {
        String q = queue("client");
        ContractClient first = client(version);
        first.subscribe(q, "client");
        for (String body : List.of("a", "b", "c")) {
            send(first, q, body);
        }
        receive(first).ack();
        receive(first).ack();
        assertThat(receive(first).frame().bodyAsString()).isEqualTo("c");
        first.disconnect();
        ContractClient second = client(version);
        second.subscribe(q, "client");
        assertThat(receive(second).frame().bodyAsString()).isEqualTo("c");
    }

    @ParameterizedTest
    @MethodSource("versions")
    void autoAckNeedsNothing(StompVersion version) {
        String q = queue("auto");
        ContractClient first = client(version);
        first.subscribe(q, "auto");
        send(first, q, "once");
        assertThat(receive(first).frame().bodyAsString()).isEqualTo("once");
        // A confirmed round trip first: Artemis settles an auto ack after delivering, and a
        // DISCONNECT racing it can put the message back.
        send(first, queue("sync"), "sync");
        first.disconnect();
        ContractClient second = client(version);
        second.subscribe(q, "auto");
        assertThat(second.receive(Duration.ofMillis(500))).isNull();
    }

    @ParameterizedTest
    @MethodSource("versions")
    void nackRedelivers(StompVersion version) {
        assumeThat(version).isNotEqualTo(StompVersion.V1_0);
        assumeThat(broker.redeliversOnNack()).as(broker.name() + " dead-letters NACKed messages by default").isTrue();
        String q = queue("nack");
        ContractClient c = client(version);
        c.subscribe(q, "client-individual");
        send(c, q, "poison?");
        receive(c).nack();
        Received again = receive(c);
        assertThat(again.frame().bodyAsString()).isEqualTo("poison?");
        again.ack();
    }

    @ParameterizedTest
    @MethodSource("versions")
    void transactionCommitDeliversAbortDoesNot(StompVersion version) {
        String q = queue("tx");
        ContractClient c = client(version);
        ContractTransaction aborted = c.begin();
        aborted.send(q, "aborted");
        aborted.abort();
        ContractTransaction committed = c.begin();
        committed.send(q, "committed");
        committed.commit();
        c.subscribe(q, "auto");
        assertThat(receive(c).frame().bodyAsString()).isEqualTo("committed");
        assertThat(c.receive(Duration.ofMillis(500))).isNull();
    }

    @ParameterizedTest
    @MethodSource("versions")
    void receiptsOnSendAndSubscribeNothingDroppedMeanwhile(StompVersion version) {
        ContractClient c = client(version);
        String q = queue("receipts");
        send(c, q, "x");
        c.subscribe(q, "auto");
        // A MESSAGE may come before the RECEIPT of what caused it: nothing may be dropped meanwhile.
        assertThat(receive(c).frame().bodyAsString()).isEqualTo("x");
        c.disconnect(); // with its own receipt
        assertThat(c.isConnected()).isFalse();
    }

    @ParameterizedTest
    @MethodSource("versions")
    void suppressedContentLengthStillDeliversTheText(StompVersion version) {
        ContractClient c = client(version);
        String q = queue("text");
        c.subscribe(q, "auto");
        c.send(StompFrame.builder(StompCommand.SEND).header(StompHeaders.DESTINATION, q).body("plain text")
                .contentLength(false).build());
        assertThat(receive(c).frame().bodyAsString()).isEqualTo("plain text");
    }

    @ParameterizedTest
    @MethodSource("versions")
    void heartBeatsKeepAnIdleConnectionAlive(StompVersion version) {
        assumeThat(version).isNotEqualTo(StompVersion.V1_0);
        ContractClient c = client(version, new HeartBeat(1000, 1000));
        String q = queue("idle");
        c.subscribe(q, "auto");
        // Idle for longer than the broker's idle timeout (the Artemis suites set it to 2 s).
        assertThat(c.receive(Duration.ofMillis(idleMillis()))).isNull();
        assertThat(c.isConnected()).isTrue();
        send(c, q, "still here");
        assertThat(receive(c).frame().bodyAsString()).isEqualTo("still here");
    }

    /** How long {@link #heartBeatsKeepAnIdleConnectionAlive} stays idle. */
    protected long idleMillis() {
        return 2500;
    }
}
