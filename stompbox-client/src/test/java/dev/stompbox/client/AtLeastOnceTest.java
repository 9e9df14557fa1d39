package dev.stompbox.client;

import dev.stompbox.protocol.connection.ConnectionListener;
import dev.stompbox.protocol.connection.ReconnectReport;
import dev.stompbox.protocol.StompBrokerException;
import dev.stompbox.protocol.StompCommand;
import dev.stompbox.protocol.StompConnectTimeoutException;
import dev.stompbox.protocol.StompConnectionException;
import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.StompReceiptTimeoutException;
import dev.stompbox.testkit.ServerConnection;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * At-least-once publishing in the blocking client, against the test kit: what happens to SENDs
 * whose RECEIPT has not come when the connection goes. Real brokers killed and restarted are in
 * the chaos tests; these pin down order, ids, windows and the cases that must not re-send.
 */
class AtLeastOnceTest extends TestKitClientSupport {

    private StompClientConfig.Builder config() {
        return StompClientConfig.builder("failover:(" + server.uri() + ")?initialReconnectDelay=10,maxReconnectDelay=50")
                .atLeastOnce(true).autoReconnect(true).receiptTimeout(Duration.ofSeconds(20))
                .connectedTimeout(Duration.ofSeconds(5));
    }

    /** Waits (at most 5 s) until {@code client} has noticed its connection is gone. */
    private static void awaitLost(StompClient client) {
        // Polled often: with auto-reconnect the client may be back within milliseconds.
        await("connection noticed lost").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(1))
                .until(() -> !client.isConnected());
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> sends(ServerConnection sc) {
        List<String> out = new ArrayList<>();
        for (StompFrame f : sc.received()) {
            if (f.command() == StompCommand.SEND) {
                out.add(f.bodyAsString() + "@" + f.header("receipt"));
            }
        }
        return out;
    }

    @Test
    @DisplayName("unreceipted SENDs go out again after the reconnect: after the SUBSCRIBE replay, in order, same receipt ids, before new SENDs")
    void resentInOrderAfterReplay() {
        server.nextConnectionFaults().withholdReceipts(f -> f.command() == StompCommand.SEND);
        List<ReconnectReport> reports = new java.util.concurrent.CopyOnWriteArrayList<>();
        StompClient client = connected(config().listener(new ConnectionListener() {
            @Override
            public void reconnected(ReconnectReport report) {
                reports.add(report);
            }
        }));
        client.subscribe("/queue/in", Map.of());
        List<Receipt> first = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            first.add(client.send("/queue/a", utf8("m" + i), Map.of()));
        }
        ServerConnection one = server.awaitConnection(TIMEOUT);
        one.awaitReceived(f -> "m2".equals(f.bodyAsString()), TIMEOUT);
        one.close();

        ServerConnection two = server.awaitConnection(1, TIMEOUT);
        for (Receipt r : first) {
            r.await(TIMEOUT);
        }
        client.send("/queue/a", utf8("m3"), Map.of()).await(TIMEOUT);

