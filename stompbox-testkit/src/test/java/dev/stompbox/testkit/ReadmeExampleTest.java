package dev.stompbox.testkit;

import dev.stompbox.protocol.HeartBeat;
import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.StompVersion;
import dev.stompbox.protocol.codec.StompEncoder;
import dev.stompbox.protocol.codec.StompParser;
import dev.stompbox.protocol.commands.ConnectOptions;
import dev.stompbox.protocol.session.StompSession;
import dev.stompbox.testkit.junit.StompTestServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's "Testing code that uses STOMP" example told with the protocol layer instead of a client. */
@ExtendWith(StompTestServerExtension.class)
class ReadmeExampleTest {
    StompTestServer server;                                     // a fresh server for each test

    @Test
    void clientNoticesWhenTheServerStopsBeating() throws IOException {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            StompSession session = new StompSession();
            StompParser parser = new StompParser();
            write(socket, session.connect(ConnectOptions.builder().host("/").heartBeat(new HeartBeat(0, 100)).build()));
            session.connected(read(socket, parser));            // the server will beat every 100 ms
            ServerConnection connection = server.awaitConnection(Duration.ofSeconds(5));

            connection.faults().stopHeartBeats();               // the socket stays open, the beats stop
            long stalledAt = millis();
            session.received(stalledAt);
            long overdueAt = awaitServerOverdue(socket, parser, session, Duration.ofSeconds(5));

            assertThat(overdueAt - stalledAt).isBetween(200L, 5_000L);   // 2 × 100 ms of grace, not forever
            assertThat(connection.isOpen()).isTrue();           // nothing was closed: only the beats stopped
        }
    }

    /** Reads (beats included) until the session says the server is overdue; returns when that was. */
    private static long awaitServerOverdue(Socket socket, StompParser parser, StompSession session, Duration limit)
            throws IOException {
        long deadline = millis() + limit.toMillis();
        byte[] buf = new byte[4096];
        while (!session.serverOverdue(millis())) {
            assertThat(millis()).as("overdue within %s", limit).isLessThan(deadline);
            socket.setSoTimeout((int) Math.max(1, Math.min(50, session.millisUntilServerOverdue(millis()))));
            try {
                int n = socket.getInputStream().read(buf);
                if (n > 0) {
                    parser.add(buf, 0, n);
                    session.received(millis());
                }
            } catch (SocketTimeoutException quiet) {
                // No data: exactly what the session is timing.
            }
        }
        return millis();
    }

    private static void write(Socket socket, StompFrame frame) throws IOException {
        StompEncoder.of(StompVersion.V1_2).encode(frame, socket.getOutputStream());
    }

    private static StompFrame read(Socket socket, StompParser parser) throws IOException {
        socket.setSoTimeout(5000);
        byte[] buf = new byte[4096];
        StompFrame frame;
        while ((frame = parser.get()) == null) {
            int n = socket.getInputStream().read(buf);
            if (n < 0) {
                throw new IOException("closed");
            }
            parser.add(buf, 0, n);
        }
        return frame;
    }

    private static long millis() {
        return System.nanoTime() / 1_000_000;
    }
}
