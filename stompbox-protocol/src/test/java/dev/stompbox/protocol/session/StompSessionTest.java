package dev.stompbox.protocol.session;

import dev.stompbox.protocol.HeartBeat;
import dev.stompbox.protocol.StompCommand;
import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.StompProtocolException;
import dev.stompbox.protocol.StompVersion;
import dev.stompbox.protocol.commands.ConnectOptions;
import dev.stompbox.protocol.commands.Subscribe;
import dev.stompbox.protocol.commands.SubscriptionToken;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.stompbox.protocol.StompVersion.V1_0;
import static dev.stompbox.protocol.StompVersion.V1_1;
import static dev.stompbox.protocol.StompVersion.V1_2;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StompSessionTest {

    private static StompFrame connected(String version, String heartBeat) {
        StompFrame.Builder b = StompFrame.builder(StompCommand.CONNECTED).header("version", version)
                .header("session", "sess-1").header("server", "test/1");
        if (heartBeat != null) {
            b.header("heart-beat", heartBeat);
        }
        return b.build();
    }

    private static StompSession connectedSession(StompVersion version) {
        StompSession session = new StompSession(version);
        session.connect();
        session.connected(connected(version.text(), null));
        return session;
    }

    private static StompFrame message(String subscription, String messageId) {
        return StompFrame.builder(StompCommand.MESSAGE).header("destination", "/queue/a").header("subscription", subscription)
                .header("message-id", messageId).header("ack", "ack-" + messageId).build();
    }

    @Nested
    @DisplayName("connecting")
    class Connecting {
        @Test
        @DisplayName("negotiates version, session id and server")
        void negotiates() {
            StompSession session = new StompSession();
            StompFrame connect = session.connect(ConnectOptions.builder().host("/").build());
            assertThat(connect.header("accept-version")).isEqualTo("1.0,1.1,1.2");
            assertThat(session.state()).isEqualTo(SessionState.CONNECTING);
            session.connected(connected("1.1", null));
            assertThat(session.version()).isEqualTo(V1_1);
            assertThat(session.id()).isEqualTo("sess-1");
            assertThat(session.server()).isEqualTo("test/1");
            assertThat(session.state()).isEqualTo(SessionState.CONNECTED);
            assertThat(session.toString()).contains("connected", "1.1");
        }

        @Test
        @DisplayName("STOMP frame works like CONNECT; offered versions are what CONNECTED is checked against")
        void stompFrame() {
            StompSession session = new StompSession(V1_2);
            StompFrame stomp = session.stomp(ConnectOptions.builder().versions(V1_1).build());
            assertThat(stomp.command()).isEqualTo(StompCommand.STOMP);
            assertThatThrownBy(() -> session.connected(connected("1.2", null))).isInstanceOf(StompProtocolException.class)
                    .hasMessageContaining("not offered");
        }

        @Test
        @DisplayName("with check on, commands in the wrong state are refused")
        void checkedStates() {
            StompSession session = new StompSession();
            assertThatThrownBy(() -> session.send("/q", null, null, null)).isInstanceOf(StompProtocolException.class)
                    .hasMessage("Cannot handle SEND in state disconnected (expected connected)");
            assertThatThrownBy(() -> session.connected(connected("1.2", null))).isInstanceOf(StompProtocolException.class);
            assertThatThrownBy(() -> session.message(message("0", "1"))).isInstanceOf(StompProtocolException.class)
                    .hasMessageContaining("expected one of");
            session.connect();
            assertThatThrownBy(session::connect).isInstanceOf(StompProtocolException.class);
            assertThatThrownBy(session::disconnect).isInstanceOf(StompProtocolException.class);
        }

        @Test
        @DisplayName("with check off, anything goes")
        void uncheckedStates() {
            StompSession session = new StompSession(V1_2, false);
            assertThat(session.check()).isFalse();
            assertThat(session.send("/q", null, null, null).command()).isEqualTo(StompCommand.SEND);
            assertThat(session.receipt(StompFrame.builder(StompCommand.RECEIPT).header("receipt-id", "nobody-asked").build()))
                    .isEqualTo("nobody-asked");
        }

        @Test
        @DisplayName("disconnect with receipt, then close resets everything tied to the connection")
        void disconnectAndClose() {
            StompSession session = connectedSession(V1_2);
            session.begin("t1", null);
            StompFrame bye = session.disconnect("bye");
            assertThat(bye.header("receipt")).isEqualTo("bye");
            assertThat(session.state()).isEqualTo(SessionState.DISCONNECTING);
            assertThat(session.receipt(StompFrame.builder(StompCommand.RECEIPT).header("receipt-id", "bye").build())).isEqualTo("bye");
            session.close();
            assertThat(session.state()).isEqualTo(SessionState.DISCONNECTED);
            assertThat(session.id()).isNull();
            assertThat(session.server()).isNull();
            assertThat(session.transactions()).isEmpty();
            assertThat(session.pendingReceipts()).isEmpty();
        }
    }

    @Nested
    @DisplayName("heart-beats against an injected clock")
    class HeartBeats {
        private StompSession session(String serverBeat, HeartBeat offer) {
            StompSession s = new StompSession(V1_2);
            s.connect(ConnectOptions.builder().heartBeat(offer).build());
            s.connected(connected("1.2", serverBeat));
            return s;
        }

        @Test
        @DisplayName("negotiation: max of the two when both non-zero, else none")
        void negotiation() {
            StompSession s = session("5000,20000", new HeartBeat(10000, 1000));
            assertThat(s.clientHeartBeat()).isEqualTo(20000);
            assertThat(s.serverHeartBeat()).isEqualTo(5000);
            StompSession none = session("0,0", new HeartBeat(10000, 10000));
            assertThat(none.clientHeartBeat()).isZero();
            assertThat(none.serverHeartBeat()).isZero();
            StompSession missing = session(null, new HeartBeat(10000, 10000));
            assertThat(missing.clientHeartBeat()).isZero();
        }

        @Test
        @DisplayName("a 1.0 server means no heart-beats, whatever was offered")
        void noBeatsIn10() {
            StompSession s = new StompSession(V1_2);
            s.connect(ConnectOptions.builder().heartBeat(new HeartBeat(1000, 1000)).build());
            s.connected(StompFrame.builder(StompCommand.CONNECTED).header("heart-beat", "1000,1000").build());
            assertThat(s.version()).isEqualTo(V1_0);
            assertThat(s.clientHeartBeat()).isZero();
            assertThat(s.millisUntilBeat(0)).isEqualTo(Long.MAX_VALUE);
            assertThatThrownBy(s::beat).isInstanceOf(StompProtocolException.class);
        }

        @Test
        @DisplayName("the client beat is due one period after the last data sent")
        void clientBeatDue() {
            StompSession s = session("0,1000", new HeartBeat(1000, 0));
            assertThat(s.clientHeartBeat()).isEqualTo(1000);
            assertThat(s.beatDue(5)).as("nothing sent yet").isTrue();
            s.sent(10_000);
            assertThat(s.lastSent()).isEqualTo(10_000);
            assertThat(s.beatDue(10_999)).isFalse();
            assertThat(s.millisUntilBeat(10_400)).isEqualTo(600);
            assertThat(s.beatDue(11_000)).isTrue();
            assertThat(s.beat()).containsExactly('\n');
            s.sent(11_000);
            assertThat(s.beatDue(11_500)).isFalse();
        }

        @Test
        @DisplayName("the server is overdue after grace × its period of silence (default 2×) plus the error margin (a tenth of the period, at least 500 ms)")
        void serverOverdue() {
            StompSession s = session("1000,0", new HeartBeat(0, 1000));
            assertThat(s.serverHeartBeat()).isEqualTo(1000);
            assertThat(s.serverOverdue(1_000_000)).as("nothing received yet: cannot judge").isFalse();
            s.received(50_000);
            assertThat(s.lastReceived()).isEqualTo(50_000);
            assertThat(s.serverOverdue(52_500)).isFalse();
            assertThat(s.millisUntilServerOverdue(51_000)).isEqualTo(1501);
            assertThat(s.serverOverdue(52_501)).isTrue();
            s.received(52_501);
            assertThat(s.serverOverdue(52_502)).isFalse();
            s.graceFactor(1.5);
            assertThat(s.graceFactor()).isEqualTo(1.5);
            assertThat(s.serverOverdue(54_501)).isFalse();
            assertThat(s.serverOverdue(54_502)).isTrue();
            assertThatThrownBy(() -> s.graceFactor(0.5)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> s.graceFactor(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        @DisplayName("the tolerated silence: 2,500 ms at 1 s, 21,000 ms at 10 s, 900 ms at 200 ms")
        void toleratedSilence() {
            assertThat(StompSession.toleratedSilence(1_000)).isEqualTo(2_500);
            assertThat(StompSession.toleratedSilence(10_000)).isEqualTo(21_000);
            assertThat(StompSession.toleratedSilence(200)).isEqualTo(900);
            assertThat(StompSession.toleratedSilence(1_000, 3.0)).isEqualTo(3_500);
            assertThat(StompSession.errorMargin(60_000)).isEqualTo(6_000);
        }

        @Test
        @DisplayName("no beats are due or overdue once disconnected")
        void nothingDueWhenDisconnected() {
            StompSession s = session("1000,1000", new HeartBeat(1000, 1000));
            s.received(0);
            s.close(false);
            assertThat(s.beatDue(100_000)).isFalse();
            assertThat(s.serverOverdue(100_000)).isFalse();
            assertThat(s.lastReceived()).isEqualTo(-1);
        }
    }

    @Nested
    @DisplayName("subscriptions")
    class Subscriptions {
        @Test
        @DisplayName("subscribe returns a token; message() finds the subscription and its context")
        void subscribeAndMatch() {
            StompSession session = connectedSession(V1_2);
            Subscribe sub = session.subscribe("/queue/a", Map.of("ack", "client-individual"), null, "ctx-a");
            assertThat(sub.frame().header("id")).isNotNull();
            Optional<SessionSubscription> s = session.message(message(sub.token().value(), "1"));
            assertThat(s).isPresent();
            assertThat(s.get().context()).isEqualTo("ctx-a");
            assertThat(session.subscription(sub.token()).map(SessionSubscription::destination)).contains("/queue/a");
        }

        @Test
        @DisplayName("a MESSAGE for an unknown subscription is reported as empty, not as an error")
        void unknownSubscription() {
            StompSession session = connectedSession(V1_2);
            Subscribe sub = session.subscribe("/queue/a", null, null, null);
            session.unsubscribe(sub.token(), null);
            assertThat(session.message(message(sub.token().value(), "1"))).isEmpty();
            assertThatThrownBy(() -> session.unsubscribe(sub.token(), null)).isInstanceOf(StompProtocolException.class)
                    .hasMessageContaining("Unknown subscription");
        }

        @Test
        @DisplayName("generated ids are unique; a given id is kept; subscribing the same id twice is an error")
        void ids() {
            StompSession session = connectedSession(V1_2);
            session.subscribe("/queue/x", Map.of("id", "1"), null, null);
            Subscribe a = session.subscribe("/queue/a", null, null, null);
            Subscribe b = session.subscribe("/queue/b", null, null, null);
            assertThat(List.of("1", a.token().value(), b.token().value())).doesNotHaveDuplicates();
            assertThatThrownBy(() -> session.subscribe("/queue/y", Map.of("id", "1"), null, null))
                    .isInstanceOf(StompProtocolException.class).hasMessageContaining("Already subscribed");
        }

        @Test
        @DisplayName("1.0 subscriptions without id are known by destination")
        void stomp10() {
            StompSession session = connectedSession(V1_0);
            Subscribe sub = session.subscribe("/queue/a", null, null, null);
            assertThat(sub.token()).isEqualTo(SubscriptionToken.ofDestination("/queue/a"));
            StompFrame msg = StompFrame.builder(StompCommand.MESSAGE).header("destination", "/queue/a").header("message-id", "7").build();
            assertThat(session.message(msg)).isPresent();
            assertThat(session.ack(msg, null).header("message-id")).isEqualTo("7");
            assertThatThrownBy(() -> session.nack(msg, null)).isInstanceOf(StompProtocolException.class);
        }

        @Test
        @DisplayName("1.0: a MESSAGE without subscription header matches a subscription with id by destination")
        void stomp10MessageWithoutSubscriptionHeader() {
            StompSession session = connectedSession(V1_0);
            session.subscribe("/queue/other", Map.of("id", "x"), null, "other");
            session.subscribe("/queue/a", Map.of("id", "7"), null, "ctx");
            StompFrame msg = StompFrame.builder(StompCommand.MESSAGE).header("destination", "/queue/a").header("message-id", "1").build();
            assertThat(session.message(msg).map(SessionSubscription::context)).contains("ctx");
            StompFrame nowhere = StompFrame.builder(StompCommand.MESSAGE).header("destination", "/queue/z").header("message-id", "2").build();
            assertThat(session.message(nowhere)).isEmpty();
        }

        @Test
        @DisplayName("close(false) keeps subscriptions; replay() returns them in order, with ids, and flushes them")
        void replayAfterReconnect() {
            StompSession session = connectedSession(V1_2);
            Subscribe a = session.subscribe("/queue/a", Map.of("ack", "client"), "r-a", "A");
            Subscribe b = session.subscribe("/queue/b", null, null, "B");
            session.close(false);
            session.connect();
            session.connected(connected("1.2", null));
            List<SessionSubscription> replay = session.replay();
            assertThat(replay).extracting(SessionSubscription::destination).containsExactly("/queue/a", "/queue/b");
            assertThat(session.subscriptions()).isEmpty();
            for (SessionSubscription s : replay) {
                Subscribe again = session.subscribe(s.destination(), s.headers(), null, s.context());
                assertThat(again.token()).isIn(a.token(), b.token());
                assertThat(again.frame().header("ack")).isEqualTo(s.headers().get("ack"));
            }
            assertThat(replay.get(0).receipt()).isEqualTo("r-a");
            assertThat(session.message(message(a.token().value(), "1")).map(SessionSubscription::context)).contains("A");
            assertThat(session.subscriptions()).hasSize(2);
        }

        @Test
        @DisplayName("refused(receipt) forgets the subscription whose SUBSCRIBE asked for it, and only that one: it is not replayed")
        void refusedSubscription() {
            StompSession session = connectedSession(V1_2);
            session.subscribe("/queue/a", Map.of("id", "a"), "r-a", null);
            session.subscribe("/queue/b", Map.of("id", "b"), "r-b", null);
            assertThat(session.subscribedWith("r-b")).map(s -> s.token().value()).contains("b");
            assertThat(session.refused("r-b")).map(s -> s.token().value()).contains("b");
            assertThat(session.subscribedWith("r-b")).isEmpty();
            assertThat(session.pendingReceipts()).containsExactly("r-a");
            assertThat(session.refused("r-x")).isEmpty();
            session.close(false);
            assertThat(session.replay()).extracting(s -> s.token().value()).containsExactly("a");
        }

        @Test
        @DisplayName("close() (flush) forgets subscriptions: nothing to replay")
        void closeFlushes() {
            StompSession session = connectedSession(V1_2);
            session.subscribe("/queue/a", null, null, null);
            session.close();
            assertThat(session.replay()).isEmpty();
        }

        @Test
        void messagesStillArriveWhileDisconnecting() {
            StompSession session = connectedSession(V1_2);
            Subscribe sub = session.subscribe("/queue/a", null, null, null);
            session.disconnect("d");
            assertThat(session.message(message(sub.token().value(), "9"))).isPresent();
        }
    }

    @Nested
    @DisplayName("transactions and receipts")
    class TransactionsAndReceipts {
        @Test
        @DisplayName("begin twice, commit or abort an unknown transaction are errors")
        void transactionRules() {
            StompSession session = connectedSession(V1_2);
            assertThat(session.begin("t1", null).header("transaction")).isEqualTo("t1");
            assertThatThrownBy(() -> session.begin("t1", null)).isInstanceOf(StompProtocolException.class)
                    .hasMessage("Transaction already active: t1");
            assertThat(session.transactions()).containsExactly("t1");
            session.commit("t1", null);
            assertThatThrownBy(() -> session.commit("t1", null)).isInstanceOf(StompProtocolException.class)
                    .hasMessage("Transaction unknown: t1 (cannot COMMIT)");
            assertThatThrownBy(() -> session.abort("nope", null)).isInstanceOf(StompProtocolException.class)
                    .hasMessage("Transaction unknown: nope (cannot ABORT)");
        }

        @Test
        @DisplayName("generated transaction ids are unique; abort ends the transaction")
        void generatedIds() {
            StompSession session = connectedSession(V1_2);
            String t1 = session.begin(null, null).header("transaction");
            String t2 = session.begin(null, null).header("transaction");
            assertThat(t1).isNotEqualTo(t2);
            assertThat(session.transaction("mine")).isEqualTo("mine");
            assertThat(session.abort(t1, "r").command()).isEqualTo(StompCommand.ABORT);
            assertThat(session.transactions()).containsExactly(t2);
        }

        @Test
        @DisplayName("an ACK of a message in an active transaction carries it")
        void ackInTransaction() {
            StompSession session = connectedSession(V1_2);
            session.begin("t1", null);
            StompFrame msg = message("0", "1").withHeader("transaction", "t1");
            assertThat(session.ack(msg, null).header("transaction")).isEqualTo("t1");
            assertThat(session.nack(msg, null).header("transaction")).isEqualTo("t1");
            session.commit("t1", null);
            assertThat(session.ack(msg, null).header("transaction")).isNull();
        }

        @Test
        @DisplayName("receipts asked for are tracked; an unexpected one is an error; a duplicate id is refused")
        void receipts() {
            StompSession session = connectedSession(V1_2);
            session.send("/q", new byte[] {1}, null, "r1");
            Subscribe sub = session.subscribe("/queue/a", null, "r2", null);
            session.unsubscribe(sub.token(), "r3");
            session.begin("t", "r4");
            session.ack(message("0", "1"), "r5");
            assertThat(session.pendingReceipts()).containsExactly("r1", "r2", "r3", "r4", "r5");
            assertThat(session.receipt(StompFrame.builder(StompCommand.RECEIPT).header("receipt-id", "r3").build())).isEqualTo("r3");
            assertThat(session.pendingReceipts()).containsExactly("r1", "r2", "r4", "r5");
            assertThatThrownBy(() -> session.receipt(StompFrame.builder(StompCommand.RECEIPT).header("receipt-id", "r3").build()))
                    .isInstanceOf(StompProtocolException.class).hasMessage("Unexpected receipt: r3");
            assertThatThrownBy(() -> session.send("/q", null, null, "r1")).isInstanceOf(StompProtocolException.class)
                    .hasMessage("Receipt already pending: r1");
        }

        @Test
        @DisplayName("a cancelled receipt is no longer pending, and arriving late it is unexpected")
        void cancelReceipt() {
            StompSession session = connectedSession(V1_2);
            session.send("/q", null, null, "r1");
            assertThat(session.cancelReceipt("r1")).isTrue();
            assertThat(session.cancelReceipt("r1")).isFalse();
            assertThat(session.pendingReceipts()).isEmpty();
            assertThatThrownBy(() -> session.receipt(StompFrame.builder(StompCommand.RECEIPT).header("receipt-id", "r1").build()))
                    .isInstanceOf(StompProtocolException.class).hasMessage("Unexpected receipt: r1");
        }

        @Test
        @DisplayName("send(frame) accepts a caller-built SEND and tracks its receipt")
        void sendFrame() {
            StompSession session = connectedSession(V1_2);
            StompFrame f = StompFrame.builder(StompCommand.SEND).header("destination", "/q").header("receipt", "rx")
                    .bodyWithoutCopy(new byte[] {1, 2, 3}).build();
            assertThat(session.send(f)).isSameAs(f);
            assertThat(session.pendingReceipts()).containsExactly("rx");
            assertThatThrownBy(() -> session.send(StompFrame.of(StompCommand.SEND))).isInstanceOf(StompProtocolException.class);
            assertThatThrownBy(() -> session.send(StompFrame.of(StompCommand.ACK))).isInstanceOf(StompProtocolException.class);
        }
    }

    @Nested
    @DisplayName("at-least-once publishing")
    class AtLeastOnce {
        private StompFrame receipt(String id) {
            return StompFrame.builder(StompCommand.RECEIPT).header("receipt-id", id).build();
        }

        private List<String> ids(List<StompFrame> frames) {
            return frames.stream().map(f -> f.header("receipt")).toList();
        }

        private void reconnect(StompSession session) {
            session.close(false);
            session.connect();
            session.connected(connected("1.2", null));
        }

        @Test
        @DisplayName("unreceipted SENDs survive a lost connection and come back in order, with their receipt ids, tracked again")
        void resendsInOrder() {
            StompSession session = connectedSession(V1_2).atLeastOnce(true);
            session.send("/queue/a", new byte[]{1}, Map.of(), "r1");
            session.send("/queue/a", new byte[]{2}, Map.of(), "r2");
            session.send("/queue/a", new byte[]{3}, Map.of(), "r3");
            session.receipt(receipt("r2"));
            assertThat(session.unreceiptedCount()).isEqualTo(2);

            reconnect(session);
            assertThat(session.pendingReceipts()).isEmpty();
            List<StompFrame> again = session.resend();
            assertThat(ids(again)).containsExactly("r1", "r3");
            assertThat(again.get(1).body()).containsExactly(3);
            assertThat(session.pendingReceipts()).containsExactly("r1", "r3");

            session.receipt(receipt("r1"));
            session.receipt(receipt("r3"));
            assertThat(session.unreceiptedCount()).isZero();
            assertThat(session.resend()).isEmpty();
        }

        @Test
        @DisplayName("SENDs made while reconnecting queue behind the unreceipted ones")
        void queuedWhileDisconnected() {
            StompSession session = connectedSession(V1_2).atLeastOnce(true);
            session.send("/queue/a", null, Map.of(), "old");
            session.close(false);
            session.queue(StompFrame.builder(StompCommand.SEND).header("destination", "/queue/a").header("receipt", "new").build());
            assertThatThrownBy(() -> session.queue(StompFrame.builder(StompCommand.SEND).header("destination", "/queue/a")
                    .header("receipt", "new").build())).isInstanceOf(StompProtocolException.class).hasMessageContaining("already pending");
            session.connect();
            session.connected(connected("1.2", null));
            assertThat(ids(session.resend())).containsExactly("old", "new");
        }

        @Test
        @DisplayName("transactional SENDs, SENDs without a receipt and non-SEND frames are never kept")
        void onlyPlainReceiptedSends() {
            StompSession session = connectedSession(V1_2).atLeastOnce(true);
            String tx = session.begin(null, null).header("transaction");
            session.send("/queue/a", null, Map.of("transaction", tx), "in-tx");
            session.send("/queue/a", null, Map.of(), null);
            session.subscribe("/queue/a", Map.of(), "sub", null);
            assertThat(session.unreceiptedCount()).isZero();
            assertThat(StompSession.resendable(StompFrame.builder(StompCommand.SEND).header("receipt", "x")
                    .header("transaction", "t").build())).isFalse();
            session.close(false);
            assertThatThrownBy(() -> session.queue(StompFrame.builder(StompCommand.SEND).header("destination", "/q")
                    .header("receipt", "x").header("transaction", "t").build()))
                    .isInstanceOf(StompProtocolException.class).hasMessageContaining("no transaction");
        }

        @Test
        @DisplayName("a cancelled receipt (timed out, refused) is not re-sent; dropping returns what was kept")
        void cancelAndDrop() {
            StompSession session = connectedSession(V1_2).atLeastOnce(true);
            session.send("/queue/a", null, Map.of(), "r1");
            session.send("/queue/a", null, Map.of(), "r2");
            session.close(false);
            assertThat(session.cancelReceipt("r1")).isTrue();
            assertThat(session.isKept("r1")).isFalse();
            assertThat(session.isKept("r2")).isTrue();
            assertThat(session.dropUnreceipted()).containsExactly("r2");
            assertThat(session.unreceiptedCount()).isZero();
        }

        @Test
        @DisplayName("off by default; close(true) and turning it off forget the kept SENDs; queueing needs it on")
        void offAndFlush() {
            StompSession plain = connectedSession(V1_2);
            plain.send("/queue/a", null, Map.of(), "r1");
            assertThat(plain.unreceiptedCount()).isZero();
            assertThatThrownBy(() -> plain.queue(StompFrame.builder(StompCommand.SEND).header("destination", "/q")
                    .header("receipt", "x").build())).isInstanceOf(StompProtocolException.class).hasMessageContaining("off");

            StompSession session = connectedSession(V1_2).atLeastOnce(true);
            session.send("/queue/a", null, Map.of(), "r1");
            session.close(true);
            assertThat(session.unreceiptedCount()).isZero();
            session.connect();
            session.connected(connected("1.2", null));
            session.send("/queue/a", null, Map.of(), "r2");
            session.atLeastOnce(false);
            assertThat(session.unreceiptedCount()).isZero();
            assertThat(session.toString()).doesNotContain("unreceipted");
        }

        @Test
        @DisplayName("resend needs a connected session")
        void resendNeedsConnection() {
            StompSession session = connectedSession(V1_2).atLeastOnce(true);
            session.close(false);
            assertThatThrownBy(session::resend).isInstanceOf(StompProtocolException.class).hasMessageContaining("state disconnected");
        }
    }
}
