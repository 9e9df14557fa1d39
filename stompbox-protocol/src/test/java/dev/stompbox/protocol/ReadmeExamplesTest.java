package dev.stompbox.protocol;

import dev.stompbox.protocol.codec.ParserLimits;
import dev.stompbox.protocol.codec.StompEncoder;
import dev.stompbox.protocol.codec.StompParser;
import dev.stompbox.protocol.commands.Commands;
import dev.stompbox.protocol.commands.ConnectOptions;
import dev.stompbox.protocol.commands.Subscribe;
import dev.stompbox.protocol.failover.FailoverUri;
import dev.stompbox.protocol.failover.ReconnectAttempt;
import dev.stompbox.protocol.failover.ReconnectSchedule;
import dev.stompbox.protocol.session.StompSession;
import dev.stompbox.protocol.session.SessionSubscription;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The README's examples, run: if one of these breaks, the README is wrong. */
class ReadmeExamplesTest {
    private final List<StompFrame> written = new ArrayList<>();

    private void write(StompFrame frame) {
        written.add(frame);
    }

    @Test
    void frames() {
        StompFrame send = StompFrame.builder(StompCommand.SEND)
                .header(StompHeaders.DESTINATION, "/queue/orders")
                .header("foo", "first").header("foo", "second")
                .body("{\"id\":42}")
                .build();
        assertThat(send.header("foo")).isEqualTo("first");
        assertThat(send.headers("foo")).containsExactly("first", "second");
        assertThat(send.withHeader("receipt", "r-1").header("receipt")).isEqualTo("r-1");

        byte[] payload = {1, 2, 3};
        StompFrame zeroCopy = StompFrame.builder(StompCommand.SEND)
                .header(StompHeaders.DESTINATION, "/queue/blobs").bodyWithoutCopy(payload).build();
        assertThat(zeroCopy.bodyLength()).isEqualTo(3);
        StompFrame text = StompFrame.builder(StompCommand.SEND).header(StompHeaders.DESTINATION, "/queue/text")
                .body("plain text").contentLength(false).build();
        assertThat(new String(StompEncoder.of(StompVersion.V1_2).encode(text), StandardCharsets.UTF_8)).doesNotContain("content-length");

        StompFrame connectFrame = Commands.connect(ConnectOptions.builder().login("guest").passcode("guest").build());
        assertThat(connectFrame.info()).contains("login:guest, passcode:***");
        assertThat(send.withHeader("x-api-key", "k").info(32, Set.of("x-api-key"))).contains("x-api-key:***");
    }

    @Test
    void commands() {
        List<StompVersion> versions = StompVersion.versions(StompVersion.V1_1);
        StompFrame connect = Commands.connect(ConnectOptions.builder()
                .versions(versions).host("/").login("guest").passcode("guest")
                .heartBeat(new HeartBeat(10_000, 10_000)).build());
        assertThat(connect.header("accept-version")).isEqualTo("1.0,1.1");
        Subscribe sub = Commands.subscribe("/queue/test",
                Map.of("id", "0", StompHeaders.ACK, AckMode.CLIENT_INDIVIDUAL.value()), null, StompVersion.V1_1);
        StompFrame message = StompFrame.builder(StompCommand.MESSAGE).header("subscription", "0").header("message-id", "9").build();
        StompFrame ack = null;
        if (Commands.message(message, StompVersion.V1_1).equals(sub.token())) {
            ack = Commands.ack(message, StompVersion.V1_1, null, null);
        }
        assertThat(ack).isNotNull();
        assertThat(ack.headers()).containsExactly(Header.of("subscription", "0"), Header.of("message-id", "9"));
        assertThat(Commands.negotiateHeartBeat(10_000, 5_000)).isEqualTo(10_000);
        assertThat(Commands.disconnect("message-12345").header("receipt")).isEqualTo("message-12345");
    }

