package dev.stompbox.protocol;

import dev.stompbox.protocol.codec.StompEncoder;
import dev.stompbox.protocol.codec.StompParser;
import dev.stompbox.protocol.commands.Commands;
import dev.stompbox.protocol.commands.ConnectOptions;
import dev.stompbox.protocol.commands.Subscribe;
import dev.stompbox.protocol.commands.SubscriptionToken;
import dev.stompbox.protocol.failover.BrokerAddress;
import dev.stompbox.protocol.failover.FailoverOptions;
import dev.stompbox.protocol.failover.FailoverUri;
import dev.stompbox.protocol.failover.ReconnectAttempt;
import dev.stompbox.protocol.failover.ReconnectSchedule;
import dev.stompbox.protocol.session.SessionState;
import dev.stompbox.protocol.session.StompSession;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every example of the stompest protocol-layer documentation (seed 003), reproduced in Java. */
class Seed003ExamplesTest {
    private static final String WORKED_EXAMPLE = "failover:(tcp://remote1:61615,tcp://localhost:61616)?randomize=false,"
            + "startupMaxReconnectAttempts=3,initialReconnectDelay=7,maxReconnectDelay=8,maxReconnectAttempts=0";

    @Test
    void failoverTransportWorkedExampleToTheDigit() {
        ReconnectSchedule failover = new ReconnectSchedule(FailoverUri.parse(WORKED_EXAMPLE));

        List<String> first = new ArrayList<>();
        assertThatThrownBy(() -> {
            for (ReconnectAttempt a : failover) {
                first.add(a.broker().host() + ":" + a.broker().port() + " " + a.delay().toNanos() / 1e9);
            }
        }).isInstanceOf(StompConnectTimeoutException.class).hasMessage("Reconnect timeout: 3 attempts");
        assertThat(first).containsExactly(
                "remote1:61615 0.0", "localhost:61616 0.007", "remote1:61615 0.008", "localhost:61616 0.008");

        List<String> second = new ArrayList<>();
        assertThatThrownBy(() -> {
            for (ReconnectAttempt a : failover) {
                second.add(a.broker().host() + ":" + a.broker().port() + " " + a.delay().toNanos() / 1e9);
            }
        }).isInstanceOf(StompConnectTimeoutException.class).hasMessage("Reconnect timeout: 0 attempts");
        assertThat(second).containsExactly("remote1:61615 0.0");
    }

    @Test
    void failoverUriExample() {
        FailoverUri uri = FailoverUri.parse(WORKED_EXAMPLE);
        assertThat(uri.brokers()).containsExactly(
                new BrokerAddress("tcp", "remote1", 61615, "", null),
                new BrokerAddress("tcp", "localhost", 61616, "", null));
        assertThat(uri.options()).isEqualTo(new FailoverOptions(7, 8, true, 2.0, 0, 3, 0, false, false));
    }

    @Test
    void sessionExampleBrokerThatOnlySpeaks10() {
        StompSession session = new StompSession(StompVersion.V1_1);
        StompFrame connect = session.connect(ConnectOptions.builder().login("").passcode("").host("").build());
        assertThat(connect.command()).isEqualTo(StompCommand.CONNECT);
        assertThat(headerMap(connect)).isEqualTo(Map.of("passcode", "", "login", "", "host", "", "accept-version", "1.0,1.1"));
        assertThat(session.version()).isEqualTo(StompVersion.V1_1);
        assertThat(session.state()).isEqualTo(SessionState.CONNECTING);

        // The broker only understands STOMP 1.0: no version header.
        session.connected(StompFrame.builder(StompCommand.CONNECTED).header(StompHeaders.SESSION, "tete-a-tete").build());
        assertThat(session.version()).isEqualTo(StompVersion.V1_0);
        assertThat(session.state()).isEqualTo(SessionState.CONNECTED);

        assertThat(session.disconnect()).isEqualTo(StompFrame.of(StompCommand.DISCONNECT));
        assertThat(session.version()).isEqualTo(StompVersion.V1_0);
        assertThat(session.state()).isEqualTo(SessionState.DISCONNECTING);

        session.close();
        assertThat(session.version()).isEqualTo(StompVersion.V1_1);
        assertThat(session.state()).isEqualTo(SessionState.DISCONNECTED);
    }

    @Test
    void frameWithRawHeadersKeepsDuplicatesAndFirstWins() {
        StompFrame frame = StompFrame.builder(StompCommand.SEND).header("foo", "bar1").header("foo", "bar2").build();
        assertThat(frame.headers()).containsExactly(Header.of("foo", "bar1"), Header.of("foo", "bar2"));
        assertThat(StompEncoder.of(StompVersion.V1_2).encode(frame))
                .isEqualTo("SEND\nfoo:bar1\nfoo:bar2\n\n\0".getBytes(StandardCharsets.US_ASCII));
        assertThat(frame.header("foo")).isEqualTo("bar1");
        assertThat(frame.headers("foo")).containsExactly("bar1", "bar2");

        // stompest's unraw(): keep only the winning value.
        StompFrame unraw = frame.withHeader("foo", frame.header("foo"));
        assertThat(StompEncoder.of(StompVersion.V1_2).encode(unraw))
                .isEqualTo("SEND\nfoo:bar1\n\n\0".getBytes(StandardCharsets.US_ASCII));
        assertThat(unraw.withHeader("foo", "bar4").header("foo")).isEqualTo("bar4");
    }

