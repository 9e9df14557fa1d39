package dev.stompbox.testkit;

import dev.stompbox.protocol.HeartBeat;
import dev.stompbox.protocol.StompCommand;
import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.StompVersion;
import dev.stompbox.protocol.commands.Commands;
import dev.stompbox.protocol.commands.ConnectOptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.stompbox.testkit.WireClient.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The server as a broker: negotiation, destinations, acks, transactions, receipts, errors. */
class BrokerBehaviourTest extends ServerTestSupport {
    private static StompFrame subscribe(String destination, String id, String ack) {
        return StompFrame.builder(StompCommand.SUBSCRIBE).header("destination", destination).header("id", id)
                .header("ack", ack).header("receipt", "sub-" + id).build();
    }

    /**
     * Subscribes and waits for the RECEIPT; messages already waiting on the queue are delivered while
     * the SUBSCRIBE is handled, so they may come first: they are returned, in order.
     */
    private static List<StompFrame> subscribeAndWait(WireClient c, String destination, String id, String ack) {
        c.send(subscribe(destination, id, ack));
        List<StompFrame> early = new ArrayList<>();
        while (true) {
            StompFrame f = c.receive();
            if (f.command() == StompCommand.RECEIPT) {
                assertThat(f.header("receipt-id")).isEqualTo("sub-" + id);
                return early;
            }
            early.add(f);
        }
    }

    @Test
    @DisplayName("binds 127.0.0.1 on an ephemeral port, starts well under a second, many run side by side")
    void lifecycle() {
        long t0 = System.nanoTime();
        List<StompTestServer> many = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            many.add(new StompTestServer().start());
        }
        long perServerMillis = (System.nanoTime() - t0) / 1_000_000 / 10;
        assertThat(perServerMillis).isLessThan(500);
        assertThat(many.stream().map(StompTestServer::port).distinct()).hasSize(10);
        assertThat(many.get(0).uri()).isEqualTo("tcp://127.0.0.1:" + many.get(0).port());
        many.forEach(StompTestServer::close);
        many.get(0).close(); // idempotent
        assertThatThrownBy(() -> new StompTestServer().port()).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> server.start()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    @DisplayName("version negotiation: highest common version; no accept-version means 1.0; none in common is an ERROR")
    void versions() {
        assertThat(connected().parser().version()).isEqualTo(StompVersion.V1_2);
        // Sent frames are traced once written, so the client may see one first: await it.
        StompFrame v12 = server.awaitConnection(TIMEOUT).awaitSent(StompCommand.CONNECTED, TIMEOUT);
        assertThat(v12.header("version")).isEqualTo("1.2");
        assertThat(v12.header("session")).isNotNull();

        WireClient old = client();
        old.sendRaw("CONNECT\nlogin:x\n\n\0".getBytes());
        StompFrame ten = old.receive();
        assertThat(ten.command()).isEqualTo(StompCommand.CONNECTED);
        assertThat(ten.header("version")).isNull();

        server.versions(StompVersion.V1_1);
        WireClient eleven = client();
        assertThat(eleven.connect().header("version")).isEqualTo("1.1");

        WireClient none = client();
        none.sendRaw("CONNECT\naccept-version:1.2\n\n\0".getBytes());
        StompFrame error = none.receive();
        assertThat(error.command()).isEqualTo(StompCommand.ERROR);
        assertThat(error.header("message")).isEqualTo("Supported protocol versions are 1.1");
    }

    @Test
    @DisplayName("heart-beats: negotiated from both offers; the server beats at the negotiated rate")
    void heartBeats() {
        server.heartBeat(new HeartBeat(30, 0));
        WireClient c = client();
        StompFrame connected = c.connect(new HeartBeat(0, 20));
        assertThat(connected.header("heart-beat")).isEqualTo("30,0");
        ServerConnection sc = server.awaitConnection(TIMEOUT);
        assertThat(sc.serverHeartBeatMillis()).isEqualTo(30);
        assertThat(sc.clientHeartBeatMillis()).isZero();
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (c.heartBeats() < 5 && System.nanoTime() < deadline) {
            c.poll(Duration.ofMillis(50));
        }
        assertThat(c.heartBeats()).isGreaterThanOrEqualTo(5);
        assertThat(sc.heartBeatsSent()).isGreaterThanOrEqualTo(5);
    }

    @Test
    @DisplayName("a client that stops beating is dropped after twice its negotiated period")
    void silentClientDropped() throws Exception {
        WireClient c = client();
        c.connect(new HeartBeat(50, 0));
        c.sendRaw(new byte[] {'\n'});
        ServerConnection sc = server.awaitConnection(TIMEOUT);
        c.awaitEof();
        assertThat(sc.awaitClosed(TIMEOUT)).startsWith("client silent for").contains("heart-beat expected every 50 ms");
        assertThat(sc.heartBeatsReceived()).isEqualTo(1);
    }

