package dev.stompbox.async;

import dev.stompbox.protocol.StompBrokerException;
import dev.stompbox.protocol.StompCommand;
import dev.stompbox.protocol.StompFrame;
import dev.stompbox.testkit.ServerConnection;
import dev.stompbox.protocol.StompConnectionException;
import dev.stompbox.protocol.StompProtocolException;
import dev.stompbox.protocol.StompVersion;
import dev.stompbox.protocol.codec.ParserLimits;
import dev.stompbox.fixtures.FailingMetrics;
import dev.stompbox.fixtures.UnhandedMessages;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.stompbox.async.Futures.failure;
import static dev.stompbox.async.Futures.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The defects the fault probes found, each with the test that would have caught it (the blocking twin: ClientDefectsTest). */
class AsyncDefectsTest extends AsyncTestKitSupport {
    private AsyncStompClientConfig.Builder reconnecting() {
        return AsyncStompClientConfig.builder("failover:(" + server.uri() + ")?initialReconnectDelay=10,maxReconnectDelay=50")
                .autoReconnect(true);
    }

    @Test
    @DisplayName("with auto-reconnect, a subscribe cut off by a broker ERROR naming no frame completes with the replayed SUBSCRIBE's RECEIPT")
    void subscribeSurvivesAReconnect() throws Exception {
        server.nextConnectionFaults().withholdReceipts(f -> f.command() == StompCommand.SUBSCRIBE);
        AsyncStompClient client = connected(reconnecting());
        CompletableFuture<AsyncSubscription> sub = client.subscribe("/queue/a", Map.of("id", "s"), (c, f) -> null);
        ServerConnection one = server.awaitConnection(TIMEOUT);
        StompFrame first = one.awaitReceived(StompCommand.SUBSCRIBE, TIMEOUT);
        // What RabbitMQ does when a queue's process is briefly down: an ERROR that names no frame, then the close.
        one.send(StompFrame.builder(StompCommand.ERROR).header("message", "Processing error").build());
        one.close();
        assertThat(get(sub).id()).isEqualTo("s");
        StompFrame again = server.awaitConnection(1, TIMEOUT).awaitReceived(StompCommand.SUBSCRIBE, TIMEOUT);
        assertThat(again.header("receipt")).isNotNull().isEqualTo(first.header("receipt"));
    }

    @Test
    @DisplayName("with auto-reconnect, a subscription the broker refused by name fails, is not replayed, and its handler is let go")
    void refusedSubscriptionIsNotReplayed() throws Exception {
        AsyncStompClient client = connected(reconnecting());
        get(client.subscribe("/queue/good", Map.of("id", "good"), (c, f) -> null));
        ServerConnection one = server.awaitConnection(TIMEOUT);
        one.faults().withholdReceipts(f -> "bad".equals(f.header("id")));
        CompletableFuture<AsyncSubscription> bad = client.subscribe("/queue/bad", Map.of("id", "bad"), (c, f) -> null);
        StompFrame subscribe = one.awaitReceived(f -> "bad".equals(f.header("id")), TIMEOUT);
        one.send(StompFrame.builder(StompCommand.ERROR).header("receipt-id", subscribe.header("receipt"))
                .header("message", "no such queue").build());
        one.close();
        assertThat(failure(bad)).isInstanceOf(StompBrokerException.class).hasMessageContaining("no such queue");
        ServerConnection two = server.awaitConnection(1, TIMEOUT);
        two.awaitReceived(f -> "good".equals(f.header("id")), TIMEOUT);
        get(client.send("/queue/x", "after the replay".getBytes(), Map.of("receipt", "x")));
        assertThat(two.received()).filteredOn(f -> f.command() == StompCommand.SUBSCRIBE).extracting(f -> f.header("id"))
                .containsExactly("good");
        CompletableFuture<java.util.Set<String>> handled = new CompletableFuture<>();
        client.runner().onLoop(() -> handled.complete(client.runner().handled()));
        assertThat(get(handled)).containsExactly("good");
    }

    @Test
    @DisplayName("a SEND the encoder refuses (STOMP 1.0, a line feed in a header) fails at once with the encoder's exception")
    void refusedSendFailsAtOnce() throws Exception {
        AsyncStompClient client = connected(AsyncStompClientConfig.builder(server.uri()).version(StompVersion.V1_0));
        CompletableFuture<Void> refused = client.send("/queue/a", "x".getBytes(), Map.of("note", "two\nlines"));
        assertThat(failure(refused)).isInstanceOf(StompProtocolException.class).hasMessageContaining("Cannot encode header");
        assertThat(client.isConnected()).isTrue();
        get(client.send("/queue/a", "fine".getBytes(), Map.of("receipt", "r")));
    }

