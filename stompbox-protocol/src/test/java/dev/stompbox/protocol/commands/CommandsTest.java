package dev.stompbox.protocol.commands;

import dev.stompbox.protocol.Header;
import dev.stompbox.protocol.HeartBeat;
import dev.stompbox.protocol.StompCommand;
import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.StompProtocolException;
import dev.stompbox.protocol.StompVersion;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.stompbox.protocol.StompVersion.V1_0;
import static dev.stompbox.protocol.StompVersion.V1_1;
import static dev.stompbox.protocol.StompVersion.V1_2;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CommandsTest {
    private static final StompFrame MESSAGE = StompFrame.builder(StompCommand.MESSAGE)
            .header("destination", "/queue/a").header("message-id", "m-1").header("subscription", "s-1")
            .header("ack", "ID:host:1").build();

    @Test
    @DisplayName("CONNECT carries accept-version, host, heart-beat, login, passcode and extras")
    void connect() {
        StompFrame f = Commands.connect(ConnectOptions.builder().login("u").passcode("p").host("/")
                .heartBeat(new HeartBeat(1000, 2000)).header("client-id", "c").build());
        assertThat(f.headers()).containsExactly(Header.of("accept-version", "1.0,1.1,1.2"), Header.of("host", "/"),
                Header.of("heart-beat", "1000,2000"), Header.of("login", "u"), Header.of("passcode", "p"), Header.of("client-id", "c"));
        assertThat(Commands.connect().headers()).as("no host header unless one is given")
                .containsExactly(Header.of("accept-version", "1.0,1.1,1.2"));
        assertThat(Commands.connect(ConnectOptions.builder().host("").build()).headers())
                .containsExactly(Header.of("accept-version", "1.0,1.1,1.2"), Header.of("host", ""));
    }

    @Test
    @DisplayName("a 1.0-only CONNECT has no accept-version, no heart-beat, and host only when given")
    void connect10() {
        ConnectOptions only10 = ConnectOptions.builder().versions(V1_0).heartBeat(new HeartBeat(1, 1)).build();
        assertThat(Commands.connect(only10).headers()).isEmpty();
        assertThat(Commands.connect(only10.toBuilder().host("vh").build()).headers()).containsExactly(Header.of("host", "vh"));
    }

    @Test
    @DisplayName("STOMP frame exists from 1.1 on")
    void stomp() {
        assertThat(Commands.stomp(ConnectOptions.builder().versions(V1_1, V1_2).build()).command()).isEqualTo(StompCommand.STOMP);
        assertThatThrownBy(() -> Commands.stomp(ConnectOptions.builder().versions(V1_0).build()))
                .isInstanceOf(StompProtocolException.class).hasMessageContaining("not supported in version 1.0");
    }

    @Test
    @DisplayName("CONNECTED: version (none means 1.0), session, server, heart-beat; an unoffered version is an error")
    void connected() {
        StompFrame f = StompFrame.builder(StompCommand.CONNECTED).header("version", "1.2").header("session", "s")
                .header("server", "artemis").header("heart-beat", "0,10000").build();
        assertThat(Commands.connected(f, StompVersion.versions(V1_2)))
                .isEqualTo(new ConnectedInfo(V1_2, "s", "artemis", new HeartBeat(0, 10000)));
        assertThat(Commands.connected(StompFrame.of(StompCommand.CONNECTED), List.of(V1_0, V1_1)).version()).isEqualTo(V1_0);
        assertThatThrownBy(() -> Commands.connected(f, List.of(V1_0, V1_1))).isInstanceOf(StompProtocolException.class)
                .hasMessage("Server chose version 1.2, which was not offered (offered: 1.0,1.1)");
        assertThatThrownBy(() -> Commands.connected(StompFrame.of(StompCommand.ERROR), List.of(V1_2)))
                .isInstanceOf(StompProtocolException.class).hasMessageStartingWith("Expected a CONNECTED frame, got ERROR");
        StompFrame tenWithBeats = StompFrame.builder(StompCommand.CONNECTED).header("heart-beat", "5,5").build();
        assertThat(Commands.connected(tenWithBeats, List.of(V1_0)).heartBeat()).isEqualTo(HeartBeat.NONE);
    }

    @Test
    void send() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("persistent", "true");
        StompFrame f = Commands.send("/queue/a", new byte[] {1, 2}, headers, "r-1");
        assertThat(f.headers()).containsExactly(Header.of("destination", "/queue/a"), Header.of("persistent", "true"), Header.of("receipt", "r-1"));
        assertThat(f.body()).containsExactly(1, 2);
        assertThat(Commands.send("/q", "hé").bodyAsString()).isEqualTo("hé");
        assertThat(Commands.send("/q", null, null, null).bodyLength()).isZero();
        assertThatThrownBy(() -> Commands.send("", "x")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("SUBSCRIBE: id mandatory from 1.1; token by id, or by destination in 1.0")
    void subscribe() {
        Subscribe s = Commands.subscribe("/queue/a", Map.of("id", "7"), "r", V1_2);
        assertThat(s.token()).isEqualTo(SubscriptionToken.ofId("7"));
        assertThat(s.frame().headers()).containsExactly(Header.of("destination", "/queue/a"), Header.of("id", "7"), Header.of("receipt", "r"));
        assertThatThrownBy(() -> Commands.subscribe("/queue/a", Map.of(), null, V1_1)).isInstanceOf(StompProtocolException.class)
                .hasMessage("Invalid SUBSCRIBE (id header mandatory in version 1.1)");
        assertThat(Commands.subscribe("/queue/a", null, null, V1_0).token()).isEqualTo(SubscriptionToken.ofDestination("/queue/a"));
        assertThat(Commands.subscribe("/queue/a", Map.of("id", "x"), null, V1_0).token()).isEqualTo(SubscriptionToken.ofId("x"));
        assertThat(SubscriptionToken.ofId("7").toString()).isEqualTo("SubscriptionToken[id=7]");
    }

    @Test
    void unsubscribe() {
        assertThat(Commands.unsubscribe(SubscriptionToken.ofId("7"), "r", V1_2).headers())
                .containsExactly(Header.of("id", "7"), Header.of("receipt", "r"));
        assertThat(Commands.unsubscribe(SubscriptionToken.ofDestination("/q"), null, V1_0).headers())
                .containsExactly(Header.of("destination", "/q"));
        assertThatThrownBy(() -> Commands.unsubscribe(SubscriptionToken.ofDestination("/q"), null, V1_2))
                .isInstanceOf(StompProtocolException.class).hasMessageContaining("id header mandatory in version 1.2");
    }

    @Test
    @DisplayName("MESSAGE: token from subscription; in 1.0 from destination when there is none")
    void message() {
        assertThat(Commands.message(MESSAGE, V1_2)).isEqualTo(SubscriptionToken.ofId("s-1"));
        assertThat(Commands.message(MESSAGE, V1_0)).isEqualTo(SubscriptionToken.ofId("s-1"));
        assertThatThrownBy(() -> Commands.message(StompFrame.of(StompCommand.MESSAGE), V1_0))
                .isInstanceOf(StompProtocolException.class).hasMessageStartingWith("Invalid MESSAGE frame (destination header mandatory in version 1.0)");
        assertThatThrownBy(() -> Commands.message(StompFrame.of(StompCommand.RECEIPT), V1_2))
                .isInstanceOf(StompProtocolException.class).hasMessageStartingWith("Expected a MESSAGE frame, got RECEIPT");
    }

    @Test
    @DisplayName("ACK headers per version: 1.0 message-id; 1.1 subscription+message-id; 1.2 id = the ack header")
    void ackPerVersion() {
        assertThat(Commands.ack(MESSAGE, V1_0, null, null).headers()).containsExactly(Header.of("message-id", "m-1"));
        assertThat(Commands.ack(MESSAGE, V1_1, null, null).headers())
                .containsExactly(Header.of("subscription", "s-1"), Header.of("message-id", "m-1"));
        assertThat(Commands.ack(MESSAGE, V1_2, null, "r").headers()).containsExactly(Header.of("id", "ID:host:1"), Header.of("receipt", "r"));
        assertThat(Commands.nack(MESSAGE, V1_2, null, null).command()).isEqualTo(StompCommand.NACK);
        assertThat(Commands.nack(MESSAGE, V1_1, null, null).headers())
                .containsExactly(Header.of("subscription", "s-1"), Header.of("message-id", "m-1"));
    }

    @Test
    @DisplayName("ACK of a MESSAGE missing the header its version needs is a clear error")
    void ackMissingHeaders() {
        StompFrame noAck = MESSAGE.withoutHeader("ack");
        assertThatThrownBy(() -> Commands.ack(noAck, V1_2, null, null)).isInstanceOf(StompProtocolException.class)
                .hasMessageStartingWith("Invalid MESSAGE frame (ack header mandatory in version 1.2)");
        assertThatThrownBy(() -> Commands.ack(MESSAGE.withoutHeader("subscription"), V1_1, null, null))
                .hasMessageStartingWith("Invalid MESSAGE frame (subscription header mandatory in version 1.1)");
        assertThatThrownBy(() -> Commands.ack(StompFrame.of(StompCommand.RECEIPT), V1_2, null, null))
                .isInstanceOf(StompProtocolException.class);
    }

    @Test
    @DisplayName("NACK does not exist in 1.0")
    void nack10() {
        assertThatThrownBy(() -> Commands.nack(MESSAGE, V1_0, null, null)).isInstanceOf(StompProtocolException.class)
                .hasMessage("NACK is not supported in version 1.0");
    }

    @Test
    @DisplayName("ACK carries transaction only when the message belongs to one of the given transactions")
    void ackTransaction() {
        StompFrame inTx = MESSAGE.withHeader("transaction", "tx-1");
        assertThat(Commands.ack(inTx, V1_2, Set.of("tx-1"), null).header("transaction")).isEqualTo("tx-1");
        assertThat(Commands.ack(inTx, V1_2, Set.of("tx-2"), null).header("transaction")).isNull();
        assertThat(Commands.ack(inTx, V1_2, null, null).header("transaction")).isNull();
        assertThat(Commands.ack(MESSAGE, V1_2, Set.of("tx-1"), null).header("transaction")).isNull();
    }

    @Test
    void transactionsAndDisconnect() {
        assertThat(Commands.begin("t", null).headers()).containsExactly(Header.of("transaction", "t"));
        assertThat(Commands.commit("t", "r").headers()).containsExactly(Header.of("transaction", "t"), Header.of("receipt", "r"));
        assertThat(Commands.abort("t", null).command()).isEqualTo(StompCommand.ABORT);
        assertThatThrownBy(() -> Commands.begin(null, null)).isInstanceOf(IllegalArgumentException.class);
        assertThat(Commands.disconnect().headers()).isEmpty();
    }

    @Test
    void receiptErrorBeat() {
        assertThat(Commands.receipt(StompFrame.builder(StompCommand.RECEIPT).header("receipt-id", "r").build())).isEqualTo("r");
        assertThatThrownBy(() -> Commands.receipt(StompFrame.of(StompCommand.RECEIPT))).isInstanceOf(StompProtocolException.class)
                .hasMessageStartingWith("Invalid RECEIPT frame (receipt-id header mandatory)");
        assertThat(Commands.error(StompFrame.builder(StompCommand.ERROR).header("message", "boom").build())).isEqualTo("boom");
        assertThat(Commands.error(StompFrame.of(StompCommand.ERROR))).isEmpty();
        assertThat(Commands.beat(V1_2)).containsExactly('\n');
        assertThatThrownBy(() -> Commands.beat(V1_0)).isInstanceOf(StompProtocolException.class)
                .hasMessage("Heart-beating is not supported in version 1.0");
        assertThat(Commands.negotiateHeartBeat(100, 200)).isEqualTo(200);
    }

    @Test
    @DisplayName("ConnectOptions never print the passcode and reject an empty version list")
    void connectOptions() {
        ConnectOptions o = ConnectOptions.builder().login("u").passcode("hunter2").headers(Map.of("x", "y")).build();
        assertThat(o.toString()).doesNotContain("hunter2").contains("passcode=***");
        assertThat(o).isEqualTo(o.toBuilder().build()).hasSameHashCodeAs(o.toBuilder().build());
        assertThat(o).isNotEqualTo(o.toBuilder().login("v").build());
        assertThatThrownBy(() -> ConnectOptions.builder().versions(List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThat(ConnectOptions.builder().versions(V1_2, V1_0, V1_2).build().versions()).containsExactly(V1_0, V1_2);
    }
}
