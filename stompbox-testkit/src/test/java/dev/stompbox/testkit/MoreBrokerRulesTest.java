package dev.stompbox.testkit;

import dev.stompbox.protocol.HeartBeat;
import dev.stompbox.protocol.StompCommand;
import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.StompVersion;
import dev.stompbox.protocol.codec.ParserLimits;
import dev.stompbox.protocol.commands.Commands;
import dev.stompbox.protocol.commands.ConnectOptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static dev.stompbox.testkit.WireClient.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MoreBrokerRulesTest extends ServerTestSupport {
    private static String errorOf(WireClient c, String wire) {
        c.sendRaw(wire.getBytes(StandardCharsets.UTF_8));
        StompFrame e = c.receive(f -> f.command() == StompCommand.ERROR);
        return e.header("message");
    }

    @Test
    @DisplayName("STOMP 1.0: a subscription without id is known by destination; ACK by message-id; UNSUBSCRIBE by destination")
    void stomp10Subscriptions() {
        WireClient c = client();
        c.connect(ConnectOptions.builder().versions(StompVersion.V1_0).build());
        c.send(Commands.subscribe("/queue/ten", java.util.Map.of("ack", "client"), "s", StompVersion.V1_0).frame());
        assertThat(c.receive().header("receipt-id")).isEqualTo("s");
        server.publish("/queue/ten", "old school");
        StompFrame m = c.receive();
        assertThat(m.header("subscription")).isNull();
        assertThat(m.header("ack")).isNull();
        c.send(Commands.ack(m, StompVersion.V1_0, null, "a"));
        assertThat(c.receive().header("receipt-id")).isEqualTo("a");
        c.send(StompFrame.builder(StompCommand.UNSUBSCRIBE).header("destination", "/queue/ten").header("receipt", "u").build());
        assertThat(c.receive().header("receipt-id")).isEqualTo("u");
        server.publish("/queue/ten", "kept");
        assertThat(server.waitingMessages("/queue/ten")).isEqualTo(1);
    }

    @Test
    @DisplayName("configuration: server name, versions, parser limits for client frames, silence grace")
    void configuration() throws IOException {
        server.serverName("unit/9").versions(StompVersion.V1_0, StompVersion.V1_1)
                .limits(ParserLimits.defaults().withMaxFrameSize(100)).silenceGrace(3).heartBeat(new HeartBeat(0, 40));
        WireClient c = client();
        StompFrame connected = c.connect(new HeartBeat(40, 0));
        assertThat(connected.header("server")).isEqualTo("unit/9");
        assertThat(connected.header("version")).isEqualTo("1.1");
        c.send(Commands.send("/queue/big", "x".repeat(200)));
        StompFrame error = c.receive();
        assertThat(error.command()).isEqualTo(StompCommand.ERROR);
        assertThat(error.header("message")).contains("maxFrameSize=100");
        c.awaitEof();
        assertThatThrownBy(() -> server.versions()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> server.silenceGrace(0.5)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("a silent client is given grace × its period before being dropped")
    void silenceGrace() {
        server.silenceGrace(4);
        WireClient c = client();
        c.connect(new HeartBeat(50, 0));
        long t0 = System.nanoTime();
        ServerConnection sc = server.awaitConnection(TIMEOUT);
        assertThat(sc.awaitClosed(TIMEOUT)).startsWith("client silent");
        assertThat((System.nanoTime() - t0) / 1_000_000).isGreaterThanOrEqualTo(150);
    }

    @Test
    @DisplayName("the STOMP frame needs 1.1; CONNECT twice, server frames from a client, and bad ids are ERRORs")
    void moreViolations() {
        server.versions(StompVersion.V1_0);
        WireClient stomp = client();
        assertThat(errorOf(stomp, "STOMP\naccept-version:1.0\n\n\0")).isEqualTo("STOMP frame requires version 1.1 or later");

        server.versions(StompVersion.V1_0, StompVersion.V1_1, StompVersion.V1_2);
        assertThat(errorOf(connected(), "CONNECT\naccept-version:1.2\n\n\0")).isEqualTo("Already connected");
        assertThat(errorOf(connected(), "MESSAGE\ndestination:/q\n\n\0")).isEqualTo("Unexpected MESSAGE frame from a client");
        WireClient dup = connected();
        dup.send(StompFrame.builder(StompCommand.SUBSCRIBE).header("destination", "/q").header("id", "1").build());
        assertThat(errorOf(dup, "SUBSCRIBE\ndestination:/q\nid:1\n\n\0")).isEqualTo("Subscription 1 already exists");
        assertThat(errorOf(connected(), "UNSUBSCRIBE\nid:9\n\n\0")).isEqualTo("No subscription 9");
        assertThat(errorOf(connected(), "UNSUBSCRIBE\n\n\0")).isEqualTo("UNSUBSCRIBE needs an id header");
        WireClient tx = connected();
        tx.send(Commands.begin("t", null));
        assertThat(errorOf(tx, "BEGIN\ntransaction:t\n\n\0")).isEqualTo("Transaction t already begun");
        assertThat(errorOf(connected(), "SEND\ntransaction:none\ndestination:/q\n\n\0")).isEqualTo("Unknown transaction none");
        assertThat(errorOf(connected(), "SEND\n\n\0")).isEqualTo("SEND needs a destination header");
    }

    @Test
    @DisplayName("close() flushes what is queued, then closes; send(frame) writes any frame")
    void closeAndSend() throws IOException {
        WireClient c = connected();
        ServerConnection sc = server.awaitConnection(TIMEOUT);
        sc.send(StompFrame.builder(StompCommand.RECEIPT).header("receipt-id", "made-up").build());
        sc.close();
        assertThat(c.receive().header("receipt-id")).isEqualTo("made-up");
        c.awaitEof();
        assertThat(sc.awaitClosed(TIMEOUT)).isEqualTo("closed by the test");
        assertThat(sc.awaitSent(f -> "made-up".equals(f.header("receipt-id")), TIMEOUT)).isNotNull();
        assertThat(sc.traceDump()).contains("closed: closed by the test");
    }

    @Test
    @DisplayName("closing the server closes its connections and frees the port")
    void serverCloseClosesConnections() throws IOException {
        WireClient c = connected();
        ServerConnection sc = server.awaitConnection(TIMEOUT);
        server.close();
        c.awaitEof();
        assertThat(sc.closeReason()).isEqualTo("server closed");
        assertThatThrownBy(() -> server.refuseConnections(java.time.Duration.ofSeconds(1))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    @DisplayName("the trace keeps the latest entries up to the limit and counts the rest; awaits still work")
    void traceLimit() {
        server.traceLimit(5);
        WireClient c = connected();
        ServerConnection sc = server.awaitConnection(TIMEOUT);
        for (int i = 0; i < 10; i++) {
            c.send(Commands.send("/queue/t", "m" + i));
        }
        assertThat(sc.awaitReceived(f -> "m9".equals(f.bodyAsString()), TIMEOUT)).isNotNull();
        assertThat(sc.trace()).hasSize(5);
        assertThat(sc.traceDropped()).isEqualTo(7);
        assertThat(sc.received()).extracting(StompFrame::bodyAsString).containsExactly("m5", "m6", "m7", "m8", "m9");
        assertThatThrownBy(() -> server.traceLimit(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
