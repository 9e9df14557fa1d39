package dev.stompbox.client;

import dev.stompbox.protocol.connection.ConnectionListener;
import dev.stompbox.protocol.connection.ReconnectReport;
import dev.stompbox.protocol.StompCommand;
import dev.stompbox.protocol.StompConnectionException;
import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.StompHeaders;
import dev.stompbox.protocol.failover.BrokerAddress;
import dev.stompbox.testkit.ServerConnection;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Reconnect with replay, acks across connections, transactions, threads, against the test kit. */
class ClientBehaviourTest extends TestKitClientSupport {
    /** Records what the listener is told, for awaiting. */
    static final class Events implements ConnectionListener {
        final BlockingQueue<Object> events = new ArrayBlockingQueue<>(100);

        @Override
        public void connected(BrokerAddress broker) {
            events.add("connected " + broker.port());
        }

        @Override
        public void connectionLost(Throwable cause) {
            events.add(cause);
        }

        @Override
        public void reconnected(ReconnectReport report) {
            events.add(report);
        }

        @Override
        public void reconnectFailed(Throwable cause) {
            events.add("failed: " + cause.getMessage());
        }

        <T> T next(Class<T> type) throws InterruptedException {
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (true) {
                Object e = events.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (e == null) {
                    throw new AssertionError("no " + type.getSimpleName() + " event within " + TIMEOUT);
                }
                if (type.isInstance(e)) {
                    return type.cast(e);
                }
            }
        }
    }

    @Test
    @DisplayName("auto-reconnect: replays the subscription with the same id, reports what was in flight, refuses stale acks")
    void reconnectReplaysAndReports() throws Exception {
        Events events = new Events();
        StompClient client = connected(StompClientConfig.builder("failover:(" + server.uri() + ")?initialReconnectDelay=10")
                .autoReconnect(true).listener(events).receiptTimeout(Duration.ofMinutes(1)));
        assertThat(events.next(String.class)).isEqualTo("connected " + server.port());
        Subscription sub = client.subscribe("/queue/r", Map.of("ack", "client-individual"));
        server.publish("/queue/r", "first");
        StompFrame first = client.receiveFrame(TIMEOUT);
        ServerConnection one = server.awaitConnection(0, TIMEOUT);
        one.faults().withholdReceipts();
        Receipt outstanding = client.send("/queue/other", "x".getBytes(StandardCharsets.UTF_8), Map.of("receipt", "in-flight"));
        one.awaitReceived(f -> "in-flight".equals(f.header("receipt")), TIMEOUT);

        one.reset();
        assertThat(events.next(Throwable.class)).isInstanceOf(StompConnectionException.class);
        assertThatThrownBy(() -> outstanding.await(TIMEOUT)).isInstanceOf(StompConnectionException.class);
        ReconnectReport report = events.next(ReconnectReport.class);
        assertThat(report.broker().port()).isEqualTo(server.port());
        assertThat(report.replayedSubscriptions()).containsExactly(sub.id());
        assertThat(report.outstandingReceipts()).containsExactly("in-flight");
        assertThat(report.unackedMessages()).containsExactly(first);
        assertThat(client.isConnected()).isTrue();

        ServerConnection two = server.awaitConnection(1, TIMEOUT);
        StompFrame resubscribe = two.awaitReceived(StompCommand.SUBSCRIBE, TIMEOUT);
        assertThat(resubscribe.header("id")).isEqualTo(sub.id());
        assertThat(resubscribe.header("ack")).isEqualTo("client-individual");

        // The unacked message comes again on the new connection; the old frame may not be acked.
        StompFrame again = client.receiveFrame(TIMEOUT);
        assertThat(again.bodyAsString()).isEqualTo("first");
        assertThat(again.header("redelivered")).isEqualTo("true");
        assertThatThrownBy(() -> client.ack(first)).isInstanceOf(StompAckException.class).hasMessageContaining("earlier connection");
        client.ack(again, true).await(TIMEOUT);
        assertThat(two.received()).filteredOn(f -> f.command() == StompCommand.ACK).hasSize(1);
        server.publish("/queue/r", "after");
        assertThat(client.receiveFrame(TIMEOUT).bodyAsString()).isEqualTo("after");
    }