    @Test
    void parserAndSession() {
        StompSession session = new StompSession(StompVersion.V1_2);
        session.connect();
        StompParser parser = new StompParser(StompVersion.V1_2);
        byte[] buffer = "CONNECTED\nversion:1.1\n\n\0\nMESSAGE\nsubscription:0\nmessage-id:1\n\nhi\0".getBytes(StandardCharsets.UTF_8);
        parser.add(buffer, 0, buffer.length);
        List<StompFrame> handled = new ArrayList<>();
        StompFrame frame;
        while ((frame = parser.get()) != null) {
            if (frame.command() == StompCommand.CONNECTED) {
                parser.version(session.connected(frame).version());
            }
            handled.add(frame);
        }
        assertThat(handled).extracting(StompFrame::command).containsExactly(StompCommand.CONNECTED, StompCommand.MESSAGE);
        assertThat(parser.version()).isEqualTo(StompVersion.V1_1);
        assertThat(parser.heartBeats()).isEqualTo(1);

        StompParser bounded = new StompParser(StompVersion.V1_2, ParserLimits.defaults().withMaxFrameSize(1 << 20));
        StompFrameException e = catchThrowableOfType(StompFrameException.class,
                () -> bounded.add(("SEND\nk:" + "x".repeat(70_000) + "\0RECEIPT\nreceipt-id:1\n\n\0").getBytes(StandardCharsets.UTF_8)));
        assertThat(e.reason()).startsWith("Header line too long");
        assertThat(bounded.resync()).isPositive();
        assertThat(bounded.get().command()).isEqualTo(StompCommand.RECEIPT);
    }

    @Test
    void encoder() throws IOException {
        StompFrame frame = Commands.send("/queue/a", "hello");
        StompEncoder encoder = StompEncoder.of(StompVersion.V1_2);
        byte[] wire = encoder.encode(frame);
        ByteBuffer byteBuffer = ByteBuffer.allocate(wire.length);
        encoder.encode(frame, byteBuffer);
        ByteArrayOutputStream socketOutputStream = new ByteArrayOutputStream();
        encoder.encode(frame, socketOutputStream);
        socketOutputStream.write(StompEncoder.heartBeat());
        assertThat(byteBuffer.array()).isEqualTo(wire);
        assertThat(socketOutputStream.toString(StandardCharsets.UTF_8))
                .isEqualTo("SEND\ndestination:/queue/a\ncontent-length:5\n\nhello\0\n");
    }

    @Test
    void session() {
        StompSession session = new StompSession(StompVersion.V1_2);
        write(session.connect(ConnectOptions.builder().host("/").heartBeat(new HeartBeat(10_000, 10_000)).build()));
        session.connected(StompFrame.builder(StompCommand.CONNECTED).header("version", "1.2").header("heart-beat", "5000,5000").build());
        Object myHandler = "handler";
        Subscribe sub = session.subscribe("/queue/a", Map.of("ack", "client-individual"), null, myHandler);
        write(sub.frame());
        StompFrame messageFrame = StompFrame.builder(StompCommand.MESSAGE).header("subscription", sub.token().value())
                .header("message-id", "1").header("ack", "a-1").build();
        Optional<SessionSubscription> target = session.message(messageFrame);
        target.ifPresent(s -> write(session.ack(messageFrame, null)));
        String tx = session.begin(null, "r-begin").header("transaction");
        write(session.commit(tx, null));
        long now = 1_000_000;
        session.sent(now - 10_000);
        if (session.beatDue(now)) {
            session.sent(now);
        }
        assertThat(session.lastSent()).isEqualTo(now);
        session.close(false);
        session.connect();
        session.connected(StompFrame.builder(StompCommand.CONNECTED).header("version", "1.2").build());
        for (SessionSubscription s : session.replay()) {
            write(session.subscribe(s.destination(), s.headers(), s.receipt(), s.context()).frame());
        }
        assertThat(written).extracting(StompFrame::command).containsExactly(StompCommand.CONNECT, StompCommand.SUBSCRIBE,
                StompCommand.ACK, StompCommand.COMMIT, StompCommand.SUBSCRIBE);
        assertThat(written.get(4).header("id")).isEqualTo(written.get(1).header("id"));
        assertThat(session.pendingReceipts()).isEmpty();
    }

    @Test
    void failover() {
        FailoverUri uri = FailoverUri.parse("failover:(tcp://remote1:61615,tcp://localhost:61616)"
                + "?randomize=false,startupMaxReconnectAttempts=3,initialReconnectDelay=7,maxReconnectDelay=8,maxReconnectAttempts=0");
        ReconnectSchedule schedule = new ReconnectSchedule(uri);
        List<Long> delays = new ArrayList<>();
        StompConnectTimeoutException e = catchThrowableOfType(StompConnectTimeoutException.class, () -> {
            for (ReconnectAttempt attempt : schedule) {
                delays.add(attempt.delay().toMillis());
            }
        });
        assertThat(delays).containsExactly(0L, 7L, 8L, 8L);
        assertThat(e).hasMessage("Reconnect timeout: 3 attempts");
    }
}