    @Test
    @DisplayName("queues: one consumer per message, round robin; messages wait for a subscriber")
    void queueRoundRobin() {
        WireClient producer = connected();
        producer.send(Commands.send("/queue/a", "early"));
        producer.send(StompFrame.builder(StompCommand.SEND).header("destination", "/queue/x").header("receipt", "r").build());
        producer.receive();
        assertThat(server.waitingMessages("/queue/a")).isEqualTo(1);
        WireClient one = connected();
        WireClient two = connected();
        assertThat(subscribeAndWait(one, "/queue/a", "1", "auto")).extracting(StompFrame::bodyAsString).containsExactly("early");
        subscribeAndWait(two, "/queue/a", "2", "auto");
        for (int i = 0; i < 4; i++) {
            producer.send(Commands.send("/queue/a", "m" + i));
        }
        List<String> gotOne = List.of(one.receive().bodyAsString(), one.receive().bodyAsString());
        List<String> gotTwo = List.of(two.receive().bodyAsString(), two.receive().bodyAsString());
        // Alternating: whoever got m0 also got m2, the other got m1 and m3.
        List<String> evens = List.of("m0", "m2");
        List<String> odds = List.of("m1", "m3");
        assertThat(List.of(gotOne, gotTwo)).containsExactlyInAnyOrder(evens, odds);
    }

    @Test
    @DisplayName("topics: every subscriber gets every message; nobody subscribed, nobody gets it")
    void topicFanOut() {
        WireClient producer = connected();
        producer.send(Commands.send("/topic/t", "lost"));
        WireClient one = connected();
        WireClient two = connected();
        subscribeAndWait(one, "/topic/t", "1", "auto");
        subscribeAndWait(two, "/topic/t", "2", "auto");
        producer.send(Commands.send("/topic/t", "hello"));
        assertThat(one.receive().bodyAsString()).isEqualTo("hello");
        assertThat(two.receive().bodyAsString()).isEqualTo("hello");
        assertThat(server.waitingMessages("/topic/t")).isZero();
    }

    @Test
    @DisplayName("MESSAGE frames carry destination, message-id, subscription, ack (1.2) and the SEND's headers")
    void messageHeaders() {
        WireClient c = connected();
        subscribeAndWait(c, "/queue/h", "s1", "client-individual");
        server.publish("/queue/h", "x".getBytes(), Map.of("custom", "yes"));
        StompFrame m = c.receive();
        assertThat(m.header("destination")).isEqualTo("/queue/h");
        assertThat(m.header("subscription")).isEqualTo("s1");
        assertThat(m.header("message-id")).isNotNull();
        assertThat(m.header("ack")).isNotNull();
        assertThat(m.header("custom")).isEqualTo("yes");
        assertThat(m.header("content-length")).isEqualTo("1");
    }

    @Test
    @DisplayName("client-individual: unacked messages are redelivered, marked, when their connection closes")
    void redeliveredOnClose() {
        WireClient first = connected();
        subscribeAndWait(first, "/queue/r", "1", "client-individual");
        server.publish("/queue/r", "a");
        server.publish("/queue/r", "b");
        StompFrame a = first.receive();
        first.receive();
        first.send(Commands.ack(a, StompVersion.V1_2, null, "acked"));
        assertThat(first.receive().header("receipt-id")).isEqualTo("acked");
        first.close();
        server.awaitConnection(TIMEOUT).awaitClosed(TIMEOUT);
        WireClient second = connected();
        List<StompFrame> waiting = subscribeAndWait(second, "/queue/r", "2", "client-individual");
        assertThat(waiting).hasSize(1);
        StompFrame again = waiting.get(0);
        assertThat(again.bodyAsString()).isEqualTo("b");
        assertThat(again.header("redelivered")).isEqualTo("true");
    }

    @Test
    @DisplayName("client ack mode is cumulative: acking the second message acks the first too")
    void cumulativeAck() {
        WireClient first = connected();
        subscribeAndWait(first, "/queue/c", "1", "client");
        for (String body : List.of("a", "b", "c")) {
            server.publish("/queue/c", body);
        }
        first.receive();
        StompFrame b = first.receive();
        first.receive();
        first.send(Commands.ack(b, StompVersion.V1_2, null, "r"));
        first.receive();
        first.close();
        WireClient second = connected();
        assertThat(subscribeAndWait(second, "/queue/c", "2", "client")).extracting(StompFrame::bodyAsString).containsExactly("c");
    }

