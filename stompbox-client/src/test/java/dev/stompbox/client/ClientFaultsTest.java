package dev.stompbox.client;

import dev.stompbox.protocol.HeartBeat;
import dev.stompbox.protocol.StompBrokerException;
import dev.stompbox.protocol.StompCommand;
import dev.stompbox.protocol.StompConnectTimeoutException;
import dev.stompbox.protocol.StompConnectionException;
import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.StompFrameException;
import dev.stompbox.protocol.StompReceiptTimeoutException;
import dev.stompbox.testkit.ServerConnection;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

/** The blocking client against the test kit: the faults a real broker cannot be made to produce. */
class ClientFaultsTest extends TestKitClientSupport {
    private StompClientConfig.Builder config() {
        return StompClientConfig.builder(server.uri()).connectedTimeout(Duration.ofSeconds(5));
    }


    /** Subscribes {@code client} to /queue/a (id {@code s}); the server's side, once it has the SUBSCRIBE. */
    private ServerConnection subscribedToQueueA(StompClient client) {
        client.subscribe("/queue/a", Map.of("id", "s"));
        ServerConnection sc = server.awaitConnection(TIMEOUT);
        sc.awaitReceived(StompCommand.SUBSCRIBE, TIMEOUT);
        return sc;
    }

    private static long millisSince(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    private StompClientConfig.Builder reconnecting() {
        return StompClientConfig.builder("failover:(" + server.uri() + ")?initialReconnectDelay=10,maxReconnectDelay=50")
                .autoReconnect(true).connectedTimeout(Duration.ofSeconds(5));
    }

    /**
     * The ids of the SUBSCRIBEs the second connection received (at least one), once {@code client}
     * has sent on it: the replay goes out before anything new.
     */
    private List<String> subscriptionsReplayed(StompClient client) {
        ServerConnection two = server.awaitConnection(1, TIMEOUT);
        two.awaitReceived(StompCommand.SUBSCRIBE, TIMEOUT); // connected again: a SEND now is not refused
        client.send("/queue/x", "after the replay", Map.of("receipt", "after-replay")).await(TIMEOUT);
        two.awaitReceived(f -> "after-replay".equals(f.header("receipt")), TIMEOUT);
        return two.received().stream().filter(f -> f.command() == StompCommand.SUBSCRIBE).map(f -> f.header("id")).toList();
    }

    @Test
    @DisplayName("with auto-reconnect, a SUBSCRIBE's receipt cut off by a broker ERROR naming no frame waits for the replayed SUBSCRIBE's RECEIPT")
    void subscribeReceiptSurvivesAReconnect() {
        server.nextConnectionFaults().withholdReceipts(f -> f.command() == StompCommand.SUBSCRIBE);
        StompClient client = connected(reconnecting());
        Subscription sub = client.subscribe("/queue/a", Map.of("id", "s", "receipt", "sub-s"));
        ServerConnection one = server.awaitConnection(TIMEOUT);
        one.awaitReceived(StompCommand.SUBSCRIBE, TIMEOUT);
        // What RabbitMQ does when a queue's process is briefly down: an ERROR that names no frame, then the close.
        one.send(StompFrame.builder(StompCommand.ERROR).header("message", "Processing error").build());
        one.close();
        sub.receipt().await(TIMEOUT);
        StompFrame again = server.awaitConnection(1, TIMEOUT).awaitReceived(StompCommand.SUBSCRIBE, TIMEOUT);
        assertThat(again.header("id")).isEqualTo("s");
        assertThat(again.header("receipt")).isEqualTo("sub-s");
    }

    @Test
    @DisplayName("with auto-reconnect, an UNSUBSCRIBE whose receipt a loss cut off completes, and the subscription is not made again")
    void unsubscribeReceiptCutOffByALossCompletes() {
        server.nextConnectionFaults().withholdReceipts(f -> f.command() == StompCommand.UNSUBSCRIBE);
        StompClient client = connected(reconnecting());
        client.subscribe("/queue/kept", Map.of("id", "kept"));
        Receipt gone = client.unsubscribe(client.subscribe("/queue/gone", Map.of("id", "gone")), true);
        ServerConnection one = server.awaitConnection(TIMEOUT);
        one.awaitReceived(StompCommand.UNSUBSCRIBE, TIMEOUT);
        one.close();
        gone.await(TIMEOUT);
        assertThat(subscriptionsReplayed(client)).containsExactly("kept");
    }

    @Test
    @DisplayName("with auto-reconnect, a SUBSCRIBE the broker refused by name fails with its ERROR and is not replayed into the next connection")
    void refusedSubscribeIsNotReplayed() {
        StompClient client = connected(reconnecting());
        client.subscribe("/queue/good", Map.of("id", "good", "receipt", "sub-good")).receipt().await(TIMEOUT);
        ServerConnection one = server.awaitConnection(TIMEOUT);
        one.faults().withholdReceipts(f -> "bad".equals(f.header("id")));
        Subscription bad = client.subscribe("/queue/bad", Map.of("id", "bad", "receipt", "sub-bad"));
        one.awaitReceived(f -> "bad".equals(f.header("id")), TIMEOUT);
        one.send(StompFrame.builder(StompCommand.ERROR).header("receipt-id", "sub-bad").header("message", "no such queue").build());
        one.close();
        assertThatThrownBy(() -> bad.receipt().await(TIMEOUT)).isInstanceOf(StompBrokerException.class).hasMessageContaining("no such queue");
        assertThat(subscriptionsReplayed(client)).containsExactly("good");
    }

    @Test
    @DisplayName("the seed's producer and consumer: connect, send, subscribe, receive, ack, disconnect with receipt")
    void simpleProducerAndConsumer() {
        StompClient client = connected(config());
        client.send("/queue/test", "test message 1");
        client.send("/queue/test", "test message 2");
        client.subscribe("/queue/test", Map.of("ack", "client-individual"));
        StompFrame one = client.receiveFrame(TIMEOUT);
        StompFrame two = client.receiveFrame(TIMEOUT);
        assertThat(List.of(one.bodyAsString(), two.bodyAsString())).containsExactly("test message 1", "test message 2");
        client.ack(one);
        client.ack(two);
        client.disconnect();
        ServerConnection sc = server.awaitConnection(TIMEOUT);
        assertThat(sc.awaitClosed(TIMEOUT)).isEqualTo("client sent DISCONNECT");
        StompFrame connect = sc.received().get(0);
        assertThat(connect.header("host")).isEqualTo("/");
        assertThat(connect.header("heart-beat")).isEqualTo("10000,10000");
        assertThat(connect.header("accept-version")).isEqualTo("1.0,1.1,1.2");
        assertThat(sc.received()).extracting(StompFrame::command).containsSubsequence(
                StompCommand.SEND, StompCommand.SEND, StompCommand.SUBSCRIBE, StompCommand.ACK, StompCommand.ACK, StompCommand.DISCONNECT);
        assertThat(sc.received().get(sc.received().size() - 1).header("receipt")).isNotNull();
        assertThat(client.isConnected()).isFalse();
    }

    @Test
    @DisplayName("CONNECTED never sent: connect fails after the connected timeout, not later")
    void connectedNeverSent() {
        server.nextConnectionFaults().neverAnswerConnect();
        StompClient client = client(config().connectedTimeout(Duration.ofMillis(300)));
        long t0 = System.nanoTime();
        assertThatThrownBy(client::connect).isInstanceOf(StompConnectionException.class)
                .hasMessageContaining("no CONNECTED").hasMessageContaining("300 ms");
        assertThat(millisSince(t0)).isLessThan(300 + 1000);
        assertThat(client.isConnected()).isFalse();
    }

    @Test
    @DisplayName("an ERROR in reply to CONNECT is fatal and never retried by the failover loop")
    void connectErrorNotRetried() {
        server.nextConnectionFaults().answerConnectWithError("Virtual host access denied");
        StompClient client = client(StompClientConfig.builder("failover:(" + server.uri() + ")?maxReconnectAttempts=5,initialReconnectDelay=1"));
        StompBrokerException e = catchThrowableOfType(StompBrokerException.class, client::connect);
        assertThat(e).hasMessageContaining("Virtual host access denied");
        assertThat(e.frame().command()).isEqualTo(StompCommand.ERROR);
        assertThat(server.connections()).hasSize(1);
    }

    @Test
    @DisplayName("a withheld receipt fails with a receipt timeout, awaited or not")
    void receiptWithheld() {
        server.nextConnectionFaults().withholdReceipts();
        StompClient client = connected(config().receiptTimeout(Duration.ofMillis(200)));
        Receipt r = client.send("/queue/a", "x".getBytes(StandardCharsets.UTF_8), Map.of("receipt", "r-1"));
        assertThat(r.id()).isEqualTo("r-1");
        StompReceiptTimeoutException e = catchThrowableOfType(StompReceiptTimeoutException.class, () -> r.await(Duration.ofMillis(100)));
        assertThat(e.receiptId()).isEqualTo("r-1");
        Receipt unattended = client.send("/queue/a", "y".getBytes(StandardCharsets.UTF_8), Map.of("receipt", "r-2"));
        CountDownLatch failed = new CountDownLatch(1);
        unattended.toCompletionStage().whenComplete((v, t) -> {
            Throwable cause = t instanceof java.util.concurrent.CompletionException ? t.getCause() : t;
            if (cause instanceof StompReceiptTimeoutException) {
                failed.countDown();
            }
        });
        assertThat(awaitLatch(failed)).as("expires on the client's timer without anyone waiting").isTrue();
        assertThat(client.isConnected()).isTrue();
    }

    @Test
    @DisplayName("a lost connection fails every waiting receipt at once")
    void lostConnectionFailsAllReceipts() {
        server.nextConnectionFaults().withholdReceipts();
        StompClient client = connected(config().receiptTimeout(Duration.ofMinutes(1)));
        List<Receipt> receipts = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            receipts.add(client.send("/queue/a", ("m" + i).getBytes(StandardCharsets.UTF_8), Map.of("receipt", "r" + i)));
        }
        ServerConnection sc = server.awaitConnection(TIMEOUT);
        sc.awaitReceived(f -> "r2".equals(f.header("receipt")), TIMEOUT);
        long t0 = System.nanoTime();
        sc.reset();
        for (Receipt r : receipts) {
            assertThatThrownBy(() -> r.await(TIMEOUT)).isInstanceOf(StompConnectionException.class)
                    .hasMessageContaining("connection lost before the RECEIPT");
        }
        assertThat(millisSince(t0)).isLessThan(5000);
    }