    @Test
    @DisplayName("disconnect() while reconnecting wins: no connection comes back afterwards")
    void disconnectWhileReconnecting() throws Exception {
        Events events = new Events();
        StompClient client = connected(StompClientConfig.builder("failover:(" + server.uri() + ")?initialReconnectDelay=50,maxReconnectDelay=50")
                .autoReconnect(true).listener(events));
        server.refuseConnections(Duration.ofMinutes(1));
        server.awaitConnection(0, TIMEOUT).reset();
        events.next(Throwable.class);
        client.disconnect();
        server.acceptConnections();
        // Reconnect attempts come every 50 ms; give them ten chances to (wrongly) succeed.
        assertThatThrownBy(() -> server.awaitConnection(1, Duration.ofMillis(500))).isInstanceOf(AssertionError.class);
        assertThat(client.isConnected()).isFalse();
    }

    @Test
    @DisplayName("without auto-reconnect, the loss is an exception on the next call")
    void noAutoReconnect() {
        StompClient client = connected(StompClientConfig.builder(server.uri()));
        server.awaitConnection(TIMEOUT).reset();
        assertThatThrownBy(() -> client.receiveFrame(TIMEOUT)).isInstanceOf(StompConnectionException.class);
        assertThatThrownBy(() -> client.send("/queue/a", "x")).isInstanceOf(StompConnectionException.class)
                .hasMessageContaining("lost");
        assertThat(server.connections()).hasSize(1);
    }

    @Test
    @DisplayName("on loss, inbox messages needing an ack are dropped (the broker redelivers); auto ones are kept")
    void inboxOnLoss() throws Exception {
        Events events = new Events();
        StompClient client = connected(StompClientConfig.builder("failover:(" + server.uri() + ")?initialReconnectDelay=10")
                .autoReconnect(true).listener(events));
        client.subscribe("/queue/auto", Map.of());
        Subscription acked = client.subscribe("/queue/acked", Map.of("ack", "client", "receipt", "s2"));
        acked.receipt().await(TIMEOUT);
        server.publish("/queue/auto", "auto-1");
        server.publish("/queue/acked", "acked-1");
        ServerConnection one = server.awaitConnection(0, TIMEOUT);
        one.awaitSent(f -> "acked-1".equals(f.bodyAsString()), TIMEOUT);
        // Both are in the inbox, unreceived. Wait until the client has read them, then cut.
        assertThat(client.canRead(TIMEOUT)).isTrue();
        one.reset();
        ReconnectReport report = events.next(ReconnectReport.class);
        List<String> bodies = new ArrayList<>();
        StompFrame f;
        while ((f = client.receiveFrame(Duration.ofSeconds(2))) != null && bodies.size() < 3) {
            bodies.add(f.bodyAsString() + (f.header("redelivered") != null ? " (redelivered)" : ""));
        }
        assertThat(bodies).contains("auto-1", "acked-1 (redelivered)").doesNotContain("acked-1");
        assertThat(report.discardedMessages() + report.unackedMessages().size()).isLessThanOrEqualTo(1);
    }

    @Test
    @DisplayName("client ack mode is cumulative on the client side too: acking a later message settles the earlier")
    void cumulativeClientAck() {
        StompClient client = connected(StompClientConfig.builder(server.uri()));
        client.subscribe("/queue/c", Map.of("ack", "client"));
        server.publish("/queue/c", "a");
        server.publish("/queue/c", "b");
        StompFrame a = client.receiveFrame(TIMEOUT);
        StompFrame b = client.receiveFrame(TIMEOUT);
        client.ack(b);
        assertThatThrownBy(() -> client.ack(a)).isInstanceOf(StompAckException.class).hasMessageContaining("not awaiting an ack");
        assertThatThrownBy(() -> client.ack(b)).isInstanceOf(StompAckException.class);
    }

    @Test
    @DisplayName("messages of an auto subscription need no ack, and acking one is refused")
    void autoNeedsNoAck() {
        StompClient client = connected(StompClientConfig.builder(server.uri()));
        client.subscribe("/queue/auto", Map.of());
        server.publish("/queue/auto", "m");
        StompFrame m = client.receiveFrame(TIMEOUT);
        assertThatThrownBy(() -> client.ack(m)).isInstanceOf(StompAckException.class).hasMessageContaining("ack mode auto");
    }