    @Test
    @DisplayName("close() in one of the client's own handlers returns at once, and the disconnect stays graceful: the handler's ack goes out before the DISCONNECT")
    void closeInAHandlerReturnsAtOnce() throws Exception {
        AsyncStompClient client = connected(AsyncStompClientConfig.builder(server.uri()).disconnectTimeout(Duration.ofSeconds(5)));
        CompletableFuture<Duration> closing = new CompletableFuture<>();
        AsyncSubscription sub = get(client.subscribe("/queue/close-in-handler", Map.of("ack", "client-individual", "receipt", "s"),
                (c, f) -> {
                    long t0 = System.nanoTime();
                    c.close(); // waited for the disconnect, which waited for this handler: the whole disconnect timeout
                    closing.complete(Duration.ofNanos(System.nanoTime() - t0));
                    return null;
                }));
        var connection = server.awaitConnection(TIMEOUT);
        connection.sendMessage(sub.id(), "/queue/close-in-handler", "last".getBytes());
        assertThat(closing.get(20, TimeUnit.SECONDS)).isLessThan(Duration.ofSeconds(1));
        connection.awaitReceived(StompCommand.DISCONNECT, TIMEOUT);
        assertThat(connection.received()).extracting(dev.stompbox.protocol.StompFrame::command)
                .containsSubsequence(StompCommand.ACK, StompCommand.DISCONNECT);
        get(client.disconnected());
        assertThat(client.isConnected()).isFalse();
    }

    @Test
    @DisplayName("a 1.2 MESSAGE without the ack header it needs (Spring's simple broker sends those) cannot be acked: the client says so and goes on, and disconnects at once")
    void messageWithoutAckHeader() throws Exception {
        AsyncStompClient client = connected(AsyncStompClientConfig.builder(server.uri()).disconnectTimeout(Duration.ofSeconds(10)));
        java.util.concurrent.BlockingQueue<String> handled = new java.util.concurrent.LinkedBlockingQueue<>();
        AsyncSubscription sub = get(client.subscribe("/queue/no-ack", Map.of("ack", "client-individual", "receipt", "s"), (c, f) -> {
            handled.add(f.bodyAsString());
            return null;
        }));
        var connection = server.awaitConnection(TIMEOUT);
        for (String body : new String[]{"first", "second"}) {
            connection.send(dev.stompbox.protocol.StompFrame.builder(StompCommand.MESSAGE).header("destination", "/queue/no-ack")
                    .header("subscription", sub.id()).header("message-id", body).body(body.getBytes()).build());
        }
        assertThat(handled.poll(10, TimeUnit.SECONDS)).isEqualTo("first");
        assertThat(handled.poll(10, TimeUnit.SECONDS)).as("the next message is still handled").isEqualTo("second");
        await().atMost(TIMEOUT).until(() -> sub.inFlight() == 0 && client.unfinishedHandlers() == 0);
        long t0 = System.nanoTime();
        get(client.disconnect());
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("no handler counted as still running").isLessThan(Duration.ofSeconds(3));
        assertThat(client.unfinishedHandlers()).isZero();
    }

    @Test
    @DisplayName("unsubscribing an auto-ack subscription drops nothing: what was read for it before the UNSUBSCRIBE is still handled")
    void unsubscribeAutoAckDropsNothing() throws Exception {
        AsyncStompClient client = connected(AsyncStompClientConfig.builder(server.uri()));
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.BlockingQueue<String> handled = new java.util.concurrent.LinkedBlockingQueue<>();
        AsyncSubscription sub = get(client.subscribe("/queue/auto", Map.of("receipt", "s"), (c, f) -> {
            release.await(10, TimeUnit.SECONDS);
            handled.add(f.bodyAsString());
            return null;
        }));
        var connection = server.awaitConnection(TIMEOUT);
        connection.sendMessage(sub.id(), "/queue/auto", "first".getBytes());
        connection.sendMessage(sub.id(), "/queue/auto", "second".getBytes());
        await().atMost(TIMEOUT).until(() -> sub.inFlight() == 2); // one running, one queued behind it
        CompletableFuture<Void> unsubscribed = client.unsubscribe(sub);
        connection.sendMessage(sub.id(), "/queue/auto", "third".getBytes()); // on its way before the UNSUBSCRIBE
        Thread.sleep(200);
        release.countDown();
        get(unsubscribed);
        assertThat(java.util.List.of(handled.poll(10, TimeUnit.SECONDS), handled.poll(10, TimeUnit.SECONDS), handled.poll(10, TimeUnit.SECONDS)))
                .as("with ack auto the broker will not send them again: each is handled").containsExactly("first", "second", "third");
    }