    @Test
    @DisplayName("a stalled server heart-beat is detected within the grace period; receive wakes with the cause")
    void stalledServerHeartBeat() {
        StompClient client = connected(config().heartBeat(new HeartBeat(0, 100)));
        ServerConnection sc = server.awaitConnection(TIMEOUT);
        assertThat(sc.serverHeartBeatMillis()).isEqualTo(100);
        client.subscribe("/queue/a", Map.of());
        sc.faults().stopHeartBeats();
        long t0 = System.nanoTime();
        StompConnectionException e = catchThrowableOfType(StompConnectionException.class, () -> client.receiveFrame(TIMEOUT));
        assertThat(e).hasMessageStartingWith("server silent for").hasMessageContaining("heart-beat every 100 ms");
        assertThat(millisSince(t0)).isLessThanOrEqualTo(2 * 100 + 1000 + 100); // 2x period + max(1 s, period), and a tick
        assertThat(client.isConnected()).isFalse();
    }

    @Test
    @DisplayName("the client keeps beating whatever the user does, so the server keeps it")
    void clientBeatsKeepTheConnection() {
        server.silenceGrace(2);
        StompClient client = connected(config().heartBeat(new HeartBeat(100, 0)));
        ServerConnection sc = server.awaitConnection(TIMEOUT);
        assertThat(sc.clientHeartBeatMillis()).isEqualTo(100);
        // Wait on an event, not a clock: ten beats from the client.
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (sc.heartBeatsReceived() < 10) {
            assertThat(System.nanoTime()).isLessThan(deadline);
            assertThat(client.receiveFrame(Duration.ofMillis(50))).isNull();
        }
        assertThat(sc.isOpen()).isTrue();
    }

