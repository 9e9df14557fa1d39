package dev.stompbox.examples;

import dev.stompbox.protocol.StompCommand;
import dev.stompbox.protocol.StompFrame;
import dev.stompbox.testkit.ServerConnection;
import dev.stompbox.testkit.StompTestServer;
import dev.stompbox.testkit.junit.StompTestServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How to test code that talks STOMP without a broker: the test kit's server records every frame,
 * and the extension starts a fresh one per test (and prints its trace when a test fails).
 */
@ExtendWith(StompTestServerExtension.class)
class TestKitExampleTest {
    StompTestServer server; // injected before each test

    @Test
    void simpleProducerSendsTwoMessagesAndDisconnectsCleanly() {
        SimpleProducer.main(new String[] {server.uri()});

        ServerConnection connection = server.awaitConnection(Duration.ofSeconds(10));
        assertThat(connection.awaitClosed(Duration.ofSeconds(10))).isEqualTo("client sent DISCONNECT");
        assertThat(connection.received()).extracting(StompFrame::command)
                .containsExactly(StompCommand.CONNECT, StompCommand.SEND, StompCommand.SEND, StompCommand.DISCONNECT);
        assertThat(server.waitingMessages(SimpleProducer.QUEUE)).isEqualTo(2);
    }
}