        assertThat(sends(two)).containsExactly(sends(one).get(0), sends(one).get(1), sends(one).get(2),
                "m3@" + two.received().stream().filter(f -> "m3".equals(f.bodyAsString())).findFirst().orElseThrow().header("receipt"));
        assertThat(first).extracting(Receipt::id).containsExactly(
                sends(one).stream().map(s -> s.substring(s.indexOf('@') + 1)).toArray(String[]::new));
        List<StompCommand> commands = two.received().stream().map(StompFrame::command).toList();
        assertThat(commands.indexOf(StompCommand.SUBSCRIBE)).as("replayed subscription before the re-sends")
                .isLessThan(commands.indexOf(StompCommand.SEND));
        assertThat(reports).hasSize(1);
        assertThat(reports.get(0).resentReceipts()).containsExactlyElementsOf(first.stream().map(Receipt::id).toList());
        assertThat(reports.get(0).outstandingReceipts()).as("none failed").isEmpty();
    }

    @Test
    @DisplayName("a SEND made while reconnecting does not fail: it waits behind the unreceipted ones and goes out on the new connection")
    void sendWhileReconnecting() throws Exception {
        server.nextConnectionFaults().withholdReceipts(f -> f.command() == StompCommand.SEND);
        StompClient client = connected(config());
        Receipt old = client.send("/queue/a", utf8("old"), Map.of());
        ServerConnection one = server.awaitConnection(TIMEOUT);
        one.awaitReceived(f -> "old".equals(f.bodyAsString()), TIMEOUT);
        server.refuseConnections(Duration.ofMillis(400));
        one.close();
        awaitLost(client);
        Receipt queued = client.send("/queue/a", utf8("new"), Map.of());
        assertThat(queued.isDone()).isFalse();

        queued.await(TIMEOUT);
        old.await(TIMEOUT);
        ServerConnection two = server.awaitConnection(1, TIMEOUT);
        assertThat(sends(two)).extracting(s -> s.substring(0, s.indexOf('@'))).containsExactly("old", "new");
    }

    @Test
    @DisplayName("at most maxUnreceipted SENDs are outstanding: the next one blocks until a RECEIPT frees room, and fails after the write timeout if none does")
    void windowBlocksThenFails() throws Exception {
        server.nextConnectionFaults().withholdReceipts(f -> f.command() == StompCommand.SEND);
        StompClient client = connected(config().maxUnreceipted(2).writeTimeout(Duration.ofMillis(300)));
        client.send("/queue/a", utf8("m0"), Map.of());
        client.send("/queue/a", utf8("m1"), Map.of());
        long t0 = System.nanoTime();
        Throwable full = catchThrowable(() -> client.send("/queue/a", utf8("m2"), Map.of()));
        long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat(full).isInstanceOf(StompReceiptTimeoutException.class).hasMessageContaining("maxUnreceipted")
                .hasMessageContaining("300 ms");
        assertThat(waited).isBetween(250L, 5_000L);
        ServerConnection one = server.awaitConnection(TIMEOUT);
        assertThat(sends(one)).hasSize(2);

        // Room comes back when the RECEIPTs do (here: on the new connection, for the re-sent two).
        CompletableFuture<Receipt> blocked = CompletableFuture.supplyAsync(() -> client.send("/queue/a", utf8("m3"), Map.of()));
        Thread.sleep(100);
        assertThat(blocked).isNotDone();
        one.close();
        Receipt m3 = blocked.get(10, TimeUnit.SECONDS);
        m3.await(TIMEOUT);
        ServerConnection two = server.awaitConnection(1, TIMEOUT);
        assertThat(sends(two)).extracting(s -> s.substring(0, s.indexOf('@'))).containsExactly("m0", "m1", "m3");
    }

    @Test
    @DisplayName("transactional SENDs are never re-sent: the transaction fails with the connection")
    void transactionsFailInstead() {
        StompClient client = connected(config());
        Transaction tx = client.begin();
        tx.send("/queue/a", "in-tx");
        ServerConnection one = server.awaitConnection(TIMEOUT);
        one.awaitReceived(f -> "in-tx".equals(f.bodyAsString()), TIMEOUT);
        one.close();
        ServerConnection two = server.awaitConnection(1, TIMEOUT);
        client.send("/queue/a", utf8("after"), Map.of()).await(TIMEOUT);
        assertThatThrownBy(tx::commit).isInstanceOf(StompConnectionException.class).hasMessageContaining("lost with the connection");
        assertThat(sends(two)).extracting(s -> s.substring(0, s.indexOf('@'))).containsExactly("after");
    }

    @Test
    @DisplayName("a SEND the broker answers with an ERROR fails with the broker's reason and is not re-sent")
    void refusedSendNotResent() {
        server.nextConnectionFaults().withholdReceipts(f -> f.command() == StompCommand.SEND);
        StompClient client = connected(config());
        Receipt poison = client.send("/queue/a", utf8("poison"), Map.of());
        Receipt fine = client.send("/queue/a", utf8("fine"), Map.of());
        ServerConnection one = server.awaitConnection(TIMEOUT);
        one.awaitReceived(f -> "fine".equals(f.bodyAsString()), TIMEOUT);
        one.send(StompFrame.builder(StompCommand.ERROR).header("message", "destination full").header("receipt-id", poison.id()).build());
        one.close();

        Throwable refused = catchThrowable(() -> poison.await(TIMEOUT));
        assertThat(refused).isInstanceOf(StompBrokerException.class).hasMessageContaining("destination full");
        fine.await(TIMEOUT);
        ServerConnection two = server.awaitConnection(1, TIMEOUT);
        assertThat(sends(two)).extracting(s -> s.substring(0, s.indexOf('@'))).containsExactly("fine");
    }

    @Test
    @DisplayName("when the reconnect gives up, the kept SENDs fail with its reason; a later connect does not send them")
    void failWhenReconnectGivesUp() {
        server.nextConnectionFaults().withholdReceipts(f -> f.command() == StompCommand.SEND);
        StompClient client = connected(StompClientConfig.builder("failover:(" + server.uri()
                        + ")?initialReconnectDelay=10,maxReconnectDelay=10,maxReconnectAttempts=2")
                .atLeastOnce(true).autoReconnect(true).receiptTimeout(Duration.ofSeconds(20)));
        Receipt kept = client.send("/queue/a", utf8("m0"), Map.of());
        ServerConnection one = server.awaitConnection(TIMEOUT);
        one.awaitReceived(StompCommand.SEND, TIMEOUT);
        server.refuseConnections(Duration.ofSeconds(3));
        one.close();
        assertThat(catchThrowable(() -> kept.await(TIMEOUT))).isInstanceOf(StompConnectTimeoutException.class);

        server.acceptConnections();
        client.connect();
        client.send("/queue/a", utf8("m1"), Map.of()).await(TIMEOUT);
        ServerConnection two = server.connections().get(server.connections().size() - 1);
        assertThat(sends(two)).extracting(s -> s.substring(0, s.indexOf('@'))).containsExactly("m1");
    }

    @Test
    @DisplayName("without auto-reconnect a lost connection fails the unreceipted SENDs at once")
    void noReconnectNoResend() {
        server.nextConnectionFaults().withholdReceipts(f -> f.command() == StompCommand.SEND);
        StompClient client = connected(config().autoReconnect(false));
        Receipt r = client.send("/queue/a", utf8("m0"), Map.of());
        ServerConnection one = server.awaitConnection(TIMEOUT);
        one.awaitReceived(StompCommand.SEND, TIMEOUT);
        one.close();
        assertThat(catchThrowable(() -> r.await(TIMEOUT))).isInstanceOf(StompConnectionException.class)
                .hasMessageContaining("connection lost before the RECEIPT");
        assertThatThrownBy(() -> client.send("/queue/a", utf8("m1"), Map.of())).isInstanceOf(StompConnectionException.class);
    }

    @Test
    @DisplayName("SENDs racing with repeated connection losses: none fails, every one is receipted in the end")
    void sendsRacingWithLosses() throws Exception {
        StompClient client = connected(config().maxUnreceipted(10_000));
        List<Receipt> receipts = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread sender = new Thread(() -> {
            int i = 0;
            while (!stop.get()) {
                try {
                    receipts.add(client.send("/queue/a", utf8("m" + i++), Map.of()));
                } catch (RuntimeException e) {
                    errors.add(e);
                    return;
                }
            }
        });
        sender.start();
        for (int loss = 0; loss < 15; loss++) {
            ServerConnection sc = server.awaitConnection(loss, TIMEOUT);
            server.nextConnectionFaults().clear();
            Thread.sleep(20);
            sc.close();
        }
        server.awaitConnection(15, TIMEOUT);
        stop.set(true);
        sender.join(10_000);
        assertThat(errors).isEmpty();
        List<String> failed = new ArrayList<>();
        for (Receipt r : List.copyOf(receipts)) {
            try {
                r.await(TIMEOUT);
            } catch (RuntimeException e) {
                failed.add(r.id() + ": " + e.getMessage());
            }
        }
        assertThat(failed).as("of %d SENDs", receipts.size()).isEmpty();
    }

    @Test
    @DisplayName("a connection lost while the reconnect is still replaying and re-sending is one more failed attempt, not the end of reconnecting")
    void lostDuringReplayTriesTheNextAttempt() {
        server.nextConnectionFaults().withholdReceipts(f -> f.command() == StompCommand.SEND);
        StompClient client = connected(config());
        client.subscribe("/queue/in", Map.of());
        byte[] big = new byte[64 * 1024];
        List<Receipt> receipts = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            receipts.add(client.send("/queue/a", big, Map.of()));
        }
        ServerConnection one = server.awaitConnection(TIMEOUT);
        one.awaitReceived(f -> receipts.get(99).id().equals(f.header("receipt")), TIMEOUT);
        // The second connection resets as soon as the replayed SUBSCRIBE arrives, while 6.4 MB of
        // re-sends are still being written: the write fails in the middle of the replay.
        server.nextConnectionFaults().closeOnFrame(f -> f.command() == StompCommand.SUBSCRIBE).resetOnClose();
        one.close();

        for (Receipt r : receipts) {
            r.await(TIMEOUT);
        }
        assertThat(server.connections().size()).as("connections made").isGreaterThanOrEqualTo(3);
        assertThat(client.isConnected()).isTrue();
    }

    @Test
    @DisplayName("closing the client while it reconnects fails the kept SENDs at once, not after the reconnect's back-off")
    void closeWhileReconnectingFailsKeptSendsAtOnce() throws Exception {
        server.nextConnectionFaults().withholdReceipts(f -> f.command() == StompCommand.SEND);
        StompClient client = connected(StompClientConfig.builder("failover:(" + server.uri()
                        + ")?initialReconnectDelay=10000,maxReconnectDelay=10000")
                .atLeastOnce(true).autoReconnect(true).receiptTimeout(Duration.ofSeconds(60)));
        Receipt kept = client.send("/queue/a", utf8("m0"), Map.of());
        ServerConnection one = server.awaitConnection(TIMEOUT);
        one.awaitReceived(StompCommand.SEND, TIMEOUT);
        server.refuseConnections(Duration.ofSeconds(30));
        one.close();
        awaitLost(client);
        Thread.sleep(300); // the first attempt was refused; the reconnect is now in its 10-second wait
        long t1 = System.nanoTime();
        client.close();
        assertThat(catchThrowable(() -> kept.await(TIMEOUT))).isInstanceOf(StompConnectionException.class)
                .hasMessageContaining("disconnected while reconnecting");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t1)).as("ms until the SEND failed").isLessThan(2_000);
    }

    @Test
    @DisplayName("a broker that answers CONNECT but reads nothing cannot hang the replay: past the write timeout the next attempt takes over")
    void replayToABrokerThatDoesNotReadIsBounded() {
        server.nextConnectionFaults().withholdReceipts(f -> f.command() == StompCommand.SEND);
        StompClient client = connected(config().writeTimeout(Duration.ofMillis(500)));
        byte[] big = new byte[64 * 1024];
        List<Receipt> receipts = new ArrayList<>();
        for (int i = 0; i < 300; i++) { // 19 MB to replay: more than the socket buffers hold
            receipts.add(client.send("/queue/a", big, Map.of()));
        }
        ServerConnection one = server.awaitConnection(TIMEOUT);
        one.awaitReceived(f -> receipts.get(299).id().equals(f.header("receipt")), Duration.ofSeconds(30));
        server.nextConnectionFaults().stopReadingAfter(f -> f.command() == StompCommand.CONNECT);
        one.close();

        server.awaitConnection(1, TIMEOUT); // reads CONNECT and the first SUBSCRIBE or SENDs, then nothing
        for (Receipt r : receipts) {
            r.await(Duration.ofSeconds(30));
        }
        assertThat(server.connections().size()).isGreaterThanOrEqualTo(3);
        assertThat(client.isConnected()).isTrue();
    }

    @Test
    @DisplayName("a SEND refused before it is written (its receipt id already pending) gives its window place back")
    void refusedSendReleasesItsPlace() {
        server.nextConnectionFaults().withholdReceipts(f -> f.command() == StompCommand.SEND);
        StompClient client = connected(config().maxUnreceipted(2).writeTimeout(Duration.ofMillis(200)));
        client.send("/queue/a", utf8("m0"), Map.of("receipt", "same"));
        for (int i = 0; i < 5; i++) {
            assertThatThrownBy(() -> client.send("/queue/a", utf8("again"), Map.of("receipt", "same")))
                    .isInstanceOf(dev.stompbox.protocol.StompProtocolException.class).hasMessageContaining("already pending");
        }
        Receipt second = client.send("/queue/a", utf8("m1"), Map.of()); // the one free place is still free
        assertThat(second.isDone()).isFalse();
    }

    @Test
    @DisplayName("the window counts body bytes too: past maxUnreceiptedBytes send fails after the write timeout; a body larger than the window goes alone")
    void byteWindow() {
        server.nextConnectionFaults().withholdReceipts(f -> f.command() == StompCommand.SEND);
        StompClient client = connected(config().maxUnreceiptedBytes(100 * 1024).writeTimeout(Duration.ofMillis(300)));
        client.send("/queue/a", new byte[60 * 1024], Map.of());
        assertThat(catchThrowable(() -> client.send("/queue/a", new byte[60 * 1024], Map.of())))
                .isInstanceOf(StompReceiptTimeoutException.class).hasMessageContaining("maxUnreceiptedBytes");
        client.send("/queue/a", new byte[30 * 1024], Map.of()); // 90 KiB of 100: fits

        server.nextConnectionFaults().withholdReceipts(f -> f.command() == StompCommand.SEND);
        StompClient big = connected(config().maxUnreceiptedBytes(100 * 1024).writeTimeout(Duration.ofMillis(300)));
        big.send("/queue/a", new byte[200 * 1024], Map.of()); // larger than the window, nothing else outstanding
        assertThat(catchThrowable(() -> big.send("/queue/a", new byte[1024], Map.of())))
                .isInstanceOf(StompReceiptTimeoutException.class).hasMessageContaining("maxUnreceiptedBytes");
    }
}
