package dev.stompbox.client;

import dev.stompbox.testkit.StompTestServer;
import dev.stompbox.testkit.junit.StompTestServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A fresh test-kit server per test, and the clients a test made, closed after it. */
@ExtendWith(StompTestServerExtension.class)
abstract class TestKitClientSupport {
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    StompTestServer server;
    private final List<StompClient> clients = new ArrayList<>();

    @AfterEach
    void closeClients() {
        clients.forEach(StompClient::close);
    }

    /** A client to be closed after the test; short disconnect timeout, as test servers may withhold receipts. */
    StompClient client(StompClientConfig.Builder config) {
        StompClient c = StompClient.create(config.disconnectTimeout(Duration.ofSeconds(1)).build());
        clients.add(c);
        return c;
    }

    StompClient connected(StompClientConfig.Builder config) {
        StompClient c = client(config);
        c.connect();
        return c;
    }
}