    @Test
    @DisplayName("a user who stops calling receiveFrame for many heart-beat periods is not declared dead")
    void slowConsumerIsNotADeadServer() {
        StompClient client = connected(config().heartBeat(new HeartBeat(0, 50)).inboxCapacity(2));
        client.subscribe("/queue/slow", Map.of());
        ServerConnection sc = server.awaitConnection(TIMEOUT);
        for (int i = 0; i < 200; i++) {
            server.publish("/queue/slow", "message " + i + " " + "x".repeat(2000));
        }
        // The reader fills the inbox and stops; meanwhile the server keeps beating into the socket.
        long beatsBefore = sc.heartBeatsSent();
        await().atMost(TIMEOUT).until(() -> sc.heartBeatsSent() >= beatsBefore + 20);
        assertThat(client.isConnected()).isTrue();
        for (int i = 0; i < 200; i++) {
            StompFrame f = client.receiveFrame(TIMEOUT);
            assertThat(f).as("message %d", i).isNotNull();
            assertThat(f.bodyAsString()).startsWith("message " + i + " ");
        }
        assertThat(client.isConnected()).isTrue();
    }

    @Test
    @DisplayName("a connection dropped mid-frame: earlier frames are delivered, then a connection exception")
    void droppedMidFrame() {
        StompClient client = connected(config());
        ServerConnection sc = subscribedToQueueA(client);
        sc.sendMessage("s", "/queue/a", "whole".getBytes(StandardCharsets.UTF_8));
        sc.sendRaw("MESSAGE\nsubscription:s\ndestination:/queue/a\nmessage-id:9\ncontent-length:100\n\nhalf a bo".getBytes(StandardCharsets.UTF_8));
        assertThat(client.receiveFrame(TIMEOUT).bodyAsString()).isEqualTo("whole");
        sc.reset();
        assertThatThrownBy(() -> client.receiveFrame(TIMEOUT)).isInstanceOf(StompConnectionException.class)
                .hasMessageContaining("lost");
    }

