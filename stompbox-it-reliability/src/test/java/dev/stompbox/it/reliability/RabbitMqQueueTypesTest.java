package dev.stompbox.it.reliability;

import dev.stompbox.client.Receipt;
import dev.stompbox.client.StompClient;
import dev.stompbox.client.StompClientConfig;
import dev.stompbox.fixtures.RabbitMqCluster;
import dev.stompbox.protocol.StompFrame;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a RabbitMQ cluster keeps when a node dies, and what it does not: the broker's guarantee, not
 * the client's. A classic queue lives on one node; a quorum queue is replicated on every node.
 * With the node of the classic queue killed, a producer on another node sends to both queues through
 * {@code /amq/queue/} (which routes to an existing queue without declaring it): the broker receipts
 * every SEND, and the classic queue's copies are gone when its node returns, while the quorum queue
 * has them all. Through {@code /queue/} (which declares the queue) the same SEND is refused with an
 * ERROR while the node is down ("home node … is down or inaccessible"); an at-least-once client
 * re-sends it on each reconnect until the node is back, and it arrives.
 */
class RabbitMqQueueTypesTest {
    private static final int MESSAGES = 50;

    @Test
    void aClassicQueueOnAKilledNodeLosesWhatTheBrokerReceiptedAndAQuorumQueueKeepsIt() {
        RabbitMqCluster cluster = RabbitMqCluster.runningOrSkip();
        String id = Long.toString(System.nanoTime(), 36);
        String classic = "types-classic-" + id;
        String quorum = "types-quorum-" + id;
        try (StompClient node3 = connect(cluster.uri(3), false)) {
            // SUBSCRIBE on /queue/ declares a durable queue: the classic one on node 3, the quorum one on all.
            node3.unsubscribe(node3.subscribe("/queue/" + classic, Map.of("ack", "auto"))).await(Duration.ofSeconds(10));
            node3.unsubscribe(node3.subscribe("/queue/" + quorum, with(RabbitMqCluster.QUORUM, "ack", "auto")))
                    .await(Duration.ofSeconds(10));
        }
        Receipt declaring;
        cluster.kill(3);
        try (StompClient producer = connect(cluster.uri(1), true)) {
            try {
                List<Receipt> receipts = new ArrayList<>();
                for (int i = 0; i < MESSAGES; i++) {
                    receipts.add(producer.send("/amq/queue/" + classic, "c" + i, Map.of("persistent", "true")));
                    receipts.add(producer.send("/amq/queue/" + quorum, "q" + i, Map.of("persistent", "true")));
                }
                for (Receipt r : receipts) {
                    r.await(Duration.ofSeconds(30)); // the broker accepted every one of them
                }
                declaring = producer.send("/queue/" + classic, "declared", Map.of("persistent", "true"));
                try {
                    declaring.await(Duration.ofSeconds(2));
                    throw new AssertionError("a SEND to /queue/" + classic + " was receipted while the queue's node was down");
                } catch (dev.stompbox.protocol.StompException expected) {
                    // refused while the node is down; kept for the next connection
                }
            } finally {
                cluster.start(3);
            }
            declaring.await(Duration.ofSeconds(60));
        }
        Set<String> fromClassic = drain(cluster.uri(1), classic);
        Set<String> fromQuorum = drain(cluster.uri(1), quorum);
        long classicLost = MESSAGES - fromClassic.stream().filter(b -> b.startsWith("c")).count();
        long quorumLost = MESSAGES - fromQuorum.size();
        System.out.printf("queue types [RabbitMQ 3-node cluster, node of the classic queue killed]: %d SENDs receipted per queue; "
                + "classic queue lost %d, quorum queue lost %d; the SEND through /queue/ arrived: %s%n", MESSAGES, classicLost, quorumLost,
                fromClassic.contains("declared"));
        assertThat(fromQuorum).as("the quorum queue keeps every receipted message").hasSize(MESSAGES);
        assertThat(classicLost).as("the classic queue on the dead node drops what the broker receipted").isEqualTo(MESSAGES);
        assertThat(fromClassic).as("the SEND refused while the node was down, re-sent by the client").containsExactly("declared");
    }

    private static StompClient connect(String uri, boolean atLeastOnce) {
        StompClient c = StompClient.create(StompClientConfig.builder(uri).autoReconnect(atLeastOnce).atLeastOnce(atLeastOnce)
                .receiptTimeout(Duration.ofSeconds(90)).build());
        c.connect(Duration.ofSeconds(30));
        return c;
    }

    private static Set<String> drain(String uri, String queue) {
        Set<String> bodies = new LinkedHashSet<>();
        try (StompClient c = connect(uri, false)) {
            c.subscribe("/amq/queue/" + queue, Map.of("ack", "auto"));
            StompFrame f;
            while ((f = c.receiveFrame(Duration.ofSeconds(2))) != null) {
                bodies.add(f.bodyAsString());
            }
        }
        return bodies;
    }

    private static Map<String, String> with(Map<String, String> headers, String name, String value) {
        Map<String, String> all = new LinkedHashMap<>(headers);
        all.put(name, value);
        return all;
    }
}