    @Test
    @DisplayName("transactions: sends and acks apply on commit; closing an uncommitted one aborts it")
    void transactions() {
        StompClient client = connected(StompClientConfig.builder(server.uri()));
        client.subscribe("/queue/in", Map.of("ack", "client-individual"));
        server.publish("/queue/in", "work");
        StompFrame work = client.receiveFrame(TIMEOUT);
        try (Transaction tx = client.begin()) {
            tx.send("/queue/out", "result");
            tx.ack(work);
            tx.commit();
            assertThatThrownBy(() -> tx.send("/queue/out", "late")).isInstanceOf(IllegalStateException.class);
        }
        try (Transaction tx = client.begin()) {
            tx.send("/queue/out", "never");
        }
        ServerConnection sc = server.awaitConnection(TIMEOUT);
        StompFrame abort = sc.awaitReceived(StompCommand.ABORT, TIMEOUT);
        List<StompFrame> received = sc.received();
        StompFrame commit = received.stream().filter(f -> f.command() == StompCommand.COMMIT).findFirst().orElseThrow();
        assertThat(received.stream().filter(f -> f.command() == StompCommand.ACK).findFirst().orElseThrow().header("transaction"))
                .isEqualTo(commit.header("transaction"));
        assertThat(abort.header("transaction")).isNotEqualTo(commit.header("transaction"));
        client.subscribe("/queue/out", Map.of());
        assertThat(client.receiveFrame(TIMEOUT).bodyAsString()).isEqualTo("result");
        assertThat(client.receiveFrame(Duration.ofMillis(200))).isNull();
    }

    @Test
    @DisplayName("a transaction does not survive its connection")
    void transactionLostWithConnection() throws Exception {
        Events events = new Events();
        StompClient client = connected(StompClientConfig.builder("failover:(" + server.uri() + ")?initialReconnectDelay=10")
                .autoReconnect(true).listener(events));
        Transaction tx = client.begin();
        server.awaitConnection(0, TIMEOUT).reset();
        events.next(ReconnectReport.class);
        assertThatThrownBy(() -> tx.send("/queue/a", "x")).isInstanceOf(StompConnectionException.class)
                .hasMessageContaining("lost with the connection");
        tx.close(); // quiet
    }

    @Test
    @DisplayName("any thread may send: concurrent senders' frames arrive whole")
    void concurrentSenders() throws Exception {
        StompClient client = connected(StompClientConfig.builder(server.uri()));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int thread = t;
            done.add(pool.submit(() -> {
                for (int i = 0; i < 250; i++) {
                    client.send("/queue/many", "t" + thread + "-" + i + "-" + "p".repeat(i));
                }
            }));
        }
        for (Future<?> f : done) {
            f.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
        pool.shutdown();
        client.send("/queue/many", "x".getBytes(StandardCharsets.UTF_8), Map.of("receipt", "last")).await(TIMEOUT);
        ServerConnection sc = server.awaitConnection(TIMEOUT);
        Set<String> bodies = new HashSet<>();
        for (StompFrame f : sc.received()) {
            if (f.command() == StompCommand.SEND && f.header("receipt") == null) {
                bodies.add(f.bodyAsString());
            }
        }
        assertThat(bodies).hasSize(1000);
        assertThat(bodies).allMatch(b -> b.matches("t\\d-(\\d+)-p*") && b.endsWith("p".repeat(Integer.parseInt(b.split("-")[1]))));
    }

    @Test
    @DisplayName("receipts mode asks for and awaits a receipt on every command; send(frame) sends a caller-built frame")
    void receiptsModeAndFrameSend() {
        StompClient client = connected(StompClientConfig.builder(server.uri()).receipts(true));
        Receipt r = client.send(StompFrame.builder(StompCommand.SEND).header(StompHeaders.DESTINATION, "/queue/z")
                .bodyWithoutCopy(new byte[] {1, 0, 2}).build());
        assertThat(r.isDone()).isTrue();
        assertThat(r.id()).isNotNull();
        Subscription s = client.subscribe("/queue/z", Map.of());
        assertThat(s.receipt().isDone()).isTrue();
        assertThat(client.receiveFrame(TIMEOUT).body()).containsExactly(1, 0, 2);
        ServerConnection sc = server.awaitConnection(TIMEOUT);
        assertThat(sc.received()).filteredOn(f -> f.command() == StompCommand.SEND || f.command() == StompCommand.SUBSCRIBE)
                .allMatch(f -> f.header("receipt") != null);
    }

    @Test
    @DisplayName("canRead peeks without consuming; unsubscribe stops deliveries; unknown-subscription messages are counted")
    void canReadAndUnsubscribe() {
        StompClient client = connected(StompClientConfig.builder(server.uri()));
        Subscription s = client.subscribe("/topic/t", Map.of());
        assertThat(client.canRead(Duration.ofMillis(50))).isFalse();
        server.publish("/topic/t", "hello");
        assertThat(client.canRead(TIMEOUT)).isTrue();
        assertThat(client.canRead(Duration.ZERO)).isTrue();
        assertThat(client.receiveFrame(TIMEOUT).bodyAsString()).isEqualTo("hello");
        client.unsubscribe(s, true).await(TIMEOUT);
        server.awaitConnection(TIMEOUT).sendMessage(s.id(), "/topic/t", "late".getBytes(StandardCharsets.UTF_8));
        client.send("/queue/sync", "x".getBytes(StandardCharsets.UTF_8), Map.of("receipt", "sync")).await(TIMEOUT);
        assertThat(client.receiveFrame(Duration.ofMillis(100))).isNull();
        assertThat(client.unknownSubscriptionMessages()).isEqualTo(1);
    }