    @Test
    @DisplayName("garbage from the server is a typed error naming what was wrong")
    void garbage() {
        StompClient client = connected(config());
        server.awaitConnection(TIMEOUT).sendRaw("\u0007garbage\n\n\0".getBytes(StandardCharsets.ISO_8859_1));
        StompConnectionException e = catchThrowableOfType(StompConnectionException.class, () -> client.receiveFrame(TIMEOUT));
        assertThat(e).hasMessageContaining("invalid data").hasCauseInstanceOf(StompFrameException.class);
        assertThat(((StompFrameException) e.getCause()).reason()).startsWith("Invalid command");
    }

    @Test
    @DisplayName("behind an ERROR in the same chunk: a second ERROR is kept with the first, and an auto-ack MESSAGE is still handed out after it")
    void framesBehindAnError() {
        StompClient client = connected(config());
        ServerConnection sc = subscribedToQueueA(client);
        sc.sendRaw(("ERROR\nmessage:Processing error\n\n\0" + "ERROR\nmessage:not_found\n\nno queue 'a'\0"
                + "MESSAGE\nsubscription:s\ndestination:/queue/a\nmessage-id:7\n\nbehind\0").getBytes(StandardCharsets.UTF_8));
        StompBrokerException e = catchThrowableOfType(StompBrokerException.class, () -> client.receiveFrame(TIMEOUT));
        assertThat(e).hasMessage("Broker sent ERROR: Processing error");
        assertThat(e.getSuppressed()).singleElement().asString().contains("not_found (no queue 'a')");
        assertThat(client.receiveFrame(TIMEOUT).bodyAsString()).as("ack auto: the broker counts it delivered").isEqualTo("behind");
        assertThat(client.isConnected()).isFalse();
    }

    @Test
    @DisplayName("an ERROR frame mid-session surfaces with the frame, and the connection is closed")
    void errorFrame() {
        StompClient client = connected(config());
        server.awaitConnection(TIMEOUT).send(StompFrame.builder(StompCommand.ERROR).header("message", "you did wrong").build());
        StompBrokerException e = catchThrowableOfType(StompBrokerException.class, () -> client.receiveFrame(TIMEOUT));
        assertThat(e.frame().header("message")).isEqualTo("you did wrong");
        assertThat(client.isConnected()).isFalse();
        assertThatThrownBy(() -> client.send("/queue/a", "x")).isInstanceOf(StompConnectionException.class);
    }

    @Test
    @DisplayName("a write blocked past the write timeout closes the socket (watchdog) and says so")
    void blockedWriteWatchdog() {
        StompClient client = connected(config().writeTimeout(Duration.ofMillis(500)));
        server.awaitConnection(TIMEOUT).faults().stopReading();
        long t0 = System.nanoTime();
        StompConnectionException e = catchThrowableOfType(StompConnectionException.class,
                () -> client.send("/queue/big", new byte[32 * 1024 * 1024], Map.of()));
        assertThat(e).hasMessageContaining("blocked for more than 500 ms");
        assertThat(millisSince(t0)).isLessThan(500 + 5000);
        assertThat(client.isConnected()).isFalse();
    }

    @Test
    @DisplayName("failover: a refused broker is skipped, the next one connects")
    void failoverToSecondBroker() throws Exception {
        int dead;
        try (ServerSocket s = new ServerSocket(0)) {
            dead = s.getLocalPort();
        }
        StompClient client = client(StompClientConfig.builder("failover:(tcp://127.0.0.1:" + dead + "," + server.uri()
                + ")?randomize=false,initialReconnectDelay=5"));
        long t0 = System.nanoTime();
        client.connect();
        assertThat(client.broker().port()).isEqualTo(server.port());
        assertThat(millisSince(t0)).isGreaterThanOrEqualTo(5); // the back-off is waited out (exact delays: ConnectionEngineTest)
    }

