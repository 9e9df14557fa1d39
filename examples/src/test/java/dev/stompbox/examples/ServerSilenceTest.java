package dev.stompbox.examples;

import dev.stompbox.client.StompClient;
import dev.stompbox.client.StompClientConfig;
import dev.stompbox.protocol.HeartBeat;
import dev.stompbox.protocol.StompConnectionException;
import dev.stompbox.testkit.ServerConnection;
import dev.stompbox.testkit.StompTestServer;
import dev.stompbox.testkit.junit.StompTestServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's "Testing code that uses STOMP" example, verbatim (ReadmeCompilesTest checks the copy). */
@ExtendWith(StompTestServerExtension.class)
class ServerSilenceTest {
    StompTestServer server;                                     // a fresh, started server for each test

    @Test
    void clientNoticesWhenTheServerStopsBeating() {
        StompClientConfig config = StompClientConfig.builder(server.uri())
                .heartBeat(new HeartBeat(0, 100))               // asks the server to beat every 100 ms
                .build();
        try (StompClient client = StompClient.create(config)) {
            client.connect();
            ServerConnection connection = server.awaitConnection(Duration.ofSeconds(5));

            connection.faults().stopHeartBeats();               // the socket stays open, the beats stop
            long stalledAt = System.nanoTime();
            StompConnectionException lost = assertThrows(StompConnectionException.class,
                    () -> client.receiveFrame(Duration.ofSeconds(5)));
            long noticedAfterMs = (System.nanoTime() - stalledAt) / 1_000_000;

            assertTrue(lost.getMessage().startsWith("server silent for"), lost.getMessage());
            assertTrue(noticedAfterMs < 2_000, noticedAfterMs + " ms"); // 2 × 100 ms + a 500 ms margin, not forever
            assertFalse(client.isConnected());
        }
    }
}
