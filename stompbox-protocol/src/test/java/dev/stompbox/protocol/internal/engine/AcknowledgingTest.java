package dev.stompbox.protocol.internal.engine;

import dev.stompbox.protocol.StompCommand;
import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.internal.engine.ConnectionEngine.AckCheck;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** Which messages an ACK or NACK settles, as both clients ask the engine, and what settling costs. */
class AcknowledgingTest {
    private static FakeTransport subscribed(String... idsAndAckModes) {
        FakeTransport t = new FakeTransport("tcp://a:61613", s -> s).connect();
        for (int i = 0; i < idsAndAckModes.length; i += 2) {
            String id = idsAndAckModes[i];
            String ack = idsAndAckModes[i + 1];
            t.engine.execute((s, rid) -> s.subscribe("/queue/" + id, Map.of("id", id, "ack", ack), rid, null).frame(), null, true, false, t.now);
        }
        t.pump();
        return t;
    }

    /** The MESSAGE delivered for {@code subscription}, handed out to the application. */
    private static Delivery handedOut(FakeTransport t, String subscription, String id) {
        t.message(subscription, id, "x");
        Delivery d = t.delivered.get(t.delivered.size() - 1);
        t.engine.handedOut(d);
        return d;
    }

    private static List<AckCheck> checks(FakeTransport t, Delivery... ds) {
        return java.util.Arrays.stream(ds).map(d -> t.engine.ackCheck(d.frame())).toList();
    }

    @Test
    @DisplayName("under ack client-individual an ACK settles its own message only")
    void individual() {
        FakeTransport t = subscribed("s1", "client-individual");
        Delivery m1 = handedOut(t, "s1", "m-1");
        Delivery m2 = handedOut(t, "s1", "m-2");
        Delivery m3 = handedOut(t, "s1", "m-3");
        t.engine.settle(m2, false, null, null, t.now);
        assertThat(checks(t, m1, m2, m3)).containsExactly(AckCheck.OK, AckCheck.NOT_AWAITING, AckCheck.OK);
        t.engine.settle(m3, true, null, null, t.now);
        assertThat(checks(t, m1, m2, m3)).containsExactly(AckCheck.OK, AckCheck.NOT_AWAITING, AckCheck.NOT_AWAITING);
        t.pump();
        assertThat(t.written).extracting(StompFrame::command).containsSubsequence(StompCommand.ACK, StompCommand.NACK);
    }

    @Test
    @DisplayName("under ack client an ACK settles the earlier messages of its subscription too, and none of another's")
    void cumulative() {
        FakeTransport t = subscribed("s1", "client", "s2", "client");
        Delivery a1 = handedOut(t, "s1", "a-1");
        Delivery b1 = handedOut(t, "s2", "b-1");
        Delivery a2 = handedOut(t, "s1", "a-2");
        Delivery b2 = handedOut(t, "s2", "b-2");
        Delivery a3 = handedOut(t, "s1", "a-3");
        t.engine.settle(a2, false, null, null, t.now);
        assertThat(checks(t, a1, a2, a3, b1, b2))
                .containsExactly(AckCheck.NOT_AWAITING, AckCheck.NOT_AWAITING, AckCheck.OK, AckCheck.OK, AckCheck.OK);
        t.engine.settle(b2, true, null, null, t.now); // a NACK is cumulative as well
        assertThat(checks(t, a3, b1, b2)).containsExactly(AckCheck.OK, AckCheck.NOT_AWAITING, AckCheck.NOT_AWAITING);
    }

    @Test
    @DisplayName("under ack client the messages settled are those read before, whatever order they were handed out in")
    void cumulativeByReadOrder() {
        FakeTransport t = subscribed("s1", "client");
        t.message("s1", "m-1", "x").message("s1", "m-2", "x").message("s1", "m-3", "x");
        Delivery m1 = t.delivered.get(0);
        Delivery m2 = t.delivered.get(1);
        Delivery m3 = t.delivered.get(2);
        t.engine.handedOut(m3);
        t.engine.handedOut(m1);
        t.engine.handedOut(m2);
        t.engine.settle(m2, false, null, null, t.now);
        assertThat(checks(t, m1, m2, m3)).containsExactly(AckCheck.NOT_AWAITING, AckCheck.NOT_AWAITING, AckCheck.OK);
    }

    @Test
    @DisplayName("messages settled before a loss are not in the reconnect report; those awaiting are")
    void reportedUnacked() {
        FakeTransport t = new FakeTransport("failover:(tcp://a:61613,tcp://b:61613)", s -> s.autoReconnect()).connect();
        t.engine.execute((s, rid) -> s.subscribe("/queue/a", Map.of("id", "s1", "ack", "client"), rid, null).frame(), null, true, false, t.now);
        t.pump();
        Delivery m1 = handedOut(t, "s1", "m-1");
        Delivery m2 = handedOut(t, "s1", "m-2");
        Delivery m3 = handedOut(t, "s1", "m-3");
        t.engine.settle(m2, false, null, null, t.now);
        t.drop().toDeadline().accept(null);
        assertThat(t.reconnections.get(0).unacked()).containsExactly(m3.frame());
        assertThat(checks(t, m1, m3)).containsExactly(AckCheck.NOT_AWAITING, AckCheck.EARLIER_CONNECTION);
    }

    /*
     * Settling used to walk every message awaiting an ack, so an application that took many messages
     * and then acked them one by one did quadratic work on the connection's thread: 40 000 messages
     * took 11 s there, 100 000 over a minute; now well under a second. The bound is two orders of
     * magnitude above the work, so that it fails only for a walk per ack, never for a slow machine.
     */
    @Test
    @DisplayName("acking 100 000 messages one by one does not walk the others each time, under either ack mode")
    void settlingCostsTheSameHoweverManyWait() {
        for (String mode : List.of("client-individual", "client")) {
            FakeTransport t = subscribed("s1", mode);
            StringBuilder chunk = new StringBuilder();
            int n = 100_000;
            for (int i = 0; i < n; i++) {
                chunk.append("MESSAGE\nsubscription:s1\nmessage-id:m-").append(i).append("\nack:m-").append(i).append("\n\n\0");
            }
            byte[] bytes = chunk.toString().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
            t.engine.received(t.lastConn(), bytes, 0, bytes.length, t.now);
            t.pump();
            assertThat(t.delivered).hasSize(n);
            t.delivered.forEach(t.engine::handedOut);
            // Under ack client each ACK settles only itself here (the earlier ones are gone already),
            // which is the case a walk per ack made quadratic; newest first would not be.
            assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
                for (int i = 0; i < n; i++) {
                    t.engine.settle(t.delivered.get(i), false, null, null, t.now);
                    if (i % 1000 == 999) {
                        t.pump(); // the ACKs go out as a client writes them, not all held at once
                    }
                }
            }, mode);
            assertThat(t.engine.ackCheck(t.delivered.get(n - 1).frame())).isEqualTo(AckCheck.NOT_AWAITING);
        }
    }
}
