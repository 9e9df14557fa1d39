package dev.stompbox.async;

import dev.stompbox.protocol.StompBrokerException;
import dev.stompbox.protocol.StompCommand;
import dev.stompbox.protocol.StompConnectTimeoutException;
import dev.stompbox.protocol.StompBackpressureException;
import dev.stompbox.protocol.StompConnectionException;
import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.connection.ConnectionListener;
import dev.stompbox.protocol.connection.ReconnectReport;
import dev.stompbox.testkit.ServerConnection;
import dev.stompbox.testkit.StompTestServer;
import dev.stompbox.testkit.junit.StompTestServerExtension;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.stompbox.async.Futures.failure;
import static dev.stompbox.async.Futures.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * At-least-once publishing in the asynchronous client, against the test kit: order, receipt ids,
 * the window, and the cases that must not re-send. Brokers killed and restarted are in the chaos tests.
 */
class AsyncAtLeastOnceTest extends AsyncTestKitSupport {

    private AsyncStompClientConfig.Builder config() {
        return AsyncStompClientConfig.builder("failover:(" + server.uri() + ")?initialReconnectDelay=10,maxReconnectDelay=50")
                .atLeastOnce(true).autoReconnect(true).receiptTimeout(Duration.ofSeconds(20)).disconnectTimeout(Duration.ofSeconds(1));
    }

    /** Waits (at most 5 s) until {@code client} has noticed its connection is gone. */
    private static void awaitLost(AsyncStompClient client) {
        // Polled often: with auto-reconnect the client may be back within milliseconds.
        await("connection noticed lost").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(1))
                .until(() -> !client.isConnected());
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<StompFrame> sends(ServerConnection sc) {
        return sc.received().stream().filter(f -> f.command() == StompCommand.SEND).toList();
    }

    private static List<String> bodies(ServerConnection sc) {
        return sends(sc).stream().map(StompFrame::bodyAsString).toList();
    }

    @Test
    @DisplayName("unreceipted SENDs go out again after the reconnect: after the SUBSCRIBE replay, in order, same receipt ids, before new SENDs")
    void resentInOrderAfterReplay() {
        server.nextConnectionFaults().withholdReceipts(f -> f.command() == StompCommand.SEND);
        List<List<String>> reported = new java.util.concurrent.CopyOnWriteArrayList<>();
        AsyncStompClient client = connected(config().listener(new ConnectionListener() {
            @Override
            public void reconnected(ReconnectReport report) {
                reported.add(report.outstandingReceipts());
                reported.add(report.resentReceipts());
            }
        }));
        get(client.subscribe("/queue/in", Map.of(), (c, f) -> null));
        List<CompletableFuture<Void>> first = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            first.add(client.send("/queue/a", utf8("m" + i), Map.of()));
        }
        ServerConnection one = server.awaitConnection(TIMEOUT);
        one.awaitReceived(f -> "m2".equals(f.bodyAsString()), TIMEOUT);
        assertThat(first).noneMatch(CompletableFuture::isDone);
        one.close();

        ServerConnection two = server.awaitConnection(1, TIMEOUT);
        first.forEach(Futures::get);
        get(client.send("/queue/a", utf8("m3"), Map.of()));

