package dev.stompbox.spring.server;

import dev.stompbox.async.AsyncStompClient;
import dev.stompbox.async.AsyncStompClientConfig;
import dev.stompbox.fixtures.ArtemisExtension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Stompbox on both sides of Spring: Spring's STOMP broker relay in front of embedded Artemis, one
 * Stompbox client talking to Spring over WebSocket and another talking to Artemis directly over
 * TCP. With a real broker behind it, Spring passes RECEIPTs through, so subscriptions are confirmed.
 */
@SpringBootTest(classes = SpringStompServer.Relay.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"server.address=127.0.0.1", "spring.main.banner-mode=off"})
@DirtiesContext
class BrokerRelayInteropTest {
    @RegisterExtension
    static final ArtemisExtension ARTEMIS = new ArtemisExtension();

    @DynamicPropertySource
    static void relay(DynamicPropertyRegistry registry) {
        registry.add("relay.port", () -> ((dev.stompbox.fixtures.EmbeddedArtemis) ARTEMIS.broker()).port());
    }

    @LocalServerPort
    int port;

    private AsyncStompClient connect(String uri) throws Exception {
        AsyncStompClient c = AsyncStompClient.create(AsyncStompClientConfig.builder(uri).login("dave").passcode("unused").build());
        c.connect().get(20, TimeUnit.SECONDS);
        return c;
    }

    @Test
    @DisplayName("a @MessageMapping reply relayed to Artemis reaches a client subscribed on Artemis directly")
    void springToArtemis() throws Exception {
        try (AsyncStompClient direct = connect(ARTEMIS.broker().uri());
             AsyncStompClient viaSpring = connect("ws://127.0.0.1:" + port + "/stomp")) {
            BlockingQueue<String> got = new LinkedBlockingQueue<>();
            direct.subscribe("/topic/greetings", Map.of(), (c, f) -> {
                got.add(f.bodyAsString());
                return null;
            }).get(20, TimeUnit.SECONDS);
            viaSpring.send("/app/greet", "Erin").get(20, TimeUnit.SECONDS);
            assertThat(got.poll(20, TimeUnit.SECONDS)).isEqualTo("Hello, Erin");
        }
    }

    @Test
    @DisplayName("a message sent to Artemis directly reaches a client subscribed through Spring, whose SUBSCRIBE receipt Artemis answered")
    void artemisToSpring() throws Exception {
        try (AsyncStompClient direct = connect(ARTEMIS.broker().uri());
             AsyncStompClient viaSpring = connect("ws://127.0.0.1:" + port + "/stomp")) {
            BlockingQueue<String> got = new LinkedBlockingQueue<>();
            String q = "/queue/relayed-" + System.nanoTime();
            viaSpring.subscribe(q, Map.of("ack", "client-individual"), (c, f) -> {
                got.add(f.bodyAsString());
                return null;
            }).get(20, TimeUnit.SECONDS); // confirmed: the RECEIPT came back through the relay
            direct.send(q, "from Artemis", Map.of("receipt", "r-1")).get(20, TimeUnit.SECONDS);
            assertThat(got.poll(20, TimeUnit.SECONDS)).isEqualTo("from Artemis");
            viaSpring.send(q, "receipted through Spring", Map.of("receipt", "r-2")).get(20, TimeUnit.SECONDS);
            assertThat(got.poll(20, TimeUnit.SECONDS)).isEqualTo("receipted through Spring");
        }
    }
}
