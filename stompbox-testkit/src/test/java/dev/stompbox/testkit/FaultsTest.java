package dev.stompbox.testkit;

import dev.stompbox.protocol.HeartBeat;
import dev.stompbox.protocol.StompCommand;
import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.StompFrameException;
import dev.stompbox.protocol.StompVersion;
import dev.stompbox.protocol.codec.ParserLimits;
import dev.stompbox.protocol.codec.StompEncoder;
import dev.stompbox.protocol.commands.Commands;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static dev.stompbox.testkit.WireClient.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Each fault, proved on the wire by a client that sees it happen. */
class FaultsTest extends ServerTestSupport {
    private static StompFrame sendWithReceipt(String receipt) {
        return StompFrame.builder(StompCommand.SEND).header("destination", "/queue/f").header("receipt", receipt).body("x").build();
    }

    @Test
    @DisplayName("closeAfterFrames: the connection closes once N client frames were handled, answers first")
    void closeAfterFrames() throws IOException {
        server.nextConnectionFaults().closeAfterFrames(2);
        WireClient c = connected();
        c.send(sendWithReceipt("r1"));
        assertThat(c.receive().header("receipt-id")).isEqualTo("r1");
        c.awaitEof();
        assertThat(server.awaitConnection(TIMEOUT).awaitClosed(TIMEOUT)).isEqualTo("fault: closed after 2 frames");
    }

    @Test
    @DisplayName("closeOnFrame: a matching frame closes the connection before it is handled (no receipt)")
    void closeOnFrame() throws IOException {
        server.nextConnectionFaults().closeOnFrame(f -> f.command() == StompCommand.SEND);
        WireClient c = connected();
        c.send(sendWithReceipt("never"));
        c.awaitEof();
        ServerConnection sc = server.awaitConnection(TIMEOUT);
        assertThat(sc.awaitClosed(TIMEOUT)).isEqualTo("fault: closed on SEND");
        assertThat(sc.sent()).extracting(StompFrame::command).containsExactly(StompCommand.CONNECTED);
    }

    @Test
    @DisplayName("resetOnClose / reset(): the client sees a connection reset, not an orderly close")
    void reset() {
        WireClient c = connected();
        ServerConnection sc = server.awaitConnection(TIMEOUT);
        sc.reset();
        assertThatThrownBy(() -> {
            c.awaitEof();
            c.sendRaw(new byte[] {'\n'});
            c.awaitEof();
        }).isInstanceOf(SocketException.class).hasMessageContaining("reset");
        assertThat(sc.closeReason()).isEqualTo("reset by the test");

        server.nextConnectionFaults().resetOnClose().closeAfterFrames(1);
        WireClient d = client();
        d.sendRaw(StompEncoder.of(StompVersion.V1_2).encode(Commands.connect()));
        assertThatThrownBy(() -> {
            d.awaitEof();
            d.sendRaw(new byte[] {'\n'});
            d.awaitEof();
        }).isInstanceOf(SocketException.class).hasMessageContaining("reset");
    }

    @Test
    @DisplayName("neverAnswerConnect: CONNECT gets no answer, the socket stays open")
    void neverAnswerConnect() {
        server.nextConnectionFaults().neverAnswerConnect();
        WireClient c = client();
        c.send(Commands.connect());
        ServerConnection sc = server.awaitConnection(TIMEOUT);
        sc.awaitReceived(StompCommand.CONNECT, TIMEOUT);
        assertThat(c.poll(Duration.ofMillis(300))).isNull();
        assertThat(sc.isOpen()).isTrue();
        assertThat(sc.sent()).isEmpty();
    }

    @Test
    @DisplayName("answerConnectWithError: ERROR with the message, then close")
    void answerConnectWithError() throws IOException {
        server.nextConnectionFaults().answerConnectWithError("Virtual host access denied");
        WireClient c = client();
        StompFrame reply = c.connect();
        assertThat(reply.command()).isEqualTo(StompCommand.ERROR);
        assertThat(reply.header("message")).isEqualTo("Virtual host access denied");
        c.awaitEof();
    }