    @Test
    @DisplayName("listener calls run on a thread of their own, outside the client's lock: a listener may send and wait for the RECEIPT")
    void listenerMayUseTheClient() throws Exception {
        StompClient[] holder = new StompClient[1];
        java.util.concurrent.CompletableFuture<String> sentFromListener = new java.util.concurrent.CompletableFuture<>();
        StompClient client = client(StompClientConfig.builder(server.uri()).listener(new ConnectionListener() {
            @Override
            public void connected(BrokerAddress broker) {
                try {
                    holder[0].send("/queue/hello", "from the listener".getBytes(StandardCharsets.UTF_8), Map.of("receipt", "hi"))
                            .await(TIMEOUT);
                    sentFromListener.complete(Thread.currentThread().getName());
                } catch (RuntimeException e) {
                    sentFromListener.completeExceptionally(e);
                }
            }
        }));
        holder[0] = client;
        client.connect();
        assertThat(sentFromListener.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).endsWith("-listener");
    }

    @Test
    @DisplayName("a text SEND with headers, from the client and from a transaction")
    void textSendWithHeaders() {
        StompClient client = connected(StompClientConfig.builder(server.uri()));
        client.send("/queue/t", "plain text", Map.of("receipt", "r1", "kind", "note")).await(TIMEOUT);
        try (Transaction tx = client.begin()) {
            tx.send("/queue/t", "in a transaction", Map.of("kind", "tx"));
            tx.commit();
        }
        ServerConnection sc = server.awaitConnection(TIMEOUT);
        StompFrame first = sc.awaitReceived(f -> "plain text".equals(f.bodyAsString()), TIMEOUT);
        assertThat(first.header("kind")).isEqualTo("note");
        StompFrame second = sc.awaitReceived(f -> "in a transaction".equals(f.bodyAsString()), TIMEOUT);
        assertThat(second.header("kind")).isEqualTo("tx");
        assertThat(second.header("transaction")).isNotNull();
    }

    @Test
    @DisplayName("close() disconnects gracefully (DISCONNECT with a receipt) and ends the connection; closeNow() sends nothing")
    void closeGracefulAndNow() {
        StompClient graceful = connected(StompClientConfig.builder(server.uri()));
        graceful.close();
        assertThat(server.awaitConnection(0, TIMEOUT).awaitReceived(StompCommand.DISCONNECT, TIMEOUT)).isNotNull();
        assertThat(graceful.disconnected()).isCompleted();
        assertThat(graceful.isConnected()).isFalse();

        StompClient abrupt = connected(StompClientConfig.builder(server.uri()));
        ServerConnection second = server.awaitConnection(1, TIMEOUT);
        abrupt.closeNow();
        assertThat(abrupt.isConnected()).isFalse();
        assertThat(abrupt.disconnected()).isCompleted();
        org.awaitility.Awaitility.await().atMost(TIMEOUT).until(() -> second.toString().contains("closed"));
        assertThat(second.received()).noneMatch(f -> f.command() == StompCommand.DISCONNECT);
        assertThatThrownBy(abrupt::connect).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");

        StompClient never = client(StompClientConfig.builder(server.uri()));
        never.close();
        assertThat(never.disconnected()).as("closed without ever connecting: nothing to wait for").isCompleted();
    }

    @Test
    @DisplayName("calls before connect, after close, and a second connect are refused clearly")
    void lifecycle() {
        StompClient client = client(StompClientConfig.builder(server.uri()));
        assertThatThrownBy(() -> client.send("/queue/a", "x")).isInstanceOf(StompConnectionException.class).hasMessageContaining("not connected");
        client.connect();
        assertThatThrownBy(client::connect).isInstanceOf(IllegalStateException.class);
        assertThat(client.toString()).contains("connected");
        client.disconnect();
        client.disconnect(); // nothing to do
        client.connect();    // a disconnected client may connect again
        assertThat(client.isConnected()).isTrue();
        client.close();
        assertThatThrownBy(client::connect).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }
}
