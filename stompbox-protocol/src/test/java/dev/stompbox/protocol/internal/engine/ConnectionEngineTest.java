package dev.stompbox.protocol.internal.engine;

import dev.stompbox.protocol.HeartBeat;
import dev.stompbox.protocol.StompBackpressureException;
import dev.stompbox.protocol.StompBrokerException;
import dev.stompbox.protocol.StompCommand;
import dev.stompbox.protocol.StompConnectTimeoutException;
import dev.stompbox.protocol.StompConnectionException;
import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.StompProtocolException;
import dev.stompbox.protocol.StompReceiptTimeoutException;
import dev.stompbox.protocol.StompVersion;
import dev.stompbox.protocol.codec.ParserLimits;
import dev.stompbox.protocol.commands.Commands;
import dev.stompbox.protocol.commands.SubscriptionToken;
import dev.stompbox.protocol.internal.engine.ConnectionEngine.AckCheck;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import static dev.stompbox.protocol.StompCommand.CONNECT;
import static dev.stompbox.protocol.StompCommand.DISCONNECT;
import static dev.stompbox.protocol.StompCommand.SUBSCRIBE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.THROWABLE;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every connection rule of the engine, with a fake transport and a fake clock: no sockets, no sleeps. */
class ConnectionEngineTest {
    private static final String TWO = "failover:(tcp://a:1,tcp://b:2)?randomize=false&initialReconnectDelay=100&useExponentialBackOff=false";

    private static Throwable failure(CompletableFuture<?> f) {
        assertThat(f).isCompletedExceptionally();
        try {
            f.join();
            throw new AssertionError("not failed");
        } catch (CompletionException e) {
            return e.getCause();
        }
    }

    private static CompletableFuture<Void> publish(FakeTransport t, String rid, String body) {
        StompFrame f = Commands.send("/queue/a", body.getBytes(), Map.of(), rid);
        CompletableFuture<Void> r = t.engine.publish(f, t.now, t.now);
        t.pump();
        return r;
    }

    private static CompletableFuture<Void> subscribe(FakeTransport t, String id) {
        CompletableFuture<Void> r = t.engine.execute((s, rid) -> s.subscribe("/queue/a", Map.of("id", id, "ack", "client-individual"),
                rid, null).frame(), null, true, false, t.now);
        t.pump();
        return r;
    }

    /** SUBSCRIBE {@code destination} as {@code id}, asking for {@code receipt}; its receipt's future. */
    private static CompletableFuture<Void> subscribe(FakeTransport t, String destination, String id, String receipt) {
        CompletableFuture<Void> r = t.engine.execute((s, rid) -> s.subscribe(destination, Map.of("id", id), rid, null).frame(), receipt,
                true, false, t.now);
        t.pump();
        return r;
    }

    @Nested
    @DisplayName("connecting")
    class Connecting {
        @Test
        @DisplayName("open, CONNECT, CONNECTED: the future completes, the listener hears connected, the version is negotiated")
        void handshake() {
            FakeTransport t = new FakeTransport("tcp://a:1", s -> s);
            CompletableFuture<Void> done = t.engine.connect(t.now, ConnectionEngine.NONE);
            assertThat(t.engine.state()).isEqualTo(ConnectionState.CONNECTING);
            assertThat(t.engine.nextDeadline(t.now)).isEqualTo(t.now);
            t.engine.tick(t.now);
            t.pump();
            assertThat(t.opens).extracting(o -> o.broker().port()).containsExactly(1);
            t.engine.opened(t.lastConn(), t.now);
            t.pump();
            assertThat(t.commands()).containsExactly(CONNECT);
            assertThat(t.written.get(0).header("host")).isEqualTo("/");
            assertThat(done).isNotDone();
            t.receive(StompFrame.builder(StompCommand.CONNECTED).header("version", "1.1").build());
            assertThat(done).isCompleted();
            assertThat(t.engine.isConnected()).isTrue();
            assertThat(t.engine.version()).isEqualTo(StompVersion.V1_1);
            assertThat(t.events).containsExactly("connected 1");
        }

        @Test
        @DisplayName("a failed attempt moves to the next broker after the back-off, not before")
        void failoverWalk() {
            FakeTransport t = new FakeTransport(TWO, s -> s);
            CompletableFuture<Void> done = t.engine.connect(t.now, ConnectionEngine.NONE);
            t.engine.tick(t.now);
            t.pump();
            t.engine.openFailed(t.lastConn(), new java.net.ConnectException("refused"), t.now);
            t.pump();
            assertThat(t.engine.nextDeadline(t.now)).isEqualTo(t.now + Duration.ofMillis(100).toNanos());
            t.advance(Duration.ofMillis(99));
            assertThat(t.opens).hasSize(1);
            t.advance(Duration.ofMillis(1));
            assertThat(t.opens).extracting(o -> o.broker().port()).containsExactly(1, 2);
            t.accept(null);
            assertThat(done).isCompleted();
            assertThat(t.attemptFailures).as("each failed attempt is reported with its broker and cause")
                    .containsExactly("1: cannot connect to tcp://a:1: refused");
        }

        @Test
        @DisplayName("the seed's failover URI: the first attempt at once, three more after 7, 8 and 8 ms, then 'Reconnect timeout: 3 attempts'")
        void seedDelays() {
            FakeTransport t = new FakeTransport("failover:(tcp://a:1,tcp://b:2)?randomize=false,startupMaxReconnectAttempts=3,"
                    + "initialReconnectDelay=7,maxReconnectDelay=8,maxReconnectAttempts=0", s -> s);
            long t0 = t.now;
            CompletableFuture<Void> done = t.engine.connect(t.now, ConnectionEngine.NONE);
            List<Long> openedAt = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                t.toDeadline();
                openedAt.add((t.now - t0) / 1_000_000);
                t.engine.openFailed(t.lastConn(), new java.net.ConnectException("refused " + i), t.now);
                t.pump();
            }
            assertThat(openedAt).containsExactly(0L, 7L, 15L, 23L);
            assertThat(failure(done)).isInstanceOf(StompConnectTimeoutException.class).hasMessage("Reconnect timeout: 3 attempts");
        }

        @Test
        @DisplayName("a spent schedule fails the connect with the last failure as cause; one plain broker fails with its own")
        void spentSchedule() {
            FakeTransport t = new FakeTransport("failover:(tcp://a:1)?maxReconnectAttempts=1&initialReconnectDelay=10", s -> s);
            CompletableFuture<Void> done = t.engine.connect(t.now, ConnectionEngine.NONE);
            for (int i = 0; i < 2; i++) {
                t.toDeadline();
                t.engine.openFailed(t.lastConn(), new java.net.ConnectException("refused " + i), t.now);
                t.pump();
            }
            assertThat(failure(done)).isInstanceOf(StompConnectTimeoutException.class).hasRootCauseMessage("refused 1");
            assertThat(t.engine.state()).isEqualTo(ConnectionState.DISCONNECTED);

            FakeTransport plain = new FakeTransport("tcp://a:1", s -> s);
            CompletableFuture<Void> once = plain.engine.connect(plain.now, ConnectionEngine.NONE);
            plain.toDeadline();
            plain.engine.openFailed(plain.lastConn(), new java.net.ConnectException("refused"), plain.now);
            plain.pump();
            assertThat(failure(once)).isInstanceOf(StompConnectionException.class).hasMessageContaining("refused");
        }

