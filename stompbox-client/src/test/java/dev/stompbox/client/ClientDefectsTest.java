package dev.stompbox.client;

import dev.stompbox.protocol.StompCommand;
import dev.stompbox.protocol.StompConnectionException;
import dev.stompbox.protocol.StompProtocolException;
import dev.stompbox.protocol.StompVersion;
import dev.stompbox.protocol.codec.ParserLimits;
import dev.stompbox.fixtures.FailingMetrics;
import dev.stompbox.fixtures.UnhandedMessages;
import dev.stompbox.testkit.ServerConnection;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The defects the fault probes found, each with the test that would have caught it (the async twin: AsyncDefectsTest). */
class ClientDefectsTest extends TestKitClientSupport {
    @Test
    @DisplayName("a SEND the encoder refuses (STOMP 1.0, a line feed in a header) fails at once with the encoder's exception")
    void refusedSendFailsAtOnce() {
        StompClient client = connected(StompClientConfig.builder(server.uri()).version(StompVersion.V1_0));
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> client.send("/queue/a", "x".getBytes(), Map.of("note", "two\nlines")))
                .isInstanceOf(StompProtocolException.class).hasMessageContaining("Cannot encode header");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(1000);
        assertThat(client.isConnected()).isTrue();
        client.send("/queue/a", "fine".getBytes(), Map.of("receipt", "r")).await(TIMEOUT);
    }

    @Test
    @DisplayName("a WebSocket broker is refused when the configuration is built, not at every attempt of a failover schedule")
    void webSocketBrokerRefusedAtBuild() {
        assertThatThrownBy(() -> StompClientConfig.builder("ws://127.0.0.1:61613/stomp").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("The blocking client speaks STOMP over TCP and TLS, not WebSocket: ws://127.0.0.1:61613/stomp"
                        + " needs the asynchronous client (AsyncStompClient)");
        assertThatThrownBy(() -> StompClientConfig.builder("failover:(tcp://a:61613,wss://b:61614)").autoReconnect(true).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("wss://b:61614");
    }

    @ParameterizedTest(name = "ack {0}")
    @ValueSource(strings = {"auto", "client-individual"})
    @DisplayName("every message a disconnect drops before the application took it is counted: lost under ack auto, redelivered otherwise")
    void unhandedMessagesCounted(String ack) {
        UnhandedMessages unhanded = new UnhandedMessages();
        StompClient client = connected(StompClientConfig.builder(server.uri()).inboxCapacity(10).metrics(unhanded));
        client.subscribe("/queue/unhanded", Map.of("ack", ack, "receipt", "s")).receipt().await(TIMEOUT);
        // All written before the disconnect: ten in the inbox, the rest unread in the socket.
        publishAndAwaitWritten("/queue/unhanded", 60);
        assertThat(client.receiveFrame(TIMEOUT)).isNotNull();
        client.disconnect();
        assertThat(unhanded.counts()).as("counts of messages dropped unhanded, by lost").containsExactly(Map.entry(ack.equals("auto"), 59));
    }

    @Test
    @DisplayName("disconnect() wakes a reader that a full inbox holds: it reads on to the RECEIPT at once, not at its next check a second later")
    void disconnectWakesAReaderHeldByAFullInbox() {
        StompClient client = connected(StompClientConfig.builder(server.uri()).inboxCapacity(10));
        client.subscribe("/queue/held", Map.of("ack", "client-individual", "receipt", "s")).receipt().await(TIMEOUT);
        publishAndAwaitWritten("/queue/held", 60);
        // Taking one lets the reader read one more and fill the inbox again: it starts a fresh wait for room.
        assertThat(client.receiveFrame(TIMEOUT)).isNotNull();
        long t0 = System.nanoTime();
        client.disconnect(Duration.ofSeconds(5));
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).as("ms to disconnect").isLessThan(500);
    }

    /** Publishes {@code n} messages to {@code queue} and waits until the server has written them all to the one connection. */
    private void publishAndAwaitWritten(String queue, int n) {
        for (int i = 0; i < n; i++) {
            server.publish(queue, "m" + i);
        }
        ServerConnection sc = server.awaitConnection(TIMEOUT);
        await().atMost(TIMEOUT).until(() -> sc.sent().stream().filter(f -> f.command() == StompCommand.MESSAGE).count() == n);
    }

    @Test
    @DisplayName("disconnect() with received messages unread: it reads on to its RECEIPT, well within the disconnect timeout")
    void disconnectWithUnreadMessages() {
        StompClient client = connected(StompClientConfig.builder(server.uri()).inboxCapacity(2));
        client.subscribe("/queue/unread", Map.of("ack", "client-individual", "receipt", "s")).receipt().await(TIMEOUT);
        for (int i = 0; i < 200; i++) {
            server.publish("/queue/unread", "m" + i);
        }
        await().atMost(TIMEOUT).until(() -> client.bufferedBytes() > 0);
        long t0 = System.nanoTime();
        client.disconnect(Duration.ofSeconds(5)); // throws a receipt timeout if the RECEIPT stays behind unread messages
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(2000);
        ServerConnection sc = server.awaitConnection(TIMEOUT);
        assertThat(sc.awaitReceived(StompCommand.DISCONNECT, TIMEOUT)).isNotNull();
        assertThat(client.bufferedBytes()).as("what was not taken is dropped with the disconnect").isZero();
        assertThat(client.disconnected()).isCompleted();
    }

    @Test
    @DisplayName("a Throwable on the reader's path (an OutOfMemoryError, say) ends the connection as a loss the user sees")
    void readerThrowableIsALoss() {
        StompClient client = connected(StompClientConfig.builder(server.uri()).metrics(new FailingMetrics()));
        client.subscribe("/queue/oom", Map.of("receipt", "s")).receipt().await(TIMEOUT);
        server.publish("/queue/oom", "boom");
        assertThatThrownBy(() -> client.receiveFrame(TIMEOUT)).isInstanceOf(StompConnectionException.class)
                .hasMessageContaining("OutOfMemoryError");
        assertThat(client.isConnected()).isFalse();
        await().atMost(TIMEOUT).until(() -> client.disconnected().isDone()); // completed outside the client's lock, just after
        assertThat(client.disconnected()).isCompletedExceptionally();
        await().atMost(TIMEOUT).until(() -> server.awaitConnection(TIMEOUT).toString().contains("closed"));
    }

    @Test
    @DisplayName("after a loss on 'Frame too large' the parser is released and bufferedBytes() is 0")
    void releasedAfterLoss() {
        StompClient client = connected(StompClientConfig.builder(server.uri())
                .parserLimits(ParserLimits.defaults().withMaxFrameSize(64 * 1024)));
        client.subscribe("/queue/big", Map.of("receipt", "s")).receipt().await(TIMEOUT);
        server.publish("/queue/big", "x".repeat(1024 * 1024));
        assertThatThrownBy(() -> client.receiveFrame(TIMEOUT)).isInstanceOf(StompConnectionException.class)
                .hasMessageContaining("Frame too large");
        assertThat(client.bufferedBytes()).isZero();
    }
}
