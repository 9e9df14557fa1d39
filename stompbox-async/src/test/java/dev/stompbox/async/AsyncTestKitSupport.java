package dev.stompbox.async;

import dev.stompbox.testkit.StompTestServer;
import dev.stompbox.testkit.junit.StompTestServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A fresh test-kit server per test, and the asynchronous clients a test made, closed after it. */
@ExtendWith(StompTestServerExtension.class)
abstract class AsyncTestKitSupport {
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    StompTestServer server;
    private final List<AsyncStompClient> clients = new ArrayList<>();

    @AfterEach
    void closeClients() {
        clients.forEach(AsyncStompClient::close);
    }

    AsyncStompClient client(AsyncStompClientConfig.Builder config) {
        AsyncStompClient c = AsyncStompClient.create(config.build());
        clients.add(c);
        return c;
    }

    AsyncStompClient connected(AsyncStompClientConfig.Builder config) {
        AsyncStompClient c = client(config);
        Futures.get(c.connect());
        return c;
    }
}