        @Test
        @DisplayName("a CONNECTED that breaks the protocol (a version not offered) is the broker's fault: a connection failure, the violation its cause")
        void invalidConnected() {
            FakeTransport t = new FakeTransport("tcp://a:1", s -> {
                s.version = StompVersion.V1_1;
                return s;
            });
            CompletableFuture<Void> done = t.engine.connect(t.now, ConnectionEngine.NONE);
            t.toDeadline();
            t.engine.opened(t.lastConn(), t.now);
            t.pump();
            t.receive(StompFrame.builder(StompCommand.CONNECTED).header("version", "1.2").build());
            assertThat(failure(done)).isInstanceOf(StompConnectionException.class).hasMessageContaining("invalid CONNECTED")
                    .hasCauseInstanceOf(dev.stompbox.protocol.StompProtocolException.class);
        }

        @Test
        @DisplayName("an ERROR answering CONNECT fails for good: no next attempt")
        void refused() {
            FakeTransport t = new FakeTransport(TWO, s -> s);
            CompletableFuture<Void> done = t.engine.connect(t.now, ConnectionEngine.NONE);
            t.toDeadline();
            t.engine.opened(t.lastConn(), t.now);
            t.receive(StompFrame.builder(StompCommand.ERROR).header("message", "bad login").build());
            assertThat(failure(done)).isInstanceOf(StompBrokerException.class).hasMessageContaining("bad login");
            assertThat(t.engine.nextDeadline(t.now)).isEqualTo(ConnectionEngine.NONE);
            assertThat(t.closes).containsExactly(1);
        }

        @Test
        @DisplayName("no CONNECTED within the connected timeout is a failed attempt")
        void connectedTimeout() {
            FakeTransport t = new FakeTransport(TWO, s -> s);
            t.engine.connect(t.now, ConnectionEngine.NONE);
            t.toDeadline();
            t.engine.opened(t.lastConn(), t.now);
            t.pump();
            t.advance(Duration.ofSeconds(10));
            assertThat(t.closes).containsExactly(1);
            t.toDeadline();
            assertThat(t.opens).hasSize(2);
        }

        @Test
        @DisplayName("a connect deadline bounds a schedule that would retry forever")
        void deadline() {
            FakeTransport t = new FakeTransport(TWO, s -> s);
            CompletableFuture<Void> done = t.engine.connect(t.now, t.now + Duration.ofMillis(250).toNanos());
            for (int i = 0; i < 5 && !done.isDone(); i++) {
                t.toDeadline();
                t.engine.openFailed(t.lastConn(), new java.net.ConnectException("refused"), t.now);
                t.pump();
            }
            assertThat(failure(done)).hasMessageContaining("connect deadline passed before attempt 3");
        }