    @Test
    void frameWithNonAsciiHeaderIsRejectedIn10AndUtf8In11() {
        StompFrame frame = StompFrame.builder(StompCommand.SEND).header("some french", "fen\u00eatre").build();
        assertThatThrownBy(() -> StompEncoder.of(StompVersion.V1_0).encode(frame))
                .isInstanceOf(StompProtocolException.class)
                .hasMessageContaining("non-ASCII");
        assertThat(StompEncoder.of(StompVersion.V1_1).encode(frame))
                .isEqualTo(concat("SEND\nsome french:fen".getBytes(StandardCharsets.US_ASCII),
                        new byte[] {(byte) 0xc3, (byte) 0xaa}, "tre\n\n\0".getBytes(StandardCharsets.US_ASCII)));
        assertThat(frame.header("some french")).isEqualTo("fen\u00eatre");
    }

    @Test
    void commandsExamples() {
        List<StompVersion> versions = Commands.versions(StompVersion.V1_1);
        assertThat(versions).containsExactly(StompVersion.V1_0, StompVersion.V1_1);
        StompFrame connect = Commands.connect(ConnectOptions.builder().versions(versions).host("").build());
        assertThat(connect.command()).isEqualTo(StompCommand.CONNECT);
        assertThat(headerMap(connect)).isEqualTo(Map.of("host", "", "accept-version", "1.0,1.1"));

        Map<String, String> subHeaders = new LinkedHashMap<>();
        subHeaders.put(StompHeaders.ACK, "client-individual");
        subHeaders.put("activemq.prefetchSize", "100");
        Subscribe sub = Commands.subscribe("/queue/test", subHeaders, null, StompVersion.V1_0);
        StompFrame frame = StompFrame.builder(StompCommand.MESSAGE)
                .header(StompHeaders.DESTINATION, "/queue/test").header(StompHeaders.MESSAGE_ID, "007")
                .body("hello").build();
        assertThat(frame.info()).isEqualTo("MESSAGE destination:/queue/test, message-id:007 body(5)='hello'");
        assertThat(Commands.message(frame, StompVersion.V1_0)).isEqualTo(sub.token());
        assertThat(Commands.message(frame, StompVersion.V1_0)).isEqualTo(new SubscriptionToken("destination", "/queue/test"));
        assertThatThrownBy(() -> Commands.message(frame, StompVersion.V1_1))
                .isInstanceOf(StompProtocolException.class)
                .hasMessageStartingWith("Invalid MESSAGE frame (subscription header mandatory in version 1.1)");

        assertThat(Commands.disconnect("message-12345"))
                .isEqualTo(StompFrame.builder(StompCommand.DISCONNECT).header("receipt", "message-12345").build());
    }

    @Test
    void parserExample10RejectsNackAndKeepsTheReceiptBeforeIt() {
        StompParser parser = new StompParser(StompVersion.V1_0); // STOMP 1.0 does not support the NACK command.
        List<byte[]> messages = List.of(
                "RECEIPT\nreceipt-id:message-12345\n\n\0".getBytes(StandardCharsets.US_ASCII),
                "NACK\nsubscription:0\nmessage-id:007\n\n\0".getBytes(StandardCharsets.US_ASCII));
        parser.add(messages.get(0));
        assertThatThrownBy(() -> parser.add(messages.get(1)))
                .isInstanceOf(StompFrameException.class)
                .hasMessageStartingWith("Invalid command: 'NACK'");
        assertThat(parser.get()).isEqualTo(StompFrame.builder(StompCommand.RECEIPT).header("receipt-id", "message-12345").build());
        assertThat(parser.canRead()).isFalse();
        assertThat(parser.get()).isNull();

        StompParser parser11 = new StompParser(StompVersion.V1_1);
        parser11.add(messages.get(1));
        assertThat(parser11.get()).isEqualTo(StompFrame.builder(StompCommand.NACK)
                .header("subscription", "0").header("message-id", "007").build());
    }

    @Test
    void heartBeatIsNotAFrame() {
        assertThat(Commands.beat(StompVersion.V1_1)).containsExactly('\n');
        StompParser parser = new StompParser(StompVersion.V1_1);
        parser.add(Commands.beat(StompVersion.V1_1));
        assertThat(parser.canRead()).isFalse();
        assertThat(parser.heartBeats()).isEqualTo(1);
    }

    @Test
    void failoverIteratorSaysWhenSpent() {
        Iterator<ReconnectAttempt> it = new ReconnectSchedule(FailoverUri.parse("tcp://localhost:61613")).iterator();
        assertThat(ReconnectSchedule.spent(it)).isFalse();
        assertThat(it.next().delay()).isEqualTo(Duration.ZERO);
        assertThat(ReconnectSchedule.spent(it)).isTrue();
        assertThat(it.hasNext()).isTrue();
        assertThatThrownBy(it::next).isInstanceOf(StompConnectTimeoutException.class).hasMessage("Reconnect timeout: 0 attempts");
    }

    static Map<String, String> headerMap(StompFrame frame) {
        Map<String, String> m = new LinkedHashMap<>();
        for (Header h : frame.headers()) {
            m.putIfAbsent(h.name(), h.value());
        }
        return m;
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