    @Test
    @DisplayName("an UNSUBSCRIBE that cannot go out (connection down) fails, and the subscription goes on after the reconnect")
    void failedUnsubscribeKeepsTheSubscription() throws Exception {
        AsyncStompClient client = connected(AsyncStompClientConfig.builder("failover:(" + server.uri() + ")").autoReconnect(true));
        java.util.concurrent.BlockingQueue<String> handled = new java.util.concurrent.LinkedBlockingQueue<>();
        AsyncSubscription sub = get(client.subscribe("/queue/kept", Map.of("ack", "client-individual", "receipt", "s"), (c, f) -> {
            handled.add(f.bodyAsString());
            return null;
        }));
        server.nextConnectionFaults().delayFrames(Duration.ofSeconds(1)); // the reconnect takes a second
        server.awaitConnection(TIMEOUT).close();
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(5)).until(() -> !client.isConnected());
        assertThat(failure(client.unsubscribe(sub))).as("nothing to send it on").isNotNull();
        await().atMost(TIMEOUT).until(client::isConnected);
        var again = server.awaitConnection(1, TIMEOUT);
        again.awaitReceived(f -> f.command() == StompCommand.SUBSCRIBE, TIMEOUT); // replayed
        again.sendMessage(sub.id(), "/queue/kept", "after".getBytes());
        assertThat(handled.poll(10, TimeUnit.SECONDS)).as("the subscription still hands messages to its handler").isEqualTo("after");
    }

    @Test
    @DisplayName("disconnect() with messages waiting for a stuck handler: one disconnect timeout bounds it all, and the stuck handler is reported")
    void disconnectWithUnreadMessages() {
        AsyncStompClient client = connected(AsyncStompClientConfig.builder(server.uri()).maxBufferedMessages(2)
                .disconnectTimeout(Duration.ofSeconds(2)));
        AtomicInteger handled = new AtomicInteger();
        get(client.subscribe("/queue/unread", Map.of("ack", "client-individual", "receipt", "s"), (c, f) -> {
            handled.incrementAndGet();
            return new CompletableFuture<Void>(); // never finishes
        }));
        for (int i = 0; i < 200; i++) {
            server.publish("/queue/unread", "m" + i);
        }
        await().atMost(TIMEOUT).until(() -> client.bufferedBytes() > 0);
        long t0 = System.nanoTime();
        get(client.disconnect());
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat(took).as("ms to disconnect: one disconnect timeout, not two").isBetween(1500L, 3500L);
        assertThat(client.unfinishedHandlers()).isEqualTo(1);
        assertThat(handled.get()).isEqualTo(1);
        assertThat(server.awaitConnection(TIMEOUT).awaitReceived(StompCommand.DISCONNECT, TIMEOUT)).isNotNull();
        assertThat(client.bufferedBytes()).isZero();
    }

    @ParameterizedTest(name = "ack {0}")
    @ValueSource(strings = {"auto", "client-individual"})
    @DisplayName("every message a disconnect drops before a handler had it is counted: lost under ack auto, redelivered otherwise")
    void unhandedMessagesCounted(String ack) {
        UnhandedMessages unhanded = new UnhandedMessages();
        AsyncStompClient client = connected(AsyncStompClientConfig.builder(server.uri()).maxBufferedMessages(2).metrics(unhanded));
        AtomicInteger handled = new AtomicInteger();
        CompletableFuture<Void> first = new CompletableFuture<>();
        get(client.subscribe("/queue/unhanded", Map.of("ack", ack, "receipt", "s"), (c, f) -> {
            handled.incrementAndGet();
            return first;
        }));
        for (int i = 0; i < 60; i++) {
            server.publish("/queue/unhanded", "m" + i);
        }
        var connection = server.awaitConnection(TIMEOUT);
        // All written before the disconnect: some in the handler's lane, two waiting, the rest unread in the socket.
        await().atMost(TIMEOUT).until(() -> connection.sent().stream().filter(f -> f.command() == StompCommand.MESSAGE).count() == 60);
        CompletableFuture<Void> done = client.disconnect();
        await().atMost(TIMEOUT).until(() -> !client.isConnected()); // the disconnect has begun: nothing more is handed out
        first.complete(null);
        get(done);
        assertThat(handled.get()).isEqualTo(1);
        assertThat(unhanded.counts()).as("counts of messages dropped unhanded, by lost").containsExactly(Map.entry(ack.equals("auto"), 59));
    }

    @Test
    @DisplayName("messages queued behind a stuck one-at-a-time handler are dropped unstarted by a disconnect, even when it unsticks later")
    void laneQueueDroppedOnDisconnect() throws Exception {
        AsyncStompClient client = connected(AsyncStompClientConfig.builder(server.uri()).disconnectTimeout(Duration.ofMillis(500)));
        AtomicInteger handled = new AtomicInteger();
        CompletableFuture<Void> stuck = new CompletableFuture<>();
        AsyncSubscription sub = get(client.subscribe("/queue/lane", Map.of("ack", "client-individual", "receipt", "s"),
                (c, f) -> handled.incrementAndGet() == 1 ? stuck : null));
        for (int i = 0; i < 20; i++) {
            server.publish("/queue/lane", "m" + i);
        }
        await().atMost(TIMEOUT).until(() -> sub.inFlight() == 20); // one running, 19 queued in its lane
        get(client.disconnect());
        assertThat(client.unfinishedHandlers()).as("started and unfinished: the stuck one only").isEqualTo(1);
        stuck.complete(null); // the lane moves on: the 19 behind it must not start now
        Thread.sleep(300); // a pause to let a wrongly resumed lane show itself
        assertThat(handled.get()).isEqualTo(1);
    }

    @Test
    @DisplayName("closeNow() while a disconnect on a failed handler waits for its RECEIPT: disconnected() still fails with the handler's error")
    void closeNowKeepsTheCauseOfADisconnectUnderway() {
        // The server answers the SUBSCRIBE and then reads nothing more: the DISCONNECT stays unanswered.
        server.nextConnectionFaults().stopReadingAfter(f -> f.command() == StompCommand.SUBSCRIBE);
        AsyncStompClient client = connected(AsyncStompClientConfig.builder(server.uri()).disconnectTimeout(Duration.ofSeconds(30)));
        get(client.subscribe("/queue/poison", Map.of("receipt", "s"), (c, f) -> {
            throw new IllegalStateException("poison: pill");
        }));
        server.publish("/queue/poison", "pill");
        await().atMost(TIMEOUT).until(() -> client.toString().contains("disconnecting"));
        assertThat(client.disconnected()).as("waiting for the DISCONNECT's RECEIPT").isNotDone();
        client.closeNow(); // runs in a turn of queued loop work: the engine's ending must come before the plain close
        assertThat(failure(client.disconnected())).hasMessage("poison: pill");
    }

    @Test
    @DisplayName("a Throwable on the event loop's read path (an OutOfMemoryError, say) ends the connection as a loss the user sees")
    void readerThrowableIsALoss() {
        AsyncStompClient client = connected(AsyncStompClientConfig.builder(server.uri()).metrics(new FailingMetrics()));
        get(client.subscribe("/queue/oom", Map.of("receipt", "s"), (c, f) -> null));
        server.publish("/queue/oom", "boom");
        assertThat(failure(client.disconnected())).isInstanceOf(StompConnectionException.class)
                .hasMessageContaining("OutOfMemoryError");
        assertThat(client.isConnected()).isFalse();
        await().atMost(TIMEOUT).until(() -> server.awaitConnection(TIMEOUT).toString().contains("closed"));
    }

    @Test
    @DisplayName("after a loss on 'Frame too large' the parser is released and bufferedBytes() is 0")
    void releasedAfterLoss() {
        AsyncStompClient client = connected(AsyncStompClientConfig.builder(server.uri())
                .parserLimits(ParserLimits.defaults().withMaxFrameSize(64 * 1024)));
        get(client.subscribe("/queue/big", Map.of("receipt", "s"), (c, f) -> null));
        server.publish("/queue/big", "x".repeat(1024 * 1024));
        assertThat(failure(client.disconnected())).isInstanceOf(StompConnectionException.class)
                .hasMessageContaining("Frame too large");
        assertThat(client.bufferedBytes()).isZero();
    }
}