    @Test
    @DisplayName("the seed's failover URI: delays 7, 8, 8 ms waited out, then 'Reconnect timeout: 3 attempts'")
    void seedFailoverDelays() throws Exception {
        int a;
        int b;
        try (ServerSocket s1 = new ServerSocket(0); ServerSocket s2 = new ServerSocket(0)) {
            a = s1.getLocalPort();
            b = s2.getLocalPort();
        }
        StompClient client = client(StompClientConfig.builder("failover:(tcp://127.0.0.1:" + a + ",tcp://127.0.0.1:" + b
                + ")?randomize=false,startupMaxReconnectAttempts=3,initialReconnectDelay=7,maxReconnectDelay=8,maxReconnectAttempts=0"));
        long t0 = System.nanoTime();
        StompConnectTimeoutException e = catchThrowableOfType(StompConnectTimeoutException.class, client::connect);
        assertThat(e).hasMessage("Reconnect timeout: 3 attempts").isInstanceOf(StompConnectionException.class);
        assertThat(e.getStackTrace()).as("the caller's stack").anyMatch(el -> el.getMethodName().equals("seedFailoverDelays"));
        Throwable original = e.getCause(); // the engine's, with the last attempt's failure as its cause
        assertThat(original).isInstanceOf(StompConnectTimeoutException.class).hasCauseInstanceOf(StompConnectionException.class);
        assertThat(original.getSuppressed()).as("every attempt's failure, naming its broker").hasSize(4)
                .extracting(Throwable::getMessage).allMatch(m -> m.contains(":" + a) || m.contains(":" + b));
        // The schedule's delays (exact values on a fake clock: ConnectionEngineTest.seedDelays) are waited out.
        assertThat(millisSince(t0)).isGreaterThanOrEqualTo(7 + 8 + 8);
    }

    @Test
    @DisplayName("connect(deadline) bounds a schedule that would retry forever")
    void connectDeadline() throws Exception {
        int dead;
        try (ServerSocket s = new ServerSocket(0)) {
            dead = s.getLocalPort();
        }
        StompClient client = client(StompClientConfig.builder("failover:(tcp://127.0.0.1:" + dead + ")?initialReconnectDelay=20,maxReconnectDelay=20"));
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> client.connect(Duration.ofMillis(300))).isInstanceOf(StompConnectionException.class)
                .hasMessageContaining("connect deadline passed");
        assertThat(millisSince(t0)).isLessThan(300 + 1000);
    }

    @Test
    @DisplayName("connect() without a deadline of its own is bounded by connectDeadline: a failover URI to a dead port does not hang")
    void connectBoundedByDefault() throws Exception {
        int dead;
        try (ServerSocket s = new ServerSocket(0)) {
            dead = s.getLocalPort();
        }
        StompClient client = client(StompClientConfig.builder("failover:(tcp://127.0.0.1:" + dead + ")?initialReconnectDelay=20,maxReconnectDelay=20")
                .connectDeadline(Duration.ofMillis(300)));
        long t0 = System.nanoTime();
        assertThatThrownBy(client::connect).isInstanceOf(StompConnectionException.class).hasMessageContaining("connect deadline passed");
        assertThat(millisSince(t0)).isLessThan(300 + 1000);
    }

    @Test
    @DisplayName("auto-reconnect on a bare tcp:// URI rides out a short outage: an at-least-once SEND made during it goes out after it")
    void bareUriRidesOutAnOutage() {
        StompClient client = connected(config().autoReconnect(true).atLeastOnce(true));
        server.refuseConnections(Duration.ofMillis(500));
        server.awaitConnection(0, TIMEOUT).reset();
        Receipt during = client.send("/queue/outage", "during".getBytes(java.nio.charset.StandardCharsets.UTF_8), Map.of());
        during.await(TIMEOUT); // the old single immediate attempt failed it with the connection
        assertThat(server.awaitConnection(1, TIMEOUT).awaitReceived(f -> "during".equals(f.bodyAsString()), TIMEOUT)).isNotNull();
        assertThat(client.isConnected()).isTrue();
    }

    private static boolean awaitLatch(CountDownLatch latch) {
        try {
            return latch.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
