package dev.stompbox.client.brokers;

import dev.stompbox.fixtures.*;

import dev.stompbox.client.StompClient;
import dev.stompbox.client.StompClientConfig;
import dev.stompbox.client.Transaction;
import dev.stompbox.protocol.HeartBeat;
import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.StompHeaders;
import dev.stompbox.protocol.StompVersion;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/** The broker contract for the blocking client, plus what only explicit acks can express. */
public abstract class BlockingBrokerContract extends BrokerContract {

    protected StompClientConfig.Builder config(StompVersion version) {
        return StompClientConfig.builder(broker.uri()).version(version).login("guest").passcode("guest")
                .disconnectTimeout(Duration.ofSeconds(5)).receiptTimeout(TIMEOUT);
    }

    @Override
    protected ContractClient connect(TestBroker broker, StompVersion version, HeartBeat heartBeat) {
        return new BlockingContractClient(config(version).heartBeat(heartBeat).build());
    }

    @Override
    protected ContractClient connectResilient(String failoverUri, StompVersion version, boolean atLeastOnce, HeartBeat heartBeat,
                                              Duration connectedTimeout) {
        return new BlockingContractClient(StompClientConfig.builder(failoverUri).version(version).login("guest").passcode("guest")
                .disconnectTimeout(Duration.ofSeconds(5)).receiptTimeout(TIMEOUT).autoReconnect(true).atLeastOnce(atLeastOnce)
                .heartBeat(heartBeat).connectTimeout(connectedTimeout).connectedTimeout(connectedTimeout));
    }

    /** A connected blocking client, closed after the test. */
    protected StompClient blocking(StompVersion version) {
        return ((BlockingContractClient) client(version)).client();
    }

    protected static void subscribe(StompClient c, String destination, String ack) {
        c.subscribe(destination, Map.of(StompHeaders.ACK, ack, StompHeaders.RECEIPT, "sub-" + UUID.randomUUID())).receipt().await(TIMEOUT);
    }

    protected static void sendConfirmed(StompClient c, String destination, String body) {
        c.send(destination, body.getBytes(StandardCharsets.UTF_8), Map.of(StompHeaders.RECEIPT, "r-" + UUID.randomUUID())).await(TIMEOUT);
    }

    @ParameterizedTest
    @MethodSource("versions")
    void clientAckIsCumulative(StompVersion version) {
        String q = queue("cumulative");
        StompClient first = blocking(version);
        subscribe(first, q, "client");
        for (String body : List.of("a", "b", "c")) {
            sendConfirmed(first, q, body);
        }
        first.receiveFrame(TIMEOUT);
        StompFrame b = first.receiveFrame(TIMEOUT);
        first.receiveFrame(TIMEOUT);
        first.ack(b, true).await(TIMEOUT);
        first.disconnect();
        StompClient second = blocking(version);
        subscribe(second, q, "client");
        assertThat(second.receiveFrame(TIMEOUT).bodyAsString()).isEqualTo("c");
    }

    @ParameterizedTest
    @MethodSource("versions")
    void abortedTransactionalAckLeavesTheMessageUnacked(StompVersion version) {
        assumeThat(broker.honoursTransactionalAck()).as(broker.name() + " ignores transaction on ACK").isTrue();
        String q = queue("txack");
        StompClient first = blocking(version);
        subscribe(first, q, "client-individual");
        sendConfirmed(first, q, "keep me");
        StompFrame m = first.receiveFrame(TIMEOUT);
        try (Transaction tx = first.begin()) {
            tx.ack(m);
            tx.abort();
        }
        first.disconnect();
        StompClient second = blocking(version);
        subscribe(second, q, "client-individual");
        assertThat(second.receiveFrame(TIMEOUT).bodyAsString()).isEqualTo("keep me");
    }
}