        @Test
        @DisplayName("disconnect while connecting abandons the walk; an open that completes later is closed")
        void abandon() {
            FakeTransport t = new FakeTransport(TWO, s -> s);
            CompletableFuture<Void> done = t.engine.connect(t.now, ConnectionEngine.NONE);
            t.toDeadline();
            assertThat(t.engine.wantsOpen(1)).as("asked for, not yet open").isTrue();
            t.engine.disconnect(t.now);
            t.pump();
            assertThat(t.engine.wantsOpen(1)).as("a client about to open it opens nothing").isFalse();
            assertThat(failure(done)).hasMessageContaining("abandoned");
            t.engine.opened(1, t.now);
            t.pump();
            assertThat(t.closes).contains(1);
            assertThat(t.written).isEmpty();
        }
    }

    @Nested
    @DisplayName("losing and reconnecting")
    class Reconnecting {
        @Test
        @DisplayName("subscriptions are replayed with their ids; the report names them and the receipts that failed")
        void replay() {
            FakeTransport t = new FakeTransport(TWO, s -> s.autoReconnect()).connect();
            subscribe(t, "s1");
            CompletableFuture<Void> r = t.engine.execute((s, rid) -> s.begin(null, rid), "r-1", false, false, t.now);
            t.pump().drop();
            assertThat(failure(r)).hasMessageContaining("connection lost before the RECEIPT");
            assertThat(t.engine.state()).isEqualTo(ConnectionState.RECONNECTING);
            t.toDeadline().accept(null);
            StompFrame again = t.lastWritten();
            assertThat(again.command()).isEqualTo(SUBSCRIBE);
            assertThat(again.header("id")).isEqualTo("s1");
            Reconnection rep = t.reconnections.get(0);
            assertThat(rep.replayed()).extracting(s -> s.token().value()).containsExactly("s1");
            assertThat(rep.failedReceipts()).containsExactly("r-1");
            assertThat(rep.cause()).hasMessageContaining("Connection reset");
            assertThat(t.events).containsExactly("connected 1", "lost 1: connection to tcp://a:1 lost: Connection reset", "reconnected 1");
        }

        @Test
        @DisplayName("at-least-once: unreceipted SENDs go out again after the replay, in order, with their receipt ids, before anything new")
        void resend() {
            FakeTransport t = new FakeTransport(TWO, s -> s.autoReconnect().atLeastOnce()).connect();
            subscribe(t, "s1");
            CompletableFuture<Void> one = publish(t, "p-1", "one");
            CompletableFuture<Void> two = publish(t, "p-2", "two");
            CompletableFuture<Void> three = publish(t, "p-3", "three");
            t.receipt("p-1").drop();
            CompletableFuture<Void> four = publish(t, "p-4", "four"); // made while reconnecting: waits with the others
            t.written.clear();
            t.toDeadline().accept(null);
            publish(t, "p-5", "five");
            assertThat(t.written).extracting(f -> f.command() + " " + f.header("receipt"))
                    .containsExactly("CONNECT null", "SUBSCRIBE null", "SEND p-2", "SEND p-3", "SEND p-4", "SEND p-5");
            assertThat(t.reconnections.get(0).resentReceipts()).containsExactly("p-2", "p-3", "p-4");
            assertThat(t.reconnections.get(0).failedReceipts()).isEmpty();
            assertThat(one).isCompleted();
            assertThat(two).isNotDone();
            t.receipt("p-2").receipt("p-3").receipt("p-4");
            assertThat(List.of(two, three, four)).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
        }

        @Test
        @DisplayName("a SUBSCRIBE whose RECEIPT a loss (an ERROR naming no receipt) cut off asks for it again when replayed, and waits for that answer")
        void subscribeReceiptAcrossALoss() {
            FakeTransport t = new FakeTransport(TWO, s -> s.autoReconnect()).connect();
            CompletableFuture<Void> sub = subscribe(t, "/queue/a", "s1", "sub-1");
            // RabbitMQ's "Processing error" when a queue's process is briefly down: nothing says which frame failed.
            t.receive(StompFrame.builder(StompCommand.ERROR).header("message", "Processing error").build());
            assertThat(t.engine.state()).isEqualTo(ConnectionState.RECONNECTING);
            assertThat(sub).as("the subscription is replayed: its receipt does not fail with the loss").isNotDone();
            t.written.clear();
            t.toDeadline().accept(null);
            assertThat(t.written).extracting(f -> f.command() + " " + f.header("id") + " " + f.header("receipt"))
                    .containsExactly("CONNECT null null", "SUBSCRIBE s1 sub-1");
            assertThat(t.reconnections.get(0).failedReceipts()).isEmpty();
            t.receipt("sub-1");
            assertThat(sub).isCompleted();
            assertThat(sub.isCompletedExceptionally()).isFalse();
        }

        @Test
        @DisplayName("an UNSUBSCRIBE whose RECEIPT a loss cut off completes: its subscription went with the connection and is not replayed")
        void unsubscribeReceiptAcrossALoss() {
            FakeTransport t = new FakeTransport(TWO, s -> s.autoReconnect()).connect();
            subscribe(t, "s1");
            subscribe(t, "s2");
            CompletableFuture<Void> gone = t.engine.execute((s, rid) -> s.unsubscribe(SubscriptionToken.ofId("s1"), rid), "un-1",
                    false, false, t.now);
            CompletableFuture<Void> begun = t.engine.execute((s, rid) -> s.begin(null, rid), "b-1", false, false, t.now);
            t.pump().drop();
            assertThat(gone).isCompleted();
            assertThat(gone.isCompletedExceptionally()).isFalse();
            assertThat(failure(begun)).hasMessageContaining("connection lost before the RECEIPT");
            t.written.clear();
            t.toDeadline().accept(null);
            assertThat(t.written).extracting(f -> f.command() + " " + f.header("id")).containsExactly("CONNECT null", "SUBSCRIBE s2");
            assertThat(t.reconnections.get(0).failedReceipts()).containsExactly("b-1");
        }

        @Test
        @DisplayName("without auto-reconnect, an UNSUBSCRIBE's receipt fails with the loss like every other")
        void unsubscribeReceiptWithoutReconnect() {
            FakeTransport t = new FakeTransport(TWO, s -> s).connect();
            subscribe(t, "s1");
            CompletableFuture<Void> gone = t.engine.execute((s, rid) -> s.unsubscribe(SubscriptionToken.ofId("s1"), rid), "un-1",
                    false, false, t.now);
            t.pump().drop();
            assertThat(failure(gone)).isInstanceOf(dev.stompbox.protocol.StompConnectionException.class);
        }

        private FakeTransport connectedToRabbitMq() {
            FakeTransport t = new FakeTransport(TWO, s -> s.autoReconnect().atLeastOnce());
            t.engine.connect(t.now, ConnectionEngine.NONE);
            t.toDeadline();
            t.engine.opened(t.lastConn(), t.now);
            return t.receive(StompFrame.builder(StompCommand.CONNECTED).header("version", "1.2").header("server", "RabbitMQ/3.10.8").build());
        }

        @Test
        @DisplayName("RabbitMQ: behind its ERROR for an AMQP error (message not_found), a SEND's RECEIPT is its confirm, and the next RECEIPT names the frame refused")
        void rabbitMqSendConfirmBehindItsError() {
            FakeTransport t = connectedToRabbitMq();
            CompletableFuture<Void> sent = publish(t, "p-1", "confirmed");
            CompletableFuture<Void> missing = subscribe(t, "/amq/queue/missing", "bad", "sub-bad");
            t.receiveTogether(StompFrame.builder(StompCommand.ERROR).header("message", "not_found").build(),
                    StompFrame.builder(StompCommand.RECEIPT).header("receipt-id", "p-1").build(),
                    StompFrame.builder(StompCommand.RECEIPT).header("receipt-id", "sub-bad").build());
            assertThat(sent).isCompleted();
            assertThat(sent.isCompletedExceptionally()).isFalse();
            assertThat(failure(missing)).isInstanceOf(StompBrokerException.class);
        }

        @Test
        @DisplayName("RabbitMQ: its \"Processing error\" leaves the connection open on its side, so a RECEIPT behind it confirms its frame")
        void rabbitMqProcessingErrorIsNoRefusal() {
            FakeTransport t = connectedToRabbitMq();
            CompletableFuture<Void> sub = subscribe(t, "/queue/a", "s1", "sub-1");
            t.receiveTogether(StompFrame.builder(StompCommand.ERROR).header("message", "Processing error").build(),
                    StompFrame.builder(StompCommand.RECEIPT).header("receipt-id", "sub-1").build());
            assertThat(sub).isCompleted();
            assertThat(sub.isCompletedExceptionally()).isFalse();
        }

        @Test
        @DisplayName("RabbitMQ: the RECEIPT right behind an ERROR naming no frame names the frame refused; it fails and is not replayed")
        void rabbitMqReceiptsTheFrameItRefused() {
            FakeTransport t = connectedToRabbitMq();
            subscribe(t, "good");
            CompletableFuture<Void> missing = subscribe(t, "/amq/queue/missing", "bad", "sub-bad");
            // What RabbitMQ sends when a SUBSCRIBE's queue does not exist: the ERROR, then the SUBSCRIBE's RECEIPT.
            t.receiveTogether(StompFrame.builder(StompCommand.ERROR).header("message", "not_found").body("NOT_FOUND - no queue").build(),
                    StompFrame.builder(StompCommand.RECEIPT).header("receipt-id", "sub-bad").build());
            assertThat(failure(missing)).isInstanceOf(StompBrokerException.class).hasMessageContaining("not_found");
            t.written.clear();
            t.toDeadline().accept(null);
            assertThat(t.written).extracting(f -> f.command() + " " + f.header("id")).containsExactly("CONNECT null", "SUBSCRIBE good");
        }

        @Test
        @DisplayName("another broker's RECEIPT behind an ERROR naming no frame confirms its frame, as any RECEIPT does")
        void otherBrokersReceiptBehindAnErrorConfirms() {
            FakeTransport t = new FakeTransport(TWO, s -> s.autoReconnect()).connect(); // server fake/1
            CompletableFuture<Void> sub = subscribe(t, "/queue/a", "s1", "sub-1");
            t.receiveTogether(StompFrame.builder(StompCommand.ERROR).header("message", "going away").build(),
                    StompFrame.builder(StompCommand.RECEIPT).header("receipt-id", "sub-1").build());
            assertThat(sub).isCompleted();
            assertThat(sub.isCompletedExceptionally()).isFalse();
        }

        @Test
        @DisplayName("a SUBSCRIBE whose replay is ended by an ERROR again before its RECEIPT is taken as refused: it fails with that ERROR and is not made again")
        void subscribeRefusedTwiceWithoutAName() {
            FakeTransport t = new FakeTransport(TWO, s -> s.autoReconnect()).connect();
            subscribe(t, "kept");
            CompletableFuture<Void> sub = subscribe(t, "/queue/a", "s1", "sub-1");
            StompFrame invalid = StompFrame.builder(StompCommand.ERROR).header("message", "Invalid selector").build();
            t.receive(invalid);
            assertThat(sub).as("tried once more: the ERROR may not be about it").isNotDone();
            t.toDeadline().accept(null);
            t.receive(invalid);
            assertThat(failure(sub)).isInstanceOf(StompBrokerException.class).hasMessageContaining("Invalid selector");
            t.written.clear();
            t.toDeadline().accept(null);
            assertThat(t.written).extracting(f -> f.command() + " " + f.header("id")).containsExactly("CONNECT null", "SUBSCRIBE kept");
        }

        @Test
        @DisplayName("RabbitMQ's \"Processing error\" (its own crash) spends no try: a SUBSCRIBE it cut off three times is still made")
        void rabbitMqProcessingErrorsSpendNoTry() {
            FakeTransport t = connectedToRabbitMq();
            CompletableFuture<Void> sub = subscribe(t, "/queue/a", "s1", "sub-1");
            for (int i = 0; i < 3; i++) {
                t.receive(StompFrame.builder(StompCommand.ERROR).header("message", "Processing error").build());
                t.toDeadline();
                t.engine.opened(t.lastConn(), t.now);
                t.receive(StompFrame.builder(StompCommand.CONNECTED).header("version", "1.2").header("server", "RabbitMQ/3.10.8").build());
            }
            assertThat(sub).isNotDone();
            assertThat(t.lastWritten()).extracting(f -> f.command() + " " + f.header("receipt")).isEqualTo("SUBSCRIBE sub-1");
            t.receipt("sub-1");
            assertThat(sub.isDone() && !sub.isCompletedExceptionally()).isTrue();
        }

        @Test
        @DisplayName("a network loss between the two ERRORs does not count: only ERRORs take the one more try")
        void networkLossesDoNotSpendTheRetry() {
            FakeTransport t = new FakeTransport(TWO, s -> s.autoReconnect()).connect();
            CompletableFuture<Void> sub = subscribe(t, "/queue/a", "s1", "sub-1");
            t.drop().toDeadline().accept(null);
            t.drop().toDeadline().accept(null);
            t.receive(StompFrame.builder(StompCommand.ERROR).header("message", "Processing error").build());
            t.toDeadline().accept(null);
            assertThat(sub).isNotDone();
            t.receipt("sub-1");
            assertThat(sub.isDone() && !sub.isCompletedExceptionally()).isTrue();
        }

        @Test
        @DisplayName("a replayed SUBSCRIBE's receipt still times out from the call; then it is unsubscribed and not replayed again")
        void subscribeReceiptTimesOutAcrossALoss() {
            FakeTransport t = new FakeTransport(TWO, s -> s.autoReconnect()).connect();
            subscribe(t, "kept");
            CompletableFuture<Void> sub = subscribe(t, "/queue/a", "s1", "sub-1");
            t.drop();
            t.toDeadline().accept(null);
            t.written.clear();
            t.advance(FakeTransport.RECEIPT_TIMEOUT);
            assertThat(failure(sub)).isInstanceOf(dev.stompbox.protocol.StompReceiptTimeoutException.class);
            assertThat(t.written).extracting(f -> f.command() + " " + f.header("id")).as("in case the broker took it after all")
                    .containsExactly("UNSUBSCRIBE s1");
            t.drop();
            t.written.clear();
            t.toDeadline().accept(null);
            assertThat(t.written).extracting(f -> f.command() + " " + f.header("id")).containsExactly("CONNECT null", "SUBSCRIBE kept");
        }

        @Test
        @DisplayName("a SUBSCRIBE whose receipt times out while reconnecting is forgotten: the next connection does not get it")
        void subscribeReceiptTimesOutWhileReconnecting() {
            String uri = "failover:(tcp://a:1)?initialReconnectDelay=100&maxReconnectDelay=100";
            FakeTransport t = new FakeTransport(uri, s -> s.autoReconnect()).connect();
            CompletableFuture<Void> sub = subscribe(t, "/queue/a", "s1", "sub-1");
            t.drop();
            while (!sub.isDone()) { // no broker answers meanwhile
                t.toDeadline();
                t.engine.openFailed(t.lastConn(), new java.net.ConnectException("refused"), t.now);
                t.pump();
            }
            assertThat(failure(sub)).isInstanceOf(dev.stompbox.protocol.StompReceiptTimeoutException.class);
            t.written.clear();
            t.toDeadline().accept(null);
            assertThat(t.written).extracting(StompFrame::command).containsExactly(StompCommand.CONNECT);
            assertThat(t.engine.session().subscriptions()).isEmpty();
        }

        @Test
        @DisplayName("a SUBSCRIBE the broker refused (its ERROR names the receipt) fails and is not replayed after the reconnect")
        void refusedSubscribeNotReplayed() {
            FakeTransport t = new FakeTransport(TWO, s -> s.autoReconnect()).connect();
            subscribe(t, "good");
            CompletableFuture<Void> bad = t.engine.execute((s, rid) -> s.subscribe("/queue/b", Map.of("id", "bad", "selector", "x ="), rid,
                    null).frame(), "sub-bad", true, false, t.now);
            t.pump();
            t.receive(StompFrame.builder(StompCommand.ERROR).header("receipt-id", "sub-bad").header("message", "Invalid selector").build());
            assertThat(failure(bad)).isInstanceOf(StompBrokerException.class).hasMessageContaining("Invalid selector");
            t.written.clear();
            t.toDeadline().accept(null);
            assertThat(t.written).extracting(f -> f.command() + " " + f.header("id")).containsExactly("CONNECT null", "SUBSCRIBE good");
            assertThat(t.engine.session().subscriptions()).extracting(s -> s.token().value()).containsExactly("good");
        }

        @Test
        @DisplayName("a loss during the replay is one more loss: the next connection replays and re-sends again, nothing lost")
        void lossDuringReplay() {
            FakeTransport t = new FakeTransport(TWO, s -> s.autoReconnect().atLeastOnce()).connect();
            subscribe(t, "s1");
            CompletableFuture<Void> kept = publish(t, "p-1", "one");
            t.drop().toDeadline();
            t.autoWrite = false; // CONNECTED arrives, but the replay never reaches the wire
            t.accept(null).drop();
            t.autoWrite = true;
            t.written.clear();
            t.toDeadline().accept(null);
            assertThat(t.written).extracting(f -> f.command() + " " + f.header("receipt"))
                    .containsExactly("CONNECT null", "SUBSCRIBE null", "SEND p-1");
            assertThat(kept).isNotDone();
        }

        @Test
        @DisplayName("a RECEIPT read in the same chunk just before the loss completes its SEND; only the others wait for the re-send")
        void receiptRacingLoss() {
            FakeTransport t = new FakeTransport(TWO, s -> s.autoReconnect().atLeastOnce()).connect();
            CompletableFuture<Void> one = publish(t, "p-1", "one");
            CompletableFuture<Void> two = publish(t, "p-2", "two");
            t.receipt("p-1").drop();
            t.written.clear();
            t.toDeadline().accept(null);
            assertThat(one).isCompleted();
            assertThat(t.written).extracting(f -> f.header("receipt")).containsExactly(null, "p-2");
            assertThat(two).isNotDone();
        }

        @Test
        @DisplayName("an ERROR naming a SEND's receipt fails that SEND with the broker's error, and it is never re-sent")
        void poison() {
            FakeTransport t = new FakeTransport(TWO, s -> s.autoReconnect().atLeastOnce()).connect();
            CompletableFuture<Void> bad = publish(t, "p-1", "bad");
            CompletableFuture<Void> good = publish(t, "p-2", "good");
            t.receive(StompFrame.builder(StompCommand.ERROR).header("receipt-id", "p-1").header("message", "poison").build());
            assertThat(failure(bad)).isInstanceOf(StompBrokerException.class).hasMessageContaining("poison");
            t.written.clear();
            t.toDeadline().accept(null);
            assertThat(t.written).extracting(f -> f.header("receipt")).containsExactly(null, "p-2");
            assertThat(good).isNotDone();
        }

        @Test
        @DisplayName("an ERROR naming no receipt fails every waiting receipt with the broker's error itself, frame included")
        void errorFailsReceiptsWithItself() {
            FakeTransport t = new FakeTransport(TWO, s -> s).connect();
            CompletableFuture<Void> sub = t.engine.execute((s, rid) -> s.subscribe("/queue/a", Map.of("selector", "bad"), rid, null).frame(),
                    "sub-1", true, false, t.now);
            t.pump();
            t.receive(StompFrame.builder(StompCommand.ERROR).header("message", "Invalid selector").build());
            assertThat(failure(sub)).isInstanceOf(dev.stompbox.protocol.StompBrokerException.class)
                    .hasMessageContaining("Invalid selector");
            assertThat(((dev.stompbox.protocol.StompBrokerException) failure(sub)).frame().command()).isEqualTo(StompCommand.ERROR);
        }

        /** Ends the connection with an ERROR, reconnects at the engine's next deadline, and returns how long it waited (ms). */
        private long refusedAndBack(FakeTransport t, Duration after) {
            t.advance(after);
            t.receive(StompFrame.builder(StompCommand.ERROR).header("message", "NOT_FOUND - no queue 'gone'").build());
            long lostAt = t.now;
            t.toDeadline().accept(null);
            return (t.now - lostAt) / 1_000_000;
        }

        @Test
        @DisplayName("a reconnected connection that a broker ERROR ends within a second backs off as after a failed attempt, not at once again")
        void errorRightAfterAReconnectBacksOff() {
            String uri = "failover:(tcp://a:1)?initialReconnectDelay=100&maxReconnectDelay=1000&maxReconnectAttempts=5";
            FakeTransport t = new FakeTransport(uri, s -> s.autoReconnect()).connect();
            List<Long> waits = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                waits.add(refusedAndBack(t, Duration.ofMillis(5))); // a replayed SUBSCRIBE refused at once, each time
            }
            assertThat(waits).as("the first loss of a connection that had settled reconnects at once; then the back-off grows")
                    .containsExactly(0L, 100L, 200L, 400L, 800L);
            assertThat(refusedAndBack(t, Duration.ofSeconds(2))).as("a connection that lasted a second starts afresh").isZero();
        }

        @Test
        @DisplayName("a quick loss that is not an ERROR (the network) reconnects at once, as before")
        void quickNetworkLossReconnectsAtOnce() {
            String uri = "failover:(tcp://a:1)?initialReconnectDelay=100&maxReconnectDelay=1000";
            FakeTransport t = new FakeTransport(uri, s -> s.autoReconnect()).connect();
            for (int i = 0; i < 3; i++) {
                t.advance(Duration.ofMillis(5)).drop();
                long lostAt = t.now;
                t.toDeadline().accept(null);
                assertThat(t.now - lostAt).isZero();
            }
        }

        @Test
        @DisplayName("ERRORs right after each reconnect spend maxReconnectAttempts, and the client gives up")
        void errorsRightAfterReconnectsSpendTheAttempts() {
            String uri = "failover:(tcp://a:1)?initialReconnectDelay=10&maxReconnectAttempts=3";
            FakeTransport t = new FakeTransport(uri, s -> s.autoReconnect()).connect();
            for (int i = 0; i < 4; i++) { // the cycle's first attempt, then the three it allows
                refusedAndBack(t, Duration.ofMillis(5));
            }
            t.advance(Duration.ofMillis(5));
            t.receive(StompFrame.builder(StompCommand.ERROR).header("message", "NOT_FOUND").build());
            assertThat(t.engine.state()).isEqualTo(ConnectionState.DISCONNECTED);
            assertThat(t.events).anyMatch(e -> e.startsWith("reconnect failed"));
        }

        @Test
        @DisplayName("frames read in the same chunk behind an ERROR are handled, not dropped: a RECEIPT completes its SEND, a MESSAGE is delivered")
        void framesBehindAnError() {
            FakeTransport t = new FakeTransport(TWO, s -> s.autoReconnect().atLeastOnce()).connect();
            subscribe(t, "s1");
            CompletableFuture<Void> confirmed = publish(t, "p-1", "one");
            CompletableFuture<Void> unconfirmed = publish(t, "p-2", "two");
            t.written.clear();
            t.receiveTogether(StompFrame.builder(StompCommand.ERROR).header("message", "going away").build(),
                    StompFrame.builder(StompCommand.RECEIPT).header("receipt-id", "p-1").build(),
                    StompFrame.builder(StompCommand.MESSAGE).header("subscription", "s1").header("message-id", "m-1")
                            .header("destination", "/queue/a").header("ack", "m-1").body("behind").build());
            assertThat(confirmed).as("the broker confirmed it before it closed").isCompleted();
            assertThat(t.delivered).extracting(d -> d.frame().bodyAsString()).containsExactly("behind");
            assertThat(t.events).anySatisfy(e -> assertThat(e).startsWith("lost").endsWith(": Broker sent ERROR: going away"));
            assertThat(t.closes).as("the ERROR still ends the connection").isNotEmpty();
            t.toDeadline().accept(null);
            assertThat(t.written).extracting(f -> f.command() + " " + f.header("receipt")).as("only the unconfirmed SEND is written again")
                    .containsExactly("CONNECT null", "SUBSCRIBE null", "SEND p-2");
            assertThat(unconfirmed).isNotDone();
        }

        @Test
        @DisplayName("a second ERROR behind the first (RabbitMQ's 'Processing error', then the cause) is kept with it, as suppressed")
        void secondErrorKept() {
            FakeTransport t = new FakeTransport(TWO, s -> s).connect();
            CompletableFuture<Void> refused = publish(t, "p-2", "two");
            t.receiveTogether(StompFrame.builder(StompCommand.ERROR).header("message", "Processing error").header("receipt-id", "p-2").build(),
                    StompFrame.builder(StompCommand.ERROR).header("message", "not_found").body("NOT_FOUND - no queue 'q'").build());
            Throwable first = failure(refused);
            assertThat(first).isInstanceOf(StompBrokerException.class).hasMessage("Broker sent ERROR: Processing error");
            assertThat(first.getSuppressed()).singleElement(THROWABLE).isInstanceOf(StompBrokerException.class)
                    .hasMessage("Broker sent ERROR: not_found (NOT_FOUND - no queue 'q')");
            assertThat(t.ended).singleElement().isSameAs(first);
        }

        @Test
        @DisplayName("invalid bytes behind an ERROR: the connection ends with the ERROR, the invalid data suppressed in it")
        void garbageBehindAnError() {
            FakeTransport t = new FakeTransport(TWO, s -> s).connect();
            t.receiveTogether(new StompFrame[] {StompFrame.builder(StompCommand.ERROR).header("message", "bye").build()}, "HTTP\n");
            assertThat(t.ended).singleElement(THROWABLE).isInstanceOf(StompBrokerException.class).hasMessage("Broker sent ERROR: bye")
                    .satisfies(e -> assertThat(e.getSuppressed()).singleElement(THROWABLE).hasMessageContaining("invalid data"));
        }

        @Test
        @DisplayName("a MESSAGE completed before invalid bytes in the same chunk is delivered, then the invalid data ends the connection")
        void messageBeforeGarbage() {
            FakeTransport t = new FakeTransport(TWO, s -> s).connect();
            subscribe(t, "s1");
            t.receiveTogether(new StompFrame[] {StompFrame.builder(StompCommand.MESSAGE).header("subscription", "s1").header("message-id", "m-1")
                    .header("destination", "/queue/a").header("ack", "m-1").body("before").build()}, "HTTP\n");
            assertThat(t.delivered).extracting(d -> d.frame().bodyAsString()).containsExactly("before");
            assertThat(t.ended).singleElement(THROWABLE).isInstanceOf(StompConnectionException.class)
                    .hasMessageContaining("invalid data").hasMessageContaining("Invalid command: 'HTTP'");
        }

        @Test
        @DisplayName("disconnect while reconnecting fails the kept SENDs at once, not after the back-off")
        void disconnectWhileReconnecting() {
            FakeTransport t = new FakeTransport(TWO, s -> s.autoReconnect().atLeastOnce()).connect();
            CompletableFuture<Void> kept = publish(t, "p-1", "one");
            t.drop();
            assertThat(kept).isNotDone();
            t.engine.disconnect(t.now);
            t.pump();
            assertThat(failure(kept)).hasMessageContaining("disconnected while reconnecting");
            assertThat(t.engine.state()).isEqualTo(ConnectionState.DISCONNECTED);
            assertThat(t.engine.nextDeadline(t.now)).isEqualTo(ConnectionEngine.NONE);
        }

        @Test
        @DisplayName("close while reconnecting fails the kept SENDs at once")
        void closeWhileReconnecting() {
            FakeTransport t = new FakeTransport(TWO, s -> s.autoReconnect().atLeastOnce()).connect();
            CompletableFuture<Void> kept = publish(t, "p-1", "one");
            t.drop();
            t.engine.close(t.now);
            t.pump();
            assertThat(failure(kept)).hasMessageContaining("client closed");
            assertThat(t.engine.state()).isEqualTo(ConnectionState.CLOSED);
        }

        @Test
        @DisplayName("a bare broker URI connects once, but reconnects with the default back-off instead of one immediate attempt")
        void bareUriReconnectsWithBackOff() {
            FakeTransport t = new FakeTransport("tcp://a:1", s -> s.autoReconnect()).connect();
            t.drop();
            List<Long> gaps = new ArrayList<>();
            long last = t.now;
            for (int i = 0; i < 4; i++) {
                t.toDeadline();
                gaps.add((t.now - last) / 1_000_000);
                last = t.now;
                t.engine.openFailed(t.lastConn(), new java.net.ConnectException("refused " + i), t.now);
                t.pump();
            }
            assertThat(t.engine.state()).as("still reconnecting after four refusals").isEqualTo(ConnectionState.RECONNECTING);
            assertThat(gaps).as("ms between attempts: the default schedule (10 ms, doubling)").containsExactly(0L, 10L, 20L, 40L);
            t.toDeadline().accept(null);
            assertThat(t.engine.isConnected()).isTrue();
            assertThat(t.reconnections).hasSize(1);
        }

        @Test
        @DisplayName("without auto-reconnect a loss ends the connection: everything fails, the listener hears ended with the cause")
        void noReconnect() {
            FakeTransport t = new FakeTransport(TWO, s -> s.atLeastOnce()).connect();
            CompletableFuture<Void> kept = publish(t, "p-1", "one");
            t.drop();
            assertThat(failure(kept)).isInstanceOf(StompConnectionException.class);
            assertThat(t.engine.state()).isEqualTo(ConnectionState.DISCONNECTED);
            assertThat(t.ended).singleElement().satisfies(c -> assertThat(c).hasMessageContaining("Connection reset"));
            assertThatThrownBy(() -> t.engine.execute((s, rid) -> s.begin(null, rid), null, false, false, t.now))
                    .isInstanceOf(StompConnectionException.class).hasMessageContaining("Connection reset");
        }

        @Test
        @DisplayName("a spent reconnect schedule fails what waits and reports reconnectFailed, then ended")
        void reconnectGivesUp() {
            FakeTransport t = new FakeTransport("failover:(tcp://a:1)?maxReconnectAttempts=1&initialReconnectDelay=10",
                    s -> s.autoReconnect().atLeastOnce()).connect();
            CompletableFuture<Void> kept = publish(t, "p-1", "one");
            t.drop();
            for (int i = 0; i < 3 && !kept.isDone(); i++) {
                t.toDeadline();
                t.engine.openFailed(t.lastConn(), new java.net.ConnectException("refused"), t.now);
                t.pump();
            }
            assertThat(failure(kept)).isInstanceOf(StompConnectTimeoutException.class);
            assertThat(t.events).last().asString().startsWith("ended");
            assertThat(t.events).anyMatch(e -> e.startsWith("reconnect failed"));
        }

        @Test
        @DisplayName("messages handed out on an earlier connection cannot be acked: nothing is written for them")
        void staleAcks() {
            FakeTransport t = new FakeTransport(TWO, s -> s.autoReconnect()).connect();
            subscribe(t, "s1");
            t.message("s1", "m-1", "x");
            Delivery d = t.delivered.get(0);
            t.engine.handedOut(d);
            assertThat(t.engine.ackCheck(d.frame())).isEqualTo(AckCheck.OK);
            t.drop().toDeadline().accept(null);
            assertThat(t.reconnections.get(0).unacked()).containsExactly(d.frame());
            assertThat(t.engine.ackCheck(d.frame())).isEqualTo(AckCheck.EARLIER_CONNECTION);
            int before = t.written.size();
            assertThat(t.engine.settle(d, false, null, null, t.now)).isNull();
            t.pump();
            assertThat(t.written).hasSize(before);
        }

        @Test
        @DisplayName("invalid bytes end the connection and release what the parser held")
        void invalidData() {
            FakeTransport t = new FakeTransport(TWO, s -> {
                s.limits = new ParserLimits(100, 100, 1 << 20);
                return s;
            }).connect();
            byte[] partial = ("MESSAGE\nsubscription:s\nx:" + "y".repeat(90)).getBytes();
            t.engine.received(t.lastConn(), partial, 0, partial.length, t.now);
            assertThat(t.engine.parserRetainedBytes()).isPositive();
            byte[] more = "y".repeat(50).getBytes();
            t.engine.received(t.lastConn(), more, 0, more.length, t.now);
            t.pump();
            assertThat(t.events).last().asString().contains("invalid data");
            assertThat(t.engine.parserRetainedBytes()).isZero();
            assertThat(t.closes).containsExactly(1);
        }
    }

    @Nested
    @DisplayName("receipts and the window")
    class Receipts {
        @Test
        @DisplayName("a receipt fails at its timeout, and nextDeadline says when")
        void timeout() {
            FakeTransport t = new FakeTransport(TWO, s -> s).connect();
            CompletableFuture<Void> r = t.engine.execute((s, rid) -> s.begin(null, rid), "r-1", false, false, t.now);
            t.pump();
            assertThat(t.engine.nextDeadline(t.now)).isEqualTo(t.now + FakeTransport.RECEIPT_TIMEOUT.toNanos());
            t.advance(FakeTransport.RECEIPT_TIMEOUT.minusNanos(1));
            assertThat(r).isNotDone();
            t.advance(Duration.ofNanos(1));
            assertThat(failure(r)).isInstanceOf(StompReceiptTimeoutException.class);
        }

        @Test
        @DisplayName("a kept SEND whose receipt timed out is not re-sent; its timeout counts from the call")
        void keptTimeout() {
            FakeTransport t = new FakeTransport(TWO, s -> s.autoReconnect().atLeastOnce()).connect();
            StompFrame f = Commands.send("/queue/a", "x".getBytes(), Map.of(), "p-1");
            CompletableFuture<Void> r = t.engine.publish(f, t.now - Duration.ofSeconds(29).toNanos(), t.now);
            t.pump().advance(Duration.ofSeconds(1));
            assertThat(failure(r)).isInstanceOf(StompReceiptTimeoutException.class);
            t.written.clear();
            t.drop().toDeadline().accept(null);
            assertThat(t.commands()).containsExactly(CONNECT);
        }

        @Test
        @DisplayName("at most maxUnreceipted SENDs await their RECEIPT: the next is refused at once, and room is announced when one arrives")
        void windowByCount() {
            FakeTransport t = new FakeTransport(TWO, s -> {
                s.maxUnreceipted = 2;
                return s.atLeastOnce();
            }).connect();
            publish(t, "p-1", "a");
            publish(t, "p-2", "b");
            assertThatThrownBy(() -> publish(t, "p-3", "c")).isInstanceOf(StompBackpressureException.class)
                    .hasMessageContaining("maxUnreceipted");
            assertThat(t.rooms).isZero();
            t.receipt("p-1");
            assertThat(t.rooms).isEqualTo(1);
            assertThat(publish(t, "p-3", "c")).isNotDone();
        }

        @Test
        @DisplayName("the window counts body bytes too; a body larger than the window goes alone")
        void windowByBytes() {
            FakeTransport t = new FakeTransport(TWO, s -> {
                s.maxUnreceiptedBytes = 10;
                return s.atLeastOnce();
            }).connect();
            publish(t, "p-1", "123456");
            assertThatThrownBy(() -> publish(t, "p-2", "123456")).isInstanceOf(StompBackpressureException.class)
                    .hasMessageContaining("maxUnreceiptedBytes");
            t.receipt("p-1");
            publish(t, "p-2", "x".repeat(100));
            assertThatThrownBy(() -> publish(t, "p-3", "1")).isInstanceOf(StompBackpressureException.class);
        }

        @Test
        @DisplayName("a SEND the encoder refuses fails at once and takes no window place and no receipt")
        void refusedSend() {
            FakeTransport t = new FakeTransport(TWO, s -> {
                s.version = StompVersion.V1_0;
                s.maxUnreceipted = 1;
                return s.atLeastOnce();
            });
            t.engine.connect(t.now, ConnectionEngine.NONE);
            t.toDeadline();
            t.engine.opened(t.lastConn(), t.now);
            t.receive(StompFrame.builder(StompCommand.CONNECTED).build());
            StompFrame bad = Commands.send("/queue/a", new byte[0], Map.of("x", "line\nfeed"), "p-1");
            assertThatThrownBy(() -> t.engine.publish(bad, t.now, t.now)).isInstanceOf(StompProtocolException.class)
                    .hasMessageContaining("Cannot encode header");
            assertThatThrownBy(() -> t.engine.execute((s, rid) -> s.send(bad), null, true, false, t.now))
                    .isInstanceOf(StompProtocolException.class);
            assertThat(publish(t, "p-1", "fine")).isNotDone(); // the place and the receipt id are free
        }
    }

    @Nested
    @DisplayName("time: heart-beats, silence, stalls")
    class Time {
        @Test
        @DisplayName("a heart-beat goes out when nothing else was written for the negotiated period")
        void beats() {
            FakeTransport c = new FakeTransport(TWO, s -> {
                s.heartBeat = new HeartBeat(1000, 0);
                return s;
            });
            c.engine.connect(c.now, ConnectionEngine.NONE);
            c.toDeadline().accept("0,1000");
            c.written.clear();
            assertThat(c.engine.nextDeadline(c.now)).isEqualTo(c.now + Duration.ofMillis(1000).toNanos());
            c.toDeadline();
            assertThat(c.written).containsExactly((StompFrame) null);
            c.advance(Duration.ofMillis(500));
            subscribe(c, "s1"); // a frame counts as a beat
            c.advance(Duration.ofMillis(999));
            assertThat(c.written).hasSize(2);
            c.advance(Duration.ofMillis(1));
            assertThat(c.written).hasSize(3).last().isNull();
        }

        @Test
        @DisplayName("a server silent past grace x its period plus the error margin (500 ms at least) is a loss; paused reading suspends the check and restarts it on resume")
        void silence() {
            FakeTransport t = new FakeTransport(TWO, s -> {
                s.heartBeat = new HeartBeat(0, 1000);
                return s;
            });
            t.engine.connect(t.now, ConnectionEngine.NONE);
            t.toDeadline().accept("1000,0");
            t.engine.readingPaused(true, t.now);
            t.advance(Duration.ofSeconds(5));
            assertThat(t.engine.isConnected()).isTrue();
            t.engine.readingPaused(false, t.now);
            t.advance(Duration.ofMillis(2500));
            assertThat(t.engine.isConnected()).isTrue();
            t.advance(Duration.ofMillis(1));
            assertThat(t.engine.isConnected()).isFalse();
            assertThat(t.events).last().asString().contains("server silent for 2501 ms (heart-beat every 1000 ms, tolerated 2500 ms");
        }

        @Test
        @DisplayName("nextDeadline names the moment silence is due, margin included: a client that ticks only when told finds the loss")
        void silenceDeadline() {
            FakeTransport t = new FakeTransport(TWO, s -> {
                s.heartBeat = new HeartBeat(0, 1000);
                return s;
            });
            t.engine.connect(t.now, ConnectionEngine.NONE);
            t.toDeadline().accept("1000,0");
            long connectedAt = t.now;
            long due = connectedAt + Duration.ofMillis(2501).toNanos();
            // Asked inside the margin (past grace x period), and once it has passed, without a tick between.
            assertThat(t.engine.nextDeadline(connectedAt + Duration.ofMillis(2050).toNanos())).isEqualTo(due);
            assertThat(t.engine.nextDeadline(due + 5)).isLessThanOrEqualTo(due + 5);
            t.toDeadline();
            assertThat(t.engine.isConnected()).isFalse();
            assertThat(t.now).isEqualTo(due);
        }

        @Test
        @DisplayName("bytes handed out and not written for the write timeout end the connection")
        void stall() {
            FakeTransport t = new FakeTransport(TWO, s -> s).connect();
            t.autoWrite = false;
            subscribe(t, "s1");
            assertThat(t.engine.nextWrite()).isNotNull(); // taken, and then the write blocks
            t.advance(FakeTransport.WRITE_TIMEOUT);
            assertThat(t.engine.isConnected()).isTrue();
            t.advance(Duration.ofNanos(1));
            assertThat(t.engine.isConnected()).isFalse();
            assertThat(t.events).last().asString().contains("blocked for more than 5000 ms");
        }

        @Test
        @DisplayName("a slow writer that makes progress is not a stall")
        void slowIsNotStalled() {
            FakeTransport t = new FakeTransport(TWO, s -> s).connect();
            t.autoWrite = false;
            for (int i = 0; i < 10; i++) {
                subscribe(t, "s" + i);
            }
            for (int i = 0; i < 10; i++) {
                t.advance(Duration.ofSeconds(4));
                Outbound o = t.engine.nextWrite();
                t.engine.written(o, t.now);
            }
            assertThat(t.engine.isConnected()).isTrue();
        }

        @Test
        @DisplayName("past maxPendingWriteBytes a SEND is refused at once; room is announced once writes catch up")
        void writeBound() {
            FakeTransport t = new FakeTransport(TWO, s -> {
                s.maxPendingWriteBytes = 100;
                return s;
            }).connect();
            t.autoWrite = false;
            t.engine.requireWriteRoom();
            t.engine.execute((s, rid) -> s.send("/queue/a", new byte[200], Map.of(), rid), null, true, false, t.now);
            assertThatThrownBy(t.engine::requireWriteRoom).isInstanceOf(StompBackpressureException.class)
                    .hasMessageContaining("maxPendingWriteBytes");
            t.writeAll();
            t.pump();
            assertThat(t.rooms).isEqualTo(1);
            t.engine.requireWriteRoom();
        }
    }

    @Nested
    @DisplayName("disconnecting")
    class Disconnecting {
        @Test
        @DisplayName("DISCONNECT with a receipt; the RECEIPT completes it, closes the transport and ends the connection")
        void graceful() {
            FakeTransport t = new FakeTransport(TWO, s -> s).connect();
            CompletableFuture<Void> done = t.engine.disconnect(t.now);
            List<Integer> endsToldWhenDone = new ArrayList<>();
            done.thenRun(() -> endsToldWhenDone.add(t.ended.size()));
            assertThat(t.engine.state()).isEqualTo(ConnectionState.DISCONNECTING);
            t.engine.sendDisconnect(t.now);
            t.pump();
            StompFrame bye = t.lastWritten();
            assertThat(bye.command()).isEqualTo(DISCONNECT);
            t.receipt(bye.header("receipt"));
            assertThat(done).isCompleted();
            assertThat(t.closes).containsExactly(1);
            assertThat(t.ended).containsExactly((Throwable) null);
            assertThat(endsToldWhenDone).as("the end is told before the disconnect completes").containsExactly(1);
        }

        @Test
        @DisplayName("a DISCONNECT reported written only after its RECEIPT was read still counts as a frame sent")
        void writtenAfterTheEnd() {
            List<StompCommand> sent = new ArrayList<>();
            FakeTransport t = new FakeTransport(TWO, s -> {
                s.metrics = new dev.stompbox.protocol.metrics.StompMetrics() {
                    @Override
                    public void frameSent(StompCommand command, int bytes) {
                        sent.add(command);
                    }
                };
                return s;
            }).connect();
            t.engine.disconnect(t.now);
            t.engine.sendDisconnect(t.now);
            Outbound bye = t.engine.nextWrite(); // a writer takes it, and reports back late
            t.receipt(bye.frame().header("receipt"));
            assertThat(t.engine.state()).isEqualTo(ConnectionState.DISCONNECTED);
            t.engine.written(bye, t.now);
            assertThat(sent).endsWith(StompCommand.DISCONNECT);
        }

        @Test
        @DisplayName("messages still arriving while disconnecting are not handed out, and do not hold up the RECEIPT")
        void messagesDuringDisconnect() {
            FakeTransport t = new FakeTransport(TWO, s -> s).connect();
            subscribe(t, "s1");
            t.engine.disconnect(t.now);
            t.engine.sendDisconnect(t.now);
            t.pump();
            String bye = t.lastWritten().header("receipt");
            for (int i = 0; i < 100; i++) {
                t.message("s1", "m-" + i, "x");
            }
            t.receipt(bye);
            assertThat(t.delivered).isEmpty();
            assertThat(t.engine.state()).isEqualTo(ConnectionState.DISCONNECTED);
        }

        @Test
        @DisplayName("messages never handed out before a disconnect are counted: lost under ack auto, redelivered otherwise")
        void unhandedMessagesCounted() {
            List<String> unhanded = new ArrayList<>();
            FakeTransport t = new FakeTransport(TWO, s -> {
                s.metrics = new dev.stompbox.protocol.metrics.StompMetrics() {
                    @Override
                    public void messagesUnhanded(int count, boolean lost) {
                        unhanded.add(count + (lost ? " lost" : " redelivered"));
                    }
                };
                return s;
            }).connect();
            subscribe(t, "acked");
            t.engine.execute((s, rid) -> s.subscribe("/queue/b", Map.of("id", "auto"), rid, null).frame(), null, true, false, t.now);
            t.pump();
            t.message("acked", "m-1", "x");
            t.message("auto", "m-2", "x");
            t.message("auto", "m-3", "x");
            assertThat(t.delivered).hasSize(3);
            t.engine.disconnect(t.now);
            // The client drops what it holds unhanded (an inbox, a dispatcher's queue) and says so.
            t.engine.unhanded(t.delivered);
            assertThat(unhanded).containsExactly("2 lost", "1 redelivered");
            t.engine.sendDisconnect(t.now);
            t.pump();
            String bye = t.lastWritten().header("receipt");
            // Messages the broker sends on meanwhile are not handed out, and are counted as they come.
            t.message("auto", "m-4", "x");
            t.message("acked", "m-5", "x");
            t.message("unknown", "m-6", "x");
            assertThat(unhanded).containsExactly("2 lost", "1 redelivered", "1 lost", "1 redelivered", "1 redelivered");
            t.receipt(bye);
            assertThat(t.delivered).hasSize(3);
            assertThat(t.engine.state()).isEqualTo(ConnectionState.DISCONNECTED);
            t.engine.unhanded(List.of());
            assertThat(unhanded).as("nothing dropped, nothing counted").hasSize(5);
        }

        @Test
        @DisplayName("a close during a graceful disconnect still says what the disconnect dropped unhanded, lost ones as a warning")
        void closeDuringADisconnectSaysWhatItDropped() {
            List<String> warnings = new ArrayList<>();
            EngineLog.Sink ignored = (m, a) -> { };
            FakeTransport t = new FakeTransport(TWO, s -> {
                s.log = EngineLog.of(() -> false, ignored, ignored, (m, a) -> warnings.add(m.replace("{}", String.valueOf(a[0]))), ignored);
                return s;
            }).connect();
            t.engine.execute((s, rid) -> s.subscribe("/queue/b", Map.of("id", "auto"), rid, null).frame(), null, true, false, t.now);
            t.pump();
            t.message("auto", "m-1", "x");
            t.message("auto", "m-2", "x");
            t.engine.disconnect(t.now);
            t.engine.unhanded(t.delivered); // said when the disconnect is done
            assertThat(warnings).isEmpty();
            t.engine.close(t.now); // ... which a close ends first
            assertThat(warnings).singleElement().asString().startsWith("2 message(s) under ack auto").contains("they are lost");
        }

        @Test
        @DisplayName("the whole disconnect, waiting for handlers included, is bounded by one disconnect timeout")
        void bounded() {
            FakeTransport t = new FakeTransport(TWO, s -> s).connect();
            CompletableFuture<Void> done = t.engine.disconnect(t.now);
            t.advance(Duration.ofSeconds(6)); // handlers still running: DISCONNECT not sent yet
            assertThat(t.commands()).doesNotContain(DISCONNECT);
            t.advance(Duration.ofSeconds(4)); // the deadline: DISCONNECT goes out anyway
            assertThat(t.commands()).contains(DISCONNECT);
            t.toDeadline();
            assertThat(failure(done)).isInstanceOf(StompReceiptTimeoutException.class);
            assertThat(t.now - 1_000_000_000L).isLessThanOrEqualTo(FakeTransport.DISCONNECT_TIMEOUT.toNanos() + 1);
            assertThat(t.engine.state()).isEqualTo(ConnectionState.DISCONNECTED);
        }

        @Test
        @DisplayName("acks still go out while a graceful disconnect waits for handlers; new SENDs do not")
        void settlingWhileDisconnecting() {
            FakeTransport t = new FakeTransport(TWO, s -> s).connect();
            subscribe(t, "s1");
            t.message("s1", "m-1", "x");
            t.engine.disconnect(t.now);
            t.engine.settle(t.delivered.get(0), false, null, null, t.now);
            t.pump();
            assertThat(t.lastWritten().command()).isEqualTo(StompCommand.ACK);
            assertThatThrownBy(() -> t.engine.execute((s, rid) -> s.send("/queue/a", new byte[0], Map.of(), rid), null, true, false, t.now))
                    .isInstanceOf(StompConnectionException.class);
        }
    }

    @Test
    @DisplayName("transactions belong to their connection: one begun before a reconnect is refused after it")
    void transactionsBelongToTheirConnection() {
        FakeTransport t = new FakeTransport(TWO, s -> s.autoReconnect()).connect();
        long began = t.engine.epoch();
        t.engine.requireEpoch("tx-0", began);
        t.drop().toDeadline().accept(null);
        assertThatThrownBy(() -> t.engine.requireEpoch("tx-0", began)).isInstanceOf(StompConnectionException.class)
                .hasMessageContaining("lost with the connection it began on");
    }
}