    /*
     * Each ACK used to walk every unacked delivery of the connection: a test that took a backlog and
     * acked it one by one made the server's work quadratic (100 000 messages took 14 s of the server's
     * thread, 200 000 about a minute). Now it is a lookup: a few seconds of wire work, well under the bound.
     */
    @Test
    @DisplayName("acking a backlog of 200 000 messages one by one is linear, under client-individual and client")
    void ackingABacklogIsLinear() {
        for (String mode : List.of("client-individual", "client")) {
            String queue = "/queue/backlog-" + mode;
            int n = 200_000;
            for (int i = 0; i < n; i++) {
                server.publish(queue, "m");
            }
            WireClient c = connected();
            List<StompFrame> messages = new ArrayList<>(subscribeAndWait(c, queue, "s", mode));
            while (messages.size() < n) {
                messages.add(c.receive());
            }
            assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
                for (int i = 0; i < n - 1; i++) {
                    c.send(Commands.ack(messages.get(i), StompVersion.V1_2, null, null));
                }
                c.send(Commands.ack(messages.get(n - 1), StompVersion.V1_2, null, "all"));
                assertThat(c.receive(Duration.ofSeconds(30)).header("receipt-id")).isEqualTo("all");
            }, mode);
            c.close();
            WireClient again = connected();
            assertThat(subscribeAndWait(again, queue, "s2", "client-individual")).as("nothing left unacked").isEmpty();
            again.close();
        }
    }

    @Test
    @DisplayName("NACK puts the message back, marked redelivered; 1.1 acks by subscription and message-id")
    void nackRedelivers() {
        WireClient c = client();
        c.connect(ConnectOptions.builder().versions(StompVersion.V1_1).build());
        subscribeAndWait(c, "/queue/n", "1", "client-individual");
        server.publish("/queue/n", "poison");
        StompFrame m = c.receive();
        assertThat(m.header("ack")).isNull();
        c.send(Commands.nack(m, StompVersion.V1_1, null, null));
        StompFrame again = c.receive();
        assertThat(again.header("redelivered")).isEqualTo("true");
        assertThat(again.header("message-id")).isEqualTo(m.header("message-id"));
        c.send(Commands.ack(again, StompVersion.V1_1, null, "done"));
        assertThat(c.receive().header("receipt-id")).isEqualTo("done");
    }

    @Test
    @DisplayName("transactions: SENDs are delivered on COMMIT only; ABORT drops them")
    void transactionalSends() {
        WireClient consumer = connected();
        subscribeAndWait(consumer, "/queue/tx", "1", "auto");
        WireClient producer = connected();
        producer.send(Commands.begin("t1", null));
        producer.send(StompFrame.builder(StompCommand.SEND).header("destination", "/queue/tx").header("transaction", "t1").body("one").build());
        producer.send(Commands.begin("t2", null));
        producer.send(StompFrame.builder(StompCommand.SEND).header("destination", "/queue/tx").header("transaction", "t2").body("dropped").build());
        producer.send(Commands.abort("t2", "aborted"));
        assertThat(producer.receive().header("receipt-id")).isEqualTo("aborted");
        assertThat(consumer.poll(Duration.ofMillis(100))).as("nothing before COMMIT").isNull();
        producer.send(Commands.commit("t1", null));
        assertThat(consumer.receive().bodyAsString()).isEqualTo("one");
        producer.send(Commands.send("/queue/tx", "after"));
        assertThat(consumer.receive().bodyAsString()).as("the aborted SEND never came").isEqualTo("after");
    }

    @Test
    @DisplayName("transactions: an ACK in an aborted transaction is undone and the message redelivered")
    void transactionalAckAborted() {
        WireClient c = connected();
        subscribeAndWait(c, "/queue/ta", "1", "client-individual");
        server.publish("/queue/ta", "m");
        StompFrame m = c.receive();
        c.send(Commands.begin("t", null));
        c.send(Commands.ack(m, StompVersion.V1_2, null, null).withHeader("transaction", "t"));
        c.send(Commands.abort("t", null));
        StompFrame again = c.receive();
        assertThat(again.header("redelivered")).isEqualTo("true");
        c.send(Commands.begin("t2", null));
        c.send(Commands.ack(again, StompVersion.V1_2, null, null).withHeader("transaction", "t2"));
        c.send(Commands.commit("t2", "committed"));
        assertThat(c.receive().header("receipt-id")).isEqualTo("committed");
    }

    @Test
    @DisplayName("a RECEIPT for any frame that asks; DISCONNECT with receipt, then close")
    void receipts() throws Exception {
        WireClient c = connected();
        subscribeAndWait(c, "/queue/q", "1", "auto");
        c.send(StompFrame.builder(StompCommand.UNSUBSCRIBE).header("id", "1").header("receipt", "u").build());
        assertThat(c.receive().header("receipt-id")).isEqualTo("u");
        c.send(Commands.begin("t", "b"));
        assertThat(c.receive().header("receipt-id")).isEqualTo("b");
        c.send(Commands.disconnect("bye"));
        assertThat(c.receive().header("receipt-id")).isEqualTo("bye");
        c.awaitEof();
        assertThat(server.awaitConnection(TIMEOUT).awaitClosed(TIMEOUT)).isEqualTo("client sent DISCONNECT");
    }

    @Test
    @DisplayName("credentials: a wrong passcode gets ERROR and the connection closes")
    void credentials() throws Exception {
        server.requireCredentials("guest", "s3cret");
        WireClient bad = client();
        StompFrame error = bad.connect(ConnectOptions.builder().login("guest").passcode("wrong").build());
        assertThat(error.command()).isEqualTo(StompCommand.ERROR);
        assertThat(error.header("message")).startsWith("Authentication failed");
        bad.awaitEof();
        WireClient good = client();
        assertThat(good.connect(ConnectOptions.builder().login("guest").passcode("s3cret").build()).command())
                .isEqualTo(StompCommand.CONNECTED);
        assertThat(server.traceDump()).doesNotContain("s3cret").doesNotContain("wrong");
    }

    @Test
    @DisplayName("protocol violations get an ERROR (with receipt-id when asked) and a close, as a broker would")
    void protocolErrors() throws Exception {
        WireClient early = client();
        early.send(StompFrame.builder(StompCommand.SEND).header("destination", "/q").header("receipt", "r1").build());
        StompFrame e1 = early.receive();
        assertThat(e1.command()).isEqualTo(StompCommand.ERROR);
        assertThat(e1.header("message")).isEqualTo("Expected CONNECT or STOMP, got SEND");
        assertThat(e1.header("receipt-id")).isEqualTo("r1");
        early.awaitEof();

        WireClient noId = connected();
        noId.sendRaw("SUBSCRIBE\ndestination:/q\n\n\0".getBytes());
        assertThat(noId.receive().header("message")).isEqualTo("SUBSCRIBE needs an id header in STOMP 1.2");
        noId.awaitEof();

        WireClient garbage = connected();
        garbage.sendRaw("HELLO\n\n\0".getBytes());
        assertThat(garbage.receive().header("message")).startsWith("Invalid command: 'HELLO'");
        garbage.awaitEof();

        WireClient unknownAck = connected();
        unknownAck.sendRaw("ACK\nid:nope\n\n\0".getBytes());
        assertThat(unknownAck.receive().header("message")).isEqualTo("Unknown ACK id: nope");

        WireClient unknownTx = connected();
        unknownTx.send(Commands.commit("ghost", null));
        assertThat(unknownTx.receive().header("message")).isEqualTo("Unknown transaction ghost");
    }

    @Test
    @DisplayName("every frame both ways is traced; awaits see frames already there and ones still to come")
    void traceAndAwait() {
        WireClient c = connected();
        ServerConnection sc = server.awaitConnection(TIMEOUT);
        c.send(Commands.send("/queue/t", "hi"));
        StompFrame send = sc.awaitReceived(StompCommand.SEND, TIMEOUT);
        assertThat(send.bodyAsString()).isEqualTo("hi");
        assertThat(sc.awaitReceived(f -> f.command() == StompCommand.CONNECT, TIMEOUT)).isNotNull();
        assertThat(sc.awaitSent(StompCommand.CONNECTED, TIMEOUT).header("version")).isEqualTo("1.2");
        assertThat(sc.received()).extracting(StompFrame::command).containsExactly(StompCommand.CONNECT, StompCommand.SEND);
        assertThat(sc.sent()).extracting(StompFrame::command).containsExactly(StompCommand.CONNECTED);
        assertThat(sc.trace()).hasSize(3).first().matches(TracedFrame::received);
        assertThat(sc.trace().get(0).toString()).contains("<- CONNECT");
        assertThatThrownBy(() -> sc.awaitSent(StompCommand.ERROR, Duration.ofMillis(50)))
                .isInstanceOf(AssertionError.class).hasMessageContaining("no a sent ERROR").hasMessageContaining("<- SEND");
        assertThatThrownBy(() -> sc.awaitClosed(Duration.ofMillis(20))).isInstanceOf(AssertionError.class);
        assertThatThrownBy(() -> server.awaitConnection(5, Duration.ofMillis(20))).isInstanceOf(AssertionError.class);
        assertThat(sc.index()).isZero();
        assertThat(sc.version()).isEqualTo(StompVersion.V1_2);
        assertThat(sc.session()).isNotNull();
        assertThat(sc.isOpen()).isTrue();
        assertThat(sc.toString()).contains("open");
        assertThat(server.connections()).containsExactly(sc);
        assertThat(server.toString()).contains(server.uri());
    }
}