    @Test
    @DisplayName("withholdReceipts(match): matching frames get no RECEIPT, the others do, in order")
    void withholdSomeReceipts() {
        server.nextConnectionFaults().withholdReceipts(f -> "r1".equals(f.header("receipt")));
        WireClient c = connected();
        c.send(sendWithReceipt("r1"));
        c.send(sendWithReceipt("r2"));
        // Frames are answered in order: had r1 been answered, it would come before r2.
        assertThat(c.receive().header("receipt-id")).isEqualTo("r2");
    }

    @Test
    @DisplayName("withholdReceipts(): no RECEIPT at all, DISCONNECT's included")
    void withholdAllReceipts() throws IOException {
        WireClient c = connected();
        ServerConnection sc = server.awaitConnection(TIMEOUT);
        sc.faults().withholdReceipts();
        c.send(sendWithReceipt("r1"));
        c.send(Commands.disconnect("bye"));
        c.awaitEof();
        assertThat(sc.sent()).extracting(StompFrame::command).containsExactly(StompCommand.CONNECTED);
    }

    @Test
    @DisplayName("stopHeartBeats: beats stop, the socket stays open and frames still flow")
    void stopHeartBeats() {
        server.heartBeat(new HeartBeat(20, 0));
        WireClient c = client();
        c.connect(new HeartBeat(0, 20));
        awaitBeats(c, 3);
        ServerConnection sc = server.awaitConnection(TIMEOUT);
        sc.faults().stopHeartBeats();
        // A beat already queued may still arrive; after a round trip, none may.
        c.send(sendWithReceipt("sync"));
        assertThat(c.receive().header("receipt-id")).isEqualTo("sync");
        long before = c.heartBeats();
        assertThat(c.poll(Duration.ofMillis(300))).isNull();
        assertThat(c.heartBeats()).isEqualTo(before);
        c.send(sendWithReceipt("still-open"));
        assertThat(c.receive().header("receipt-id")).isEqualTo("still-open");
    }

    @Test
    @DisplayName("heartBeatEvery: beats faster than agreed (none were agreed here)")
    void fasterHeartBeats() {
        WireClient c = client();
        c.connect(new HeartBeat(0, 0));
        ServerConnection sc = server.awaitConnection(TIMEOUT);
        assertThat(sc.serverHeartBeatMillis()).isZero();
        sc.faults().heartBeatEvery(Duration.ofMillis(5));
        awaitBeats(c, 20);
        assertThat(sc.heartBeatsSent()).isGreaterThanOrEqualTo(20);
    }

