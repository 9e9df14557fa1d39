package dev.stompbox.testkit;

import dev.stompbox.protocol.StompCommand;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A started server per test and the wire clients the test opened, all closed after it. */
abstract class ServerTestSupport {
    protected StompTestServer server;
    private final List<WireClient> clients = new ArrayList<>();

    @BeforeEach
    void startServer() {
        server = new StompTestServer().start();
    }

    @AfterEach
    void stopServer() {
        clients.forEach(WireClient::close);
        server.close();
    }

    /** A client connected at TCP level only. */
    protected WireClient client() {
        return track(new WireClient(server.port()));
    }

    /** Registers a client to be closed after the test. */
    protected WireClient track(WireClient c) {
        clients.add(c);
        return c;
    }

    /** A client that has sent CONNECT and received CONNECTED (STOMP 1.2). */
    protected WireClient connected() {
        WireClient c = client();
        assertThat(c.connect().command()).isEqualTo(StompCommand.CONNECTED);
        return c;
    }
}
