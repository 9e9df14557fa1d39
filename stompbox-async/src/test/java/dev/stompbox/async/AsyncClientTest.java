package dev.stompbox.async;

import dev.stompbox.protocol.HeartBeat;
import dev.stompbox.protocol.StompBrokerException;
import dev.stompbox.protocol.StompCommand;
import dev.stompbox.protocol.StompBackpressureException;
import dev.stompbox.protocol.StompConnectionException;
import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.connection.ConnectionListener;
import dev.stompbox.protocol.connection.ReconnectReport;
import dev.stompbox.protocol.StompReceiptTimeoutException;
import dev.stompbox.protocol.failover.BrokerAddress;
import dev.stompbox.testkit.ServerConnection;
import dev.stompbox.testkit.StompTestServer;
import dev.stompbox.testkit.junit.StompTestServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.stompbox.async.Futures.failure;
import static dev.stompbox.async.Futures.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The asynchronous client against the test kit. */
class AsyncClientTest extends AsyncTestKitSupport {

    private AsyncStompClientConfig.Builder config() {
        return AsyncStompClientConfig.builder(server.uri()).disconnectTimeout(Duration.ofSeconds(2));
    }

    @Test
    @DisplayName("connect, subscribe a handler, send; acked when the handler completes; graceful disconnect")
    void basicFlow() throws Exception {
        AsyncStompClient client = connected(config());
        BlockingQueue<String> got = new ArrayBlockingQueue<>(10);
        get(client.subscribe("/queue/a", Map.of("ack", "client-individual", "receipt", "sub"), (c, f) -> {
            got.add(f.bodyAsString());
            return null;
        }));
        get(client.send("/queue/a", "hello".getBytes(StandardCharsets.UTF_8), Map.of("receipt", "r1")));
        assertThat(got.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("hello");
        ServerConnection sc = server.awaitConnection(TIMEOUT);
        sc.awaitReceived(StompCommand.ACK, TIMEOUT);
        StompFrame connect = sc.received().get(0);
        assertThat(connect.header("host")).isEqualTo("/");
        assertThat(connect.header("heart-beat")).isEqualTo("10000,10000");
        get(client.disconnect());
        assertThat(sc.awaitClosed(TIMEOUT)).isEqualTo("client sent DISCONNECT");
        assertThat(client.disconnected()).isCompleted();
        assertThat(client.isConnected()).isFalse();
    }

    @Test
    @DisplayName("concurrency 4: never more than 4 handlers at once, and reading pauses meanwhile")
    void concurrencyBound() throws Exception {
        AsyncStompClient client = connected(config());
        AtomicInteger running = new AtomicInteger();
        AtomicInteger max = new AtomicInteger();
        CountDownLatch all = new CountDownLatch(40);
        get(client.subscribe("/queue/c", Map.of("ack", "client-individual", "receipt", "s"), (c, f) -> {
            int now = running.incrementAndGet();
            max.accumulateAndGet(now, Math::max);
            CompletableFuture<Void> done = new CompletableFuture<>();
            CompletableFuture.delayedExecutor(20, TimeUnit.MILLISECONDS).execute(() -> {
                running.decrementAndGet();
                all.countDown();
                done.complete(null);
            });
            return done;
        }, SubscriptionOptions.builder().concurrency(4).build()));
        for (int i = 0; i < 40; i++) {
            server.publish("/queue/c", "m" + i);
        }
        assertThat(all.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        assertThat(max.get()).isEqualTo(4);
        assertThat(client.bufferedBytes()).isZero();
    }

    @Test
    @DisplayName("client ack mode with concurrency above 1 is refused (cumulative acks would ack in-flight messages)")
    void clientModeNeedsConcurrencyOne() {
        AsyncStompClient client = connected(config());
        assertThat(failure(client.subscribe("/queue/x", Map.of("ack", "client"), (c, f) -> null,
                SubscriptionOptions.builder().concurrency(2).build()))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("poison pill: a failing message goes to the error destination with error headers, then is acked")
    void errorDestination() throws Exception {
        AsyncStompClient client = connected(config());
        BlockingQueue<StompFrame> errors = new ArrayBlockingQueue<>(10);
        get(client.subscribe("/queue/errors", Map.of("receipt", "e"), (c, f) -> {
            errors.add(f);
            return null;
        }));
        get(client.subscribe("/queue/in", Map.of("ack", "client-individual", "receipt", "i"), (c, f) -> {
            if (f.bodyAsString().equals("poison")) {
                throw new IllegalStateException("cannot digest");
            }
            return null;
        }, SubscriptionOptions.builder().errorDestination("/queue/errors").build()));
        server.publish("/queue/in", "poison".getBytes(StandardCharsets.UTF_8), Map.of("app-header", "kept", "expires", "0"));
        StompFrame forwarded = errors.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(forwarded).isNotNull();
        assertThat(forwarded.bodyAsString()).isEqualTo("poison");
        assertThat(forwarded.header("app-header")).isEqualTo("kept");
        assertThat(forwarded.header("stompbox-error")).contains("cannot digest");
        assertThat(forwarded.header("stompbox-error-original-destination")).isEqualTo("/queue/in");
        ServerConnection sc = server.awaitConnection(TIMEOUT);
        StompFrame forwardSend = sc.awaitReceived(f -> f.command() == StompCommand.SEND && "/queue/errors".equals(f.header("destination")), TIMEOUT);
        assertThat(forwardSend.header("expires")).as("broker headers are not forwarded").isNull();
        assertThat(forwardSend.headers("receipt")).hasSize(1);
        sc.awaitReceived(StompCommand.ACK, TIMEOUT);
        assertThat(client.isConnected()).isTrue();
    }

    @Test
    @DisplayName("the forward to the error destination keeps persistent and priority, and carries the headers the options add")
    void errorDestinationKeepsDurability() throws Exception {
        AsyncStompClient client = connected(config());
        get(client.subscribe("/queue/in", Map.of("ack", "client-individual", "receipt", "i"), (c, f) -> {
            throw new IllegalStateException("cannot digest");
        }, SubscriptionOptions.builder().errorDestination("/queue/errors").errorHeader("x-team", "billing")
                .errorHeader("priority", "9").build()));
        server.publish("/queue/in", "poison".getBytes(StandardCharsets.UTF_8), Map.of("persistent", "true", "priority", "4"));
        ServerConnection sc = server.awaitConnection(TIMEOUT);
        StompFrame forwardSend = sc.awaitReceived(f -> f.command() == StompCommand.SEND && "/queue/errors".equals(f.header("destination")), TIMEOUT);
        assertThat(forwardSend.header("persistent")).as("a durable poison message stays durable").isEqualTo("true");
        assertThat(forwardSend.headers("priority")).as("the option's value replaces the message's").containsExactly("9");
        assertThat(forwardSend.header("x-team")).isEqualTo("billing");
    }

    @Test
    @DisplayName("a handler with nothing to return is a consumer: no return null, and its message is acked when it returns")
    void consumerHandler() throws Exception {
        AsyncStompClient client = connected(config());
        BlockingQueue<String> got = new ArrayBlockingQueue<>(1);
        get(client.subscribe("/queue/consumed", Map.of("ack", "client-individual"),
                MessageHandler.consumer((c, f) -> got.add(f.bodyAsString()))));
        server.publish("/queue/consumed", "hello");
        assertThat(got.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("hello");
        assertThat(server.awaitConnection(TIMEOUT).awaitReceived(StompCommand.ACK, TIMEOUT)).isNotNull();
    }

    @Test
    @DisplayName("prefetch(n) is asked with the header of the broker connected to (server header), and not on Artemis, which counts bytes")
    void prefetchHeaderPerBroker() throws Exception {
        Map<String, String> expected = Map.of("ActiveMQ/6.1.6", "activemq.prefetchSize", "RabbitMQ/3.13.7", "prefetch-count");
        for (String server : List.of("ActiveMQ/6.1.6", "RabbitMQ/3.13.7", "ActiveMQ-Artemis/2.55.0")) {
            try (StompTestServer broker = new StompTestServer().serverName(server).start()) {
                AsyncStompClient client = connected(AsyncStompClientConfig.builder(broker.uri()));
                AsyncSubscription sub = get(client.subscribe("/queue/p", Map.of("ack", "client-individual"), (c, f) -> null,
                        SubscriptionOptions.builder().prefetch(4).concurrency(4).build()));
                StompFrame subscribe = broker.awaitConnection(TIMEOUT).awaitReceived(StompCommand.SUBSCRIBE, TIMEOUT);
                if (expected.containsKey(server)) {
                    assertThat(subscribe.header(expected.get(server))).as(server).isEqualTo("4");
                    assertThat(sub.headers()).containsEntry(expected.get(server), "4");
                } else {
                    assertThat(subscribe.header("activemq.prefetchSize")).as(server).isNull();
                    assertThat(subscribe.header("consumer-window-size")).as(server).isNull();
                }
                client.close();
            }
        }
    }

    @Test
    @DisplayName("no error destination: a failing handler makes the client disconnect gracefully, message unacked")
    void failureDisconnects() throws Exception {
        AsyncStompClient client = connected(config());
        get(client.subscribe("/queue/bad", Map.of("ack", "client-individual", "receipt", "s"), (c, f) -> {
            throw new IllegalStateException("boom");
        }));
        server.publish("/queue/bad", "x");
        Throwable why = failure(client.disconnected());
        assertThat(why).hasMessage("boom");
        ServerConnection sc = server.awaitConnection(TIMEOUT);
        assertThat(sc.awaitClosed(TIMEOUT)).isEqualTo("client sent DISCONNECT");
        assertThat(sc.received()).noneMatch(f -> f.command() == StompCommand.ACK);
    }

    @Test
    @DisplayName("nackOnError: a failing message is NACKed and the connection stays")
    void nackOnError() {
        AsyncStompClient client = connected(config());
        get(client.subscribe("/queue/n", Map.of("ack", "client-individual", "receipt", "s"), (c, f) -> {
            throw new IllegalStateException("no");
        }, SubscriptionOptions.builder().nackOnError(true).build()));
        server.publish("/queue/n", "x");
        server.awaitConnection(TIMEOUT).awaitReceived(StompCommand.NACK, TIMEOUT);
        assertThat(client.isConnected()).isTrue();
    }

    @Test
    @DisplayName("onMessageFailed overrides: completing normally acks the message")
    void customFailureHook() throws Exception {
        AsyncStompClient client = connected(config());
        BlockingQueue<Throwable> seen = new ArrayBlockingQueue<>(1);
        get(client.subscribe("/queue/h", Map.of("ack", "client-individual", "receipt", "s"), (c, f) -> {
            throw new IllegalStateException("bad");
        }, SubscriptionOptions.builder().errorDestination("/queue/never").onMessageFailed((c, f, e) -> {
            seen.add(e);
            return null;
        }).build()));
        server.publish("/queue/h", "x");
        assertThat(seen.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).hasMessage("bad");
        server.awaitConnection(TIMEOUT).awaitReceived(StompCommand.ACK, TIMEOUT);
        assertThat(server.waitingMessages("/queue/never")).isZero();
    }

    @Test
    @DisplayName("graceful shutdown waits for a running handler, then acks it and disconnects")
    void gracefulShutdownWaits() throws Exception {
        AsyncStompClient client = connected(config());
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<Void> release = new CompletableFuture<>();
        get(client.subscribe("/queue/g", Map.of("ack", "client-individual", "receipt", "s"), (c, f) -> {
            started.countDown();
            return release;
        }));
        server.publish("/queue/g", "work");
        assertThat(started.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        CompletableFuture<Void> bye = client.disconnect();
        ServerConnection sc = server.awaitConnection(TIMEOUT);
        assertThat(bye).isNotDone();
        assertThat(sc.received()).noneMatch(f -> f.command() == StompCommand.DISCONNECT);
        release.complete(null);
        get(bye);
        List<StompCommand> order = sc.received().stream().map(StompFrame::command).toList();
        assertThat(order).containsSubsequence(StompCommand.ACK, StompCommand.DISCONNECT);
    }

    @Test
    @DisplayName("a handler that never finishes is reported after the disconnect timeout, and the connection still closes")
    void handlerThatNeverFinishes() throws InterruptedException {
        AsyncStompClient client = connected(config().disconnectTimeout(Duration.ofMillis(300)));
        CountDownLatch started = new CountDownLatch(1);
        get(client.subscribe("/queue/stuck", Map.of("ack", "client-individual", "receipt", "s"), (c, f) -> {
            started.countDown();
            return new CompletableFuture<>();
        }));
        server.publish("/queue/stuck", "forever");
        ServerConnection sc = server.awaitConnection(TIMEOUT);
        assertThat(started.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        long t0 = System.nanoTime();
        get(client.disconnect());
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(300 + 300 + 2000);
        assertThat(client.unfinishedHandlers()).isEqualTo(1);
        assertThat(sc.awaitClosed(TIMEOUT)).isEqualTo("client sent DISCONNECT");
    }

    @Test
    @DisplayName("timeouts: no CONNECTED, a withheld DISCONNECT receipt, an unreachable port")
    void timeouts() throws Exception {
        server.nextConnectionFaults().neverAnswerConnect();
        AsyncStompClient silent = client(config().connectedTimeout(Duration.ofMillis(300)));
        assertThat(failure(silent.connect())).isInstanceOf(StompConnectionException.class).hasMessageContaining("no CONNECTED");

        server.nextConnectionFaults().withholdReceipts();
        AsyncStompClient stubborn = client(config().disconnectTimeout(Duration.ofMillis(300)));
        get(stubborn.connect());
        long t0 = System.nanoTime();
        get(stubborn.disconnect());
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(300 * 2 + 2000);

        int dead;
        try (ServerSocket s = new ServerSocket(0)) {
            dead = s.getLocalPort();
        }
        AsyncStompClient nowhere = client(AsyncStompClientConfig.builder("tcp://127.0.0.1:" + dead).connectTimeout(Duration.ofMillis(500)));
        assertThat(failure(nowhere.connect())).isInstanceOf(StompConnectionException.class);
    }

    @Test
    @DisplayName("an ERROR in reply to CONNECT is fatal and not retried")
    void connectError() {
        server.nextConnectionFaults().answerConnectWithError("go away");
        AsyncStompClient client = client(AsyncStompClientConfig.builder("failover:(" + server.uri() + ")?maxReconnectAttempts=3,initialReconnectDelay=1"));
        assertThat(failure(client.connect())).isInstanceOf(StompBrokerException.class).hasMessageContaining("go away");
        assertThat(server.connections()).hasSize(1);
    }

    @Test
    @DisplayName("a second ERROR read behind the first (RabbitMQ's 'Processing error', then the cause) ends the connection with the first, the second suppressed in it")
    void secondErrorKept() {
        AsyncStompClient client = connected(config());
        server.awaitConnection(TIMEOUT).sendRaw(("ERROR\nmessage:Processing error\n\n\0"
                + "ERROR\nmessage:not_found\n\nno queue 'a'\0").getBytes(StandardCharsets.UTF_8));
        Throwable ended = failure(client.disconnected());
        assertThat(ended).isInstanceOf(StompBrokerException.class).hasMessage("Broker sent ERROR: Processing error");
        assertThat(ended.getSuppressed()).singleElement().asString().contains("not_found (no queue 'a')");
    }

    @Test
    @DisplayName("receipts time out, and all fail at once when the connection is lost")
    void receipts() {
        server.nextConnectionFaults().withholdReceipts();
        AsyncStompClient client = connected(config().receiptTimeout(Duration.ofMillis(200)));
        assertThat(failure(client.send("/queue/r", "x".getBytes(StandardCharsets.UTF_8), Map.of("receipt", "slow"))))
                .isInstanceOf(StompReceiptTimeoutException.class);
        AsyncStompClient other = connected(config().receiptTimeout(Duration.ofMinutes(1)));
        ServerConnection sc = server.awaitConnection(1, TIMEOUT);
        sc.faults().withholdReceipts();
        List<CompletableFuture<Void>> waiting = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            waiting.add(other.send("/queue/r", "x".getBytes(StandardCharsets.UTF_8), Map.of("receipt", "w" + i)));
        }
        sc.awaitReceived(f -> "w2".equals(f.header("receipt")), TIMEOUT);
        sc.reset();
        for (CompletableFuture<Void> w : waiting) {
            assertThat(failure(w)).isInstanceOf(StompConnectionException.class);
        }
        assertThat(failure(other.disconnected())).isInstanceOf(StompConnectionException.class);
    }

    @Test
    @DisplayName("a silent server is detected within the grace period; a blocking handler never delays the client's beats")
    void heartBeats() throws Exception {
        AsyncStompClient client = connected(config().heartBeat(new HeartBeat(100, 100)));
        ServerConnection sc = server.awaitConnection(TIMEOUT);
        CountDownLatch blocked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        get(client.subscribe("/queue/slow", Map.of("receipt", "s"), (c, f) -> {
            blocked.countDown();
            release.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return null;
        }));
        server.publish("/queue/slow", "block");
        assertThat(blocked.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        long beats = sc.heartBeatsReceived();
        await("client beats while the handler blocks").atMost(TIMEOUT).until(() -> sc.heartBeatsReceived() >= beats + 5);
        release.countDown();
        sc.faults().stopHeartBeats();
        long t0 = System.nanoTime();
        assertThat(failure(client.disconnected())).hasMessageStartingWith("server silent for");
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThanOrEqualTo(2 * 100 + 1000 + 100);
    }

    @Test
    @DisplayName("the client beats every period on an idle connection whose server sends no beats (a written beat re-arms the timer)")
    void beatsWithoutServerBeats() throws Exception {
        AsyncStompClient client = connected(config().heartBeat(new HeartBeat(100, 0)));
        ServerConnection sc = server.awaitConnection(TIMEOUT);
        long beats = sc.heartBeatsReceived();
        Thread.sleep(1_500); // nothing else happens: no read, no call, only the client's timer
        assertThat(client.isConnected()).as("the server drops a client silent for 200 ms").isTrue();
        assertThat(sc.heartBeatsReceived() - beats).as("beats in 1.5 s at 100 ms").isGreaterThanOrEqualTo(10);
    }

    @Test
    @DisplayName("the default handler pool serves the concurrency asked for: concurrency(8) runs 8 handlers at once, whatever the cores")
    void defaultPoolServesConcurrency() throws Exception {
        AsyncStompClient client = connected(config());
        CountDownLatch allRunning = new CountDownLatch(8);
        CompletableFuture<Void> release = new CompletableFuture<>();
        get(client.subscribe("/queue/wide", Map.of("ack", "client-individual", "receipt", "s"), (c, f) -> {
            allRunning.countDown();
            release.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS); // blocks its thread, as a slow handler does
            return null;
        }, SubscriptionOptions.builder().concurrency(8).build()));
        for (int i = 0; i < 8; i++) {
            server.publish("/queue/wide", "m" + i);
        }
        assertThat(allRunning.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
                .as("8 handlers running at once on %d cores", Runtime.getRuntime().availableProcessors()).isTrue();
        release.complete(null);
    }

    @Test
    @DisplayName("a text SEND with headers, from the client and from a transaction")
    void textSendWithHeaders() {
        AsyncStompClient client = connected(config());
        get(client.send("/queue/t", "plain text", Map.of("receipt", "r1", "kind", "note")));
        AsyncTransaction tx = get(client.begin());
        get(tx.send("/queue/t", "in a transaction", Map.of("kind", "tx")));
        get(tx.commit());
        ServerConnection sc = server.awaitConnection(TIMEOUT);
        assertThat(sc.awaitReceived(f -> "plain text".equals(f.bodyAsString()), TIMEOUT).header("kind")).isEqualTo("note");
        StompFrame second = sc.awaitReceived(f -> "in a transaction".equals(f.bodyAsString()), TIMEOUT);
        assertThat(second.header("kind")).isEqualTo("tx");
        assertThat(second.header("transaction")).isNotNull();
    }

    @Test
    @DisplayName("close() disconnects gracefully (DISCONNECT with a receipt) and ends the connection; closeNow() sends nothing")
    void closeGracefulAndNow() {
        AsyncStompClient graceful = connected(config());
        graceful.close();
        assertThat(server.awaitConnection(0, TIMEOUT).awaitReceived(StompCommand.DISCONNECT, TIMEOUT)).isNotNull();
        assertThat(graceful.disconnected()).isCompleted();
        assertThat(graceful.isConnected()).isFalse();

        AsyncStompClient abrupt = connected(config());
        ServerConnection second = server.awaitConnection(1, TIMEOUT);
        abrupt.closeNow();
        await().atMost(TIMEOUT).until(() -> second.toString().contains("closed") && abrupt.disconnected().isDone());
        assertThat(abrupt.isConnected()).isFalse();
        assertThat(abrupt.disconnected()).isCompleted();
        assertThat(second.received()).noneMatch(f -> f.command() == StompCommand.DISCONNECT);

        AsyncStompClient never = client(config());
        never.close();
        await().atMost(TIMEOUT).until(() -> never.disconnected().isDone());
    }

    @Test
    @DisplayName("connect(deadline) bounds a schedule that would retry forever")
    void connectDeadline() throws Exception {
        int dead;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            dead = s.getLocalPort();
        }
        AsyncStompClient client = client(AsyncStompClientConfig.builder("failover:(tcp://127.0.0.1:" + dead
                + ")?initialReconnectDelay=20,maxReconnectDelay=20"));
        long t0 = System.nanoTime();
        assertThat(failure(client.connect(Duration.ofMillis(300)))).isInstanceOf(StompConnectionException.class)
                .hasMessageContaining("connect deadline passed");
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(300 + 1000);
    }

    @Test
    @DisplayName("auto-reconnect replays subscriptions; handlers keep working; the listener hears it")
    void reconnectReplays() throws Exception {
        BlockingQueue<String> events = new ArrayBlockingQueue<>(10);
        AsyncStompClient client = connected(AsyncStompClientConfig.builder("failover:(" + server.uri() + ")?initialReconnectDelay=10")
                .autoReconnect(true).listener(new ConnectionListener() {
                    @Override
                    public void reconnected(ReconnectReport report) {
                        events.add("reconnected " + report.replayedSubscriptions());
                    }
                }));
        BlockingQueue<String> got = new ArrayBlockingQueue<>(10);
        AsyncSubscription sub = get(client.subscribe("/queue/re", Map.of("receipt", "s"), (c, f) -> {
            got.add(f.bodyAsString());
            return null;
        }));
        server.awaitConnection(0, TIMEOUT).reset();
        assertThat(events.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("reconnected [" + sub.id() + "]");
        StompFrame resubscribe = server.awaitConnection(1, TIMEOUT).awaitReceived(StompCommand.SUBSCRIBE, TIMEOUT);
        assertThat(resubscribe.header("id")).isEqualTo(sub.id());
        server.publish("/queue/re", "after");
        assertThat(got.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("after");
        assertThat(client.disconnected()).isNotDone();
    }

    @Test
    @DisplayName("a slow handler and many waiting messages: the client's buffered bytes stay bounded")
    void backpressureBoundsMemory() throws Exception {
        AsyncStompClient client = connected(config().maxBufferedMessages(100));
        AtomicInteger handled = new AtomicInteger();
        CompletableFuture<Void> gate = new CompletableFuture<>();
        get(client.subscribe("/queue/flood", Map.of("receipt", "s"), (c, f) -> {
            handled.incrementAndGet();
            return gate;
        }));
        byte[] body = new byte[1024];
        for (int i = 0; i < 20_000; i++) {
            server.publish("/queue/flood", body, Map.of());
        }
        ServerConnection sc = server.awaitConnection(TIMEOUT);
        sc.awaitSent(StompCommand.MESSAGE, TIMEOUT);
        // The handler is stuck on the first message: everything else the broker pushes stays in
        // the socket, not in the client, beyond what one read brought in.
        long maxSeen = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(1).toNanos();
        while (System.nanoTime() < deadline) {
            maxSeen = Math.max(maxSeen, client.bufferedBytes());
            Thread.onSpinWait();
        }
        assertThat(handled.get()).isEqualTo(1);
        assertThat(maxSeen).as("100 waiting messages and what one read brought in").isLessThan(1024L * 1024);
        gate.complete(null);
        await("all handled").atMost(TIMEOUT).until(() -> handled.get() >= 20_000);
    }

    @Test
    @DisplayName("a broker that stops reading: SENDs past maxPendingWriteBytes are refused at once, none is dropped while connected, and writes that make no progress for the write timeout end the connection")
    void writabilityBoundsWrites() throws Exception {
        // Not a byte read after CONNECT, however busy the machine: only the socket buffers and the client hold the SENDs.
        server.nextConnectionFaults().stopReadingAfter(f -> f.command() == StompCommand.CONNECT);
        AsyncStompClient client = connected(config().writeTimeout(Duration.ofMillis(500)));
        byte[] chunk = new byte[256 * 1024];
        List<CompletableFuture<Void>> sends = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            sends.add(client.send("/queue/big", chunk, Map.of()));
        }
        int refused = 0;
        Throwable lost = null;
        for (CompletableFuture<Void> f : sends) {
            try {
                f.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof StompBackpressureException) {
                    refused++;
                    assertThat(e.getCause()).hasMessageContaining("maxPendingWriteBytes");
                } else {
                    lost = e.getCause();
                }
            }
        }
        assertThat(refused).as("refused at the bound (4 MiB of 16 MiB)").isBetween(40, 60);
        assertThat(lost).as("accepted, never written: failed with the connection, not dropped from it")
                .isInstanceOf(StompConnectionException.class).hasMessageContaining("blocked for more than 500 ms");
        assertThat(client.isConnected()).isFalse();
    }

    @Test
    @DisplayName("maxConcurrency bounds handlers across subscriptions")
    void perClientBound() throws Exception {
        AsyncStompClient client = connected(config().maxConcurrency(3));
        AtomicInteger running = new AtomicInteger();
        AtomicInteger max = new AtomicInteger();
        CountDownLatch all = new CountDownLatch(30);
        MessageHandler slow = (c, f) -> {
            max.accumulateAndGet(running.incrementAndGet(), Math::max);
            CompletableFuture<Void> done = new CompletableFuture<>();
            CompletableFuture.delayedExecutor(20, TimeUnit.MILLISECONDS).execute(() -> {
                running.decrementAndGet();
                all.countDown();
                done.complete(null);
            });
            return done;
        };
        SubscriptionOptions four = SubscriptionOptions.builder().concurrency(4).build();
        get(client.subscribe("/queue/p1", Map.of("receipt", "a"), slow, four));
        get(client.subscribe("/queue/p2", Map.of("receipt", "b"), slow, four));
        for (int i = 0; i < 15; i++) {
            server.publish("/queue/p1", "x");
            server.publish("/queue/p2", "y");
        }
        assertThat(all.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        assertThat(max.get()).isEqualTo(3);
    }

    @Test
    @DisplayName("while reading is paused on purpose, a server whose beats wait unread is not declared dead")
    void pausedReadingIsNotSilence() throws Exception {
        AsyncStompClient client = connected(config().heartBeat(new HeartBeat(0, 50)).maxBufferedMessages(1));
        CompletableFuture<Void> gate = new CompletableFuture<>();
        AtomicInteger handled = new AtomicInteger();
        get(client.subscribe("/queue/paused", Map.of("receipt", "s"), (c, f) -> {
            handled.incrementAndGet();
            return gate;
        }));
        for (int i = 0; i < 50; i++) {
            server.publish("/queue/paused", "m" + "x".repeat(4000));
        }
        ServerConnection sc = server.awaitConnection(TIMEOUT);
        long beats = sc.heartBeatsSent();
        await().atMost(TIMEOUT).until(() -> sc.heartBeatsSent() >= beats + 20); // 20 server periods with reading paused
        assertThat(client.isConnected()).isTrue();
        gate.complete(null);
        await().atMost(TIMEOUT).until(() -> handled.get() >= 50);
        assertThat(client.isConnected()).isTrue();
    }

    @Test
    @DisplayName("a handler finishing after a reconnect does not ack on the new connection")
    void noAckAcrossReconnect() throws Exception {
        AsyncStompClient client = connected(AsyncStompClientConfig.builder("failover:(" + server.uri() + ")?initialReconnectDelay=10")
                .autoReconnect(true));
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<Void> gate = new CompletableFuture<>();
        get(client.subscribe("/queue/stale", Map.of("ack", "client-individual", "receipt", "s"), (c, f) -> {
            started.countDown();
            return f.header("redelivered") == null ? gate : null;
        }));
        server.publish("/queue/stale", "m");
        assertThat(started.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        server.awaitConnection(0, TIMEOUT).reset();
        ServerConnection second = server.awaitConnection(1, TIMEOUT);
        second.awaitReceived(StompCommand.SUBSCRIBE, TIMEOUT);
        gate.complete(null); // the first delivery's handler ends now, on the new connection's watch
        // The redelivery is acked on the new connection; the stale one never is.
        second.awaitReceived(StompCommand.ACK, TIMEOUT);
        get(client.send("/queue/sync", "x".getBytes(StandardCharsets.UTF_8), Map.of("receipt", "sync")));
        assertThat(second.received()).filteredOn(f -> f.command() == StompCommand.ACK).hasSize(1);
    }

    @Test
    @DisplayName("alwaysDisconnectOnUnhandledMessage: the 1.x behaviour, disconnect even with an error destination")
    void alwaysDisconnect() {
        AsyncStompClient client = connected(config().alwaysDisconnectOnUnhandledMessage(true));
        get(client.subscribe("/queue/old", Map.of("ack", "client-individual", "receipt", "s"), (c, f) -> {
            throw new IllegalStateException("1.x");
        }, SubscriptionOptions.builder().errorDestination("/queue/err").build()));
        server.publish("/queue/old", "x");
        assertThat(failure(client.disconnected())).hasMessage("1.x");
        assertThat(server.waitingMessages("/queue/err")).isZero();
    }

    @Test
    @DisplayName("calls before connect fail clearly; unknown-subscription messages are counted")
    void lifecycle() throws Exception {
        AsyncStompClient client = client(config());
        assertThat(failure(client.send("/queue/a", "x"))).isInstanceOf(StompConnectionException.class).hasMessageContaining("not connected");
        get(client.connect());
        assertThat(failure(client.connect())).isInstanceOf(IllegalStateException.class);
        server.awaitConnection(TIMEOUT).sendMessage("nobody", "/queue/x", "x".getBytes(StandardCharsets.UTF_8));
        get(client.send("/queue/sync", "x".getBytes(StandardCharsets.UTF_8), Map.of("receipt", "sync")));
        assertThat(client.unknownSubscriptionMessages()).isEqualTo(1);
        assertThat(client.toString()).contains("connected");
    }

    @Test
    @DisplayName("a handler that finishes after the client was closed and its event loop ended throws nothing at its thread")
    void handlerFinishingAfterCloseIsQuiet() throws Exception {
        Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        List<Throwable> uncaught = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> uncaught.add(e));
        try {
            AsyncStompClient client = connected(config());
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch returned = new CountDownLatch(1);
            get(client.subscribe("/queue/late", Map.of("receipt", "s"), (c, f) -> {
                started.countDown();
                release.await(10, TimeUnit.SECONDS);
                returned.countDown();
                return null;
            }));
            server.publish("/queue/late", "x");
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            client.close();
            Thread.sleep(1_500); // its own event loop group shuts down within 1 s of close()
            release.countDown();
            assertThat(returned.await(10, TimeUnit.SECONDS)).isTrue();
            Thread.sleep(200);
            assertThat(uncaught).isEmpty();
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(previous);
        }
    }
}