    private static void awaitBeats(WireClient c, long n) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (c.heartBeats() < n) {
            assertThat(System.nanoTime()).as("%d heart-beats within %s", n, TIMEOUT).isLessThan(deadline);
            c.poll(Duration.ofMillis(20));
        }
    }

    @Test
    @DisplayName("delayFrames: each outbound frame is held back")
    void delayFrames() {
        WireClient c = connected();
        server.awaitConnection(TIMEOUT).faults().delayFrames(Duration.ofMillis(300));
        long t0 = System.nanoTime();
        c.send(sendWithReceipt("slow"));
        assertThat(c.receive().header("receipt-id")).isEqualTo("slow");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }

    @Test
    @DisplayName("writeByteByByte: a frame reaches the client in many small reads")
    void byteByByte() {
        server.nextConnectionFaults().writeByteByByte();
        WireClient c = client();
        StompFrame connected = c.connect();
        assertThat(connected.command()).isEqualTo(StompCommand.CONNECTED);
        int length = StompEncoder.of(StompVersion.V1_2).encode(connected).length;
        assertThat(c.reads).isGreaterThan(length / 4);
    }

    @Test
    @DisplayName("throttle: bytes per second are limited")
    void throttle() {
        WireClient c = connected();
        server.awaitConnection(TIMEOUT).faults().throttle(1000);
        server.publish("/queue/big", new byte[400], java.util.Map.of());
        c.send(StompFrame.builder(StompCommand.SUBSCRIBE).header("destination", "/queue/big").header("id", "1").build());
        long t0 = System.nanoTime();
        StompFrame m = c.receive();
        assertThat(m.bodyLength()).isEqualTo(400);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(350));
    }

    @Test
    @DisplayName("sendRaw garbage and a malformed frame: the client's parser rejects them")
    void garbageAndMalformed() {
        WireClient c = connected();
        ServerConnection sc = server.awaitConnection(TIMEOUT);
        sc.sendRaw("\u0001\u0002garbage\n\n\0".getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> c.receive()).isInstanceOf(StompFrameException.class).hasMessageContaining("Invalid command");
        assertThat(sc.trace().get(sc.trace().size() - 1).raw()).hasSize(12);

        WireClient d = connected();
        ServerConnection sd = server.awaitConnection(1, TIMEOUT);
        sd.sendRaw("MESSAGE\nsubscription:0\nbad:\\q\n\n\0".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> d.receive()).isInstanceOf(StompFrameException.class).hasMessageContaining("Invalid escape");
    }

    @Test
    @DisplayName("a frame larger than the client's limits is refused by the client before it is all read")
    void oversizedFrame() {
        WireClient c = new WireClient(server.port(), ParserLimits.defaults().withMaxFrameSize(1024));
        track(c);
        c.connect();
        ServerConnection sc = server.awaitConnection(TIMEOUT);
        sc.sendMessage("0", "/queue/x", new byte[100_000]);
        assertThatThrownBy(() -> c.receive()).isInstanceOf(StompFrameException.class).hasMessageContaining("maxFrameSize=1024");
    }

    @Test
    @DisplayName("sendMessage: a MESSAGE for a subscription the client does not have")
    void messageForUnknownSubscription() {
        WireClient c = connected();
        server.awaitConnection(TIMEOUT).sendMessage("no-such-subscription", "/queue/x", "boo".getBytes(StandardCharsets.UTF_8));
        StompFrame m = c.receive();
        assertThat(m.command()).isEqualTo(StompCommand.MESSAGE);
        assertThat(m.header("subscription")).isEqualTo("no-such-subscription");
        assertThat(m.bodyAsString()).isEqualTo("boo");
    }

    @Test
    @DisplayName("duplicateMessages: the same MESSAGE twice")
    void duplicates() {
        server.nextConnectionFaults().duplicateMessages();
        WireClient c = connected();
        c.send(StompFrame.builder(StompCommand.SUBSCRIBE).header("destination", "/queue/d").header("id", "1").build());
        server.publish("/queue/d", "once");
        StompFrame first = c.receive();
        StompFrame second = c.receive();
        assertThat(second).isEqualTo(first);
        assertThat(second.bodyAsString()).isEqualTo("once");
    }

    @Test
    @DisplayName("redeliverAfter: an unacked MESSAGE comes again, marked redelivered, after the delay")
    void redeliverAfter() {
        server.nextConnectionFaults().redeliverAfter(Duration.ofMillis(100));
        WireClient c = connected();
        c.send(StompFrame.builder(StompCommand.SUBSCRIBE).header("destination", "/queue/re").header("id", "1")
                .header("ack", "client-individual").build());
        server.publish("/queue/re", "again");
        StompFrame first = c.receive();
        long t0 = System.nanoTime();
        StompFrame second = c.receive();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(50));
        assertThat(second.header("redelivered")).isEqualTo("true");
        assertThat(second.header("message-id")).isEqualTo(first.header("message-id"));
    }

    @Test
    @DisplayName("refuseConnections: connecting fails with 'connection refused', then works again")
    void refuseConnections() throws IOException {
        server.refuseConnections(Duration.ofMinutes(1));
        assertThatThrownBy(() -> new Socket("127.0.0.1", server.port()).close()).isInstanceOf(ConnectException.class);
        server.acceptConnections();
        connected();

        server.refuseConnections(Duration.ofMillis(200));
        assertThatThrownBy(() -> new Socket("127.0.0.1", server.port()).close()).isInstanceOf(ConnectException.class);
        // Refused at once by the kernel: retry until the server's timer has reopened the port.
        await("listening again after the refusal period").atMost(TIMEOUT).ignoreException(ConnectException.class)
                .until(() -> {
                    new Socket("127.0.0.1", server.port()).close();
                    return true;
                });
    }

    @Test
    @DisplayName("stopReading: the server leaves client bytes unread until cleared")
    void stopReading() throws Exception {
        WireClient c = connected();
        ServerConnection sc = server.awaitConnection(TIMEOUT);
        sc.faults().stopReading();
        assertBigSendBlockedUntilCleared(c, sc);
    }

    /** A 16 MiB SEND stays unread and its write blocked until the faults are cleared, then arrives whole. */
    private static void assertBigSendBlockedUntilCleared(WireClient c, ServerConnection sc) throws InterruptedException {
        byte[] big = StompEncoder.of(StompVersion.V1_2).encode(StompFrame.builder(StompCommand.SEND)
                .header("destination", "/queue/big").body(new byte[16 * 1024 * 1024]).build());
        Thread writer = new Thread(() -> c.sendRaw(big));
        writer.setDaemon(true);
        writer.start();
        assertThatThrownBy(() -> sc.awaitReceived(StompCommand.SEND, Duration.ofMillis(300))).isInstanceOf(AssertionError.class);
        assertThat(writer.isAlive()).as("the client's write is blocked").isTrue();
        sc.faults().clear();
        assertThat(sc.awaitReceived(StompCommand.SEND, TIMEOUT).bodyLength()).isEqualTo(16 * 1024 * 1024);
        writer.join(TIMEOUT.toMillis());
        assertThat(writer.isAlive()).isFalse();
    }

    @Test
    @DisplayName("readSlowly: the server takes client bytes at the given rate, no faster")
    void readSlowly() throws Exception {
        WireClient c = connected();
        ServerConnection sc = server.awaitConnection(TIMEOUT);
        sc.faults().readSlowly(200_000);
        byte[] send = StompEncoder.of(StompVersion.V1_2).encode(StompFrame.builder(StompCommand.SEND)
                .header("destination", "/queue/slow").body(new byte[100_000]).build());
        long t0 = System.nanoTime();
        c.sendRaw(send);
        assertThat(sc.awaitReceived(StompCommand.SEND, TIMEOUT).bodyLength()).isEqualTo(100_000);
        assertThat((System.nanoTime() - t0) / 1_000_000).as("100 KB at 200 KB/s").isGreaterThanOrEqualTo(450);
        assertThatThrownBy(() -> new Faults().readSlowly(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("stopReadingAfter: the matching frame is handled, what follows stays unread until cleared")
    void stopReadingAfter() throws Exception {
        server.nextConnectionFaults().stopReadingAfter(f -> f.command() == StompCommand.CONNECT);
        WireClient c = connected(); // CONNECT was answered
        assertBigSendBlockedUntilCleared(c, server.awaitConnection(TIMEOUT));
    }

    @Test
    @DisplayName("faults validate their arguments and clear() restores normal behaviour")
    void faultArguments() {
        Faults f = new Faults();
        assertThatThrownBy(() -> f.closeAfterFrames(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> f.heartBeatEvery(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> f.throttle(0)).isInstanceOf(IllegalArgumentException.class);
        f.withholdReceipts().closeAfterFrames(1).clear();
        assertThat(f.withholdsReceiptFor(Commands.disconnect("x"))).isFalse();
        assertThat(f.closeAfterFrames()).isEqualTo(-1);
    }
}