        assertThat(bodies(two)).containsExactly("m0", "m1", "m2", "m3");
        assertThat(sends(two).subList(0, 3)).extracting(f -> f.header("receipt"))
                .containsExactlyElementsOf(sends(one).stream().map(f -> f.header("receipt")).toList());
        List<StompCommand> commands = two.received().stream().map(StompFrame::command).toList();
        assertThat(commands.indexOf(StompCommand.SUBSCRIBE)).as("replayed subscription before the re-sends")
                .isLessThan(commands.indexOf(StompCommand.SEND));
        assertThat(reported).as("failed, then re-sent receipt ids").containsExactly(List.of(),
                sends(one).stream().map(f -> f.header("receipt")).toList());
    }

    @Test
    @DisplayName("a SEND made while reconnecting does not fail: it waits behind the unreceipted ones")
    void sendWhileReconnecting() throws Exception {
        server.nextConnectionFaults().withholdReceipts(f -> f.command() == StompCommand.SEND);
        AsyncStompClient client = connected(config());
        CompletableFuture<Void> old = client.send("/queue/a", utf8("old"), Map.of());
        ServerConnection one = server.awaitConnection(TIMEOUT);
        one.awaitReceived(f -> "old".equals(f.bodyAsString()), TIMEOUT);
        server.refuseConnections(Duration.ofMillis(400));
        one.close();
        awaitLost(client);
        CompletableFuture<Void> queued = client.send("/queue/a", utf8("new"), Map.of());
        Thread.sleep(50);
        assertThat(queued).isNotDone();

        get(queued);
        get(old);
        assertThat(bodies(server.awaitConnection(1, TIMEOUT))).containsExactly("old", "new");
    }

    @Test
    @DisplayName("at most maxUnreceipted SENDs are outstanding: beyond that send fails at once, on any thread, and whenReady() completes when a RECEIPT frees room")
    void window() throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            server.nextConnectionFaults().withholdReceipts(f -> f.command() == StompCommand.SEND);
            AsyncStompClient client = connected(config().eventLoopGroup(group).maxUnreceipted(2).writeTimeout(Duration.ofMillis(300)));
            client.send("/queue/a", utf8("m0"), Map.of());
            client.send("/queue/a", utf8("m1"), Map.of());
            long t0 = System.nanoTime();
            Throwable full = failure(client.send("/queue/a", utf8("m2"), Map.of()));
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).as("ms until refused").isLessThan(250L);
            assertThat(full).isInstanceOf(StompBackpressureException.class).hasMessageContaining("maxUnreceipted");

            // On the client's own event loop (a single-thread group, so next() is that loop): the same.
            CompletableFuture<Void> onLoop = group.next().submit(() -> client.send("/queue/a", utf8("loop"), Map.of())).get(10, TimeUnit.SECONDS);
            assertThat(failure(onLoop)).isInstanceOf(StompBackpressureException.class);
            ServerConnection one = server.awaitConnection(TIMEOUT);
            one.awaitReceived(f -> "m1".equals(f.bodyAsString()), TIMEOUT);
            assertThat(bodies(one)).containsExactly("m0", "m1");

            CompletableFuture<Void> ready = client.whenReady();
            Thread.sleep(100);
            assertThat(ready).isNotDone();
            one.close(); // the reconnect re-sends m0 and m1, and their RECEIPTs free the window
            get(ready);
            get(client.send("/queue/a", utf8("m3"), Map.of()));
            assertThat(bodies(server.awaitConnection(1, TIMEOUT))).containsExactly("m0", "m1", "m3");
            client.close();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    @DisplayName("transactional SENDs are never re-sent: the transaction's SENDs and commit fail once its connection is gone")
    void transactionsFailInstead() {
        AsyncStompClient client = connected(config());
        AsyncTransaction tx = get(client.begin());
        get(tx.send("/queue/a", "in-tx"));
        ServerConnection one = server.awaitConnection(TIMEOUT);
        one.awaitReceived(f -> "in-tx".equals(f.bodyAsString()), TIMEOUT);
        one.close();
        ServerConnection two = server.awaitConnection(1, TIMEOUT);
        get(client.send("/queue/a", utf8("after"), Map.of()));
        assertThat(failure(tx.send("/queue/a", "late"))).isInstanceOf(StompConnectionException.class).hasMessageContaining("lost with the connection");
        assertThat(failure(tx.commit())).isInstanceOf(StompConnectionException.class).hasMessageContaining("lost with the connection");
        assertThat(bodies(two)).containsExactly("after");
    }

    @Test
    @DisplayName("a SEND the broker answers with an ERROR fails with the broker's reason and is not re-sent")
    void refusedSendNotResent() {
        server.nextConnectionFaults().withholdReceipts(f -> f.command() == StompCommand.SEND);
        AsyncStompClient client = connected(config());
        CompletableFuture<Void> poison = client.send("/queue/a", utf8("poison"), Map.of("receipt", "poison-1"));
        CompletableFuture<Void> fine = client.send("/queue/a", utf8("fine"), Map.of());
        ServerConnection one = server.awaitConnection(TIMEOUT);
        one.awaitReceived(f -> "fine".equals(f.bodyAsString()), TIMEOUT);
        one.send(StompFrame.builder(StompCommand.ERROR).header("message", "destination full").header("receipt-id", "poison-1").build());

        assertThat(failure(poison)).isInstanceOf(StompBrokerException.class).hasMessageContaining("destination full");
        get(fine);
        assertThat(bodies(server.awaitConnection(1, TIMEOUT))).containsExactly("fine");
    }

    @Test
    @DisplayName("when the reconnect gives up, the kept SENDs fail with its reason")
    void failWhenReconnectGivesUp() {
        server.nextConnectionFaults().withholdReceipts(f -> f.command() == StompCommand.SEND);
        AsyncStompClient client = connected(AsyncStompClientConfig.builder("failover:(" + server.uri()
                        + ")?initialReconnectDelay=10,maxReconnectDelay=10,maxReconnectAttempts=2")
                .atLeastOnce(true).autoReconnect(true).receiptTimeout(Duration.ofSeconds(20)));
        CompletableFuture<Void> kept = client.send("/queue/a", utf8("m0"), Map.of());
        ServerConnection one = server.awaitConnection(TIMEOUT);
        one.awaitReceived(StompCommand.SEND, TIMEOUT);
        server.refuseConnections(Duration.ofSeconds(3));
        one.close();
        assertThat(failure(kept)).isInstanceOf(StompConnectTimeoutException.class);
        assertThat(failure(client.send("/queue/a", utf8("m1"), Map.of()))).isInstanceOf(StompConnectionException.class)
                .hasMessageContaining("not connected");
    }

    @Test
    @DisplayName("without auto-reconnect a lost connection fails the unreceipted SENDs at once")
    void noReconnectNoResend() {
        server.nextConnectionFaults().withholdReceipts(f -> f.command() == StompCommand.SEND);
        AsyncStompClient client = connected(config().autoReconnect(false));
        CompletableFuture<Void> r = client.send("/queue/a", utf8("m0"), Map.of());
        ServerConnection one = server.awaitConnection(TIMEOUT);
        one.awaitReceived(StompCommand.SEND, TIMEOUT);
        one.close();
        assertThat(failure(r)).isInstanceOf(StompConnectionException.class).hasMessageContaining("connection lost before the RECEIPT");
    }

    @Test
    @DisplayName("SENDs racing with repeated connection losses: none fails, every one is receipted in the end")
    void sendsRacingWithLosses() throws Exception {
        AsyncStompClient client = connected(config().maxUnreceipted(10_000));
        List<CompletableFuture<Void>> sent = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        Thread sender = new Thread(() -> {
            int i = 0;
            while (!stop.get()) {
                client.whenReady().join(); // the one sender: room stays until its own SEND takes it
                sent.add(client.send("/queue/a", utf8("m" + i++), Map.of()));
                if (i % 100 == 0) {
                    Thread.yield();
                }
            }
        });
        sender.start();
        for (int loss = 0; loss < 15; loss++) {
            ServerConnection sc = server.awaitConnection(loss, TIMEOUT);
            Thread.sleep(20);
            sc.close();
        }
        server.awaitConnection(15, TIMEOUT);
        stop.set(true);
        sender.join(10_000);
        List<String> failed = new ArrayList<>();
        for (CompletableFuture<Void> f : List.copyOf(sent)) {
            try {
                f.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                failed.add(String.valueOf(e.getCause()));
            }
        }
        assertThat(failed).as("of %d SENDs", sent.size()).isEmpty();
    }

    @Test
    @DisplayName("a broker that answers CONNECT but reads nothing cannot hang the replay: past the write timeout the next attempt takes over")
    void replayToABrokerThatDoesNotReadIsBounded() {
        server.nextConnectionFaults().withholdReceipts(f -> f.command() == StompCommand.SEND);
        AsyncStompClient client = connected(config().writeTimeout(Duration.ofMillis(500)).maxPendingWriteBytes(32 << 20));
        byte[] big = new byte[64 * 1024];
        List<CompletableFuture<Void>> sent = new ArrayList<>();
        for (int i = 0; i < 300; i++) { // 19 MB to replay: more than the socket buffers hold
            sent.add(client.send("/queue/a", big, Map.of("receipt", "r-" + i)));
        }
        ServerConnection one = server.awaitConnection(TIMEOUT);
        one.awaitReceived(f -> "r-299".equals(f.header("receipt")), Duration.ofSeconds(30));
        server.nextConnectionFaults().stopReadingAfter(f -> f.command() == StompCommand.CONNECT);
        one.close();

        server.awaitConnection(1, TIMEOUT);
        sent.forEach(Futures::get);
        assertThat(server.connections().size()).isGreaterThanOrEqualTo(3);
        assertThat(client.isConnected()).isTrue();
    }

    @Test
    @DisplayName("disconnecting while the client reconnects fails the kept SENDs at once, not after the reconnect's back-off")
    void disconnectWhileReconnectingFailsKeptSendsAtOnce() throws Exception {
        server.nextConnectionFaults().withholdReceipts(f -> f.command() == StompCommand.SEND);
        AsyncStompClient client = connected(AsyncStompClientConfig.builder("failover:(" + server.uri()
                        + ")?initialReconnectDelay=10000,maxReconnectDelay=10000")
                .atLeastOnce(true).autoReconnect(true).receiptTimeout(Duration.ofSeconds(60)));
        CompletableFuture<Void> kept = client.send("/queue/a", utf8("m0"), Map.of());
        ServerConnection one = server.awaitConnection(TIMEOUT);
        one.awaitReceived(StompCommand.SEND, TIMEOUT);
        server.refuseConnections(Duration.ofSeconds(30));
        one.close();
        awaitLost(client);
        Thread.sleep(300); // the first attempt was refused; the reconnect is now in its 10-second wait
        long t1 = System.nanoTime();
        get(client.disconnect());
        assertThat(failure(kept)).isInstanceOf(StompConnectionException.class).hasMessageContaining("disconnected while reconnecting");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t1)).as("ms until the SEND failed").isLessThan(2_000);
    }

    @Test
    @DisplayName("the window counts body bytes too: past maxUnreceiptedBytes send fails at once; a body larger than the window goes alone")
    void byteWindow() {
        server.nextConnectionFaults().withholdReceipts(f -> f.command() == StompCommand.SEND);
        AsyncStompClient client = connected(config().maxUnreceiptedBytes(100 * 1024).writeTimeout(Duration.ofMillis(300)));
        client.send("/queue/a", new byte[60 * 1024], Map.of());
        assertThat(failure(client.send("/queue/a", new byte[60 * 1024], Map.of())))
                .isInstanceOf(StompBackpressureException.class).hasMessageContaining("maxUnreceiptedBytes");
        CompletableFuture<Void> fits = client.send("/queue/a", new byte[30 * 1024], Map.of()); // 90 KiB of 100
        server.awaitConnection(TIMEOUT).awaitReceived(f -> f.bodyLength() == 30 * 1024, TIMEOUT);
        assertThat(fits).isNotDone();

        server.nextConnectionFaults().withholdReceipts(f -> f.command() == StompCommand.SEND);
        AsyncStompClient big = connected(config().maxUnreceiptedBytes(100 * 1024).writeTimeout(Duration.ofMillis(300)));
        big.send("/queue/a", new byte[200 * 1024], Map.of()); // larger than the window, nothing else outstanding
        server.awaitConnection(1, TIMEOUT).awaitReceived(f -> f.bodyLength() == 200 * 1024, TIMEOUT);
        assertThat(failure(big.send("/queue/a", new byte[1024], Map.of())))
                .isInstanceOf(StompBackpressureException.class).hasMessageContaining("maxUnreceiptedBytes");
    }
}
