package dev.stompbox.spring.server;

import dev.stompbox.async.AsyncStompClient;
import dev.stompbox.async.AsyncStompClientConfig;
import dev.stompbox.async.SubscriptionOptions;
import dev.stompbox.protocol.HeartBeat;
import dev.stompbox.protocol.StompReceiptTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The asynchronous client against Spring's own STOMP server with its simple broker, over
 * WebSocket: {@code @MessageMapping} replies, user destinations, heart-beats, and what the simple
 * broker does not do (receipts), as the README records.
 */
@SpringBootTest(classes = SpringStompServer.SimpleBroker.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"server.address=127.0.0.1", "spring.main.banner-mode=off"})
class SimpleBrokerInteropTest {
    @LocalServerPort
    int port;

    private AsyncStompClient client;

    private AsyncStompClient connect(AsyncStompClientConfig.Builder config) throws Exception {
        client = AsyncStompClient.create(config.build());
        client.connect().get(20, TimeUnit.SECONDS);
        return client;
    }

    private AsyncStompClientConfig.Builder config(String login) {
        return AsyncStompClientConfig.builder("ws://127.0.0.1:" + port + "/stomp").login(login).passcode("unused");
    }

    @AfterEach
    void close() {
        if (client != null) {
            client.close();
        }
    }

    /** Spring's simple broker answers no RECEIPT but DISCONNECT's: subscriptions are not confirmed. */
    private static final SubscriptionOptions UNCONFIRMED = SubscriptionOptions.builder().confirm(false).build();

    @Test
    @DisplayName("a SEND to /app/greet reaches the @MessageMapping method, whose reply comes back on /topic/greetings")
    void messageMapping() throws Exception {
        AsyncStompClient c = connect(config("alice"));
        BlockingQueue<String> got = new LinkedBlockingQueue<>();
        c.subscribe("/topic/greetings", Map.of(), (cl, f) -> {
            got.add(f.bodyAsString());
            return null;
        }, UNCONFIRMED).get(20, TimeUnit.SECONDS);
        c.send("/app/greet", "Bob").get(20, TimeUnit.SECONDS);
        assertThat(got.poll(20, TimeUnit.SECONDS)).isEqualTo("Hello, Bob");
    }

    @Test
    @DisplayName("user destinations: /user/queue/answers gets the @SendToUser reply for this session's user only")
    void userDestinations() throws Exception {
        AsyncStompClient c = connect(config("alice"));
        BlockingQueue<String> got = new LinkedBlockingQueue<>();
        c.subscribe("/user/queue/answers", Map.of(), (cl, f) -> {
            got.add(f.bodyAsString());
            return null;
        }, UNCONFIRMED).get(20, TimeUnit.SECONDS);
        c.send("/app/whoami", "").get(20, TimeUnit.SECONDS);
        assertThat(got.poll(20, TimeUnit.SECONDS)).isEqualTo("you are alice");
    }

    @Test
    @DisplayName("the simple broker has no queues: two subscribers of /queue/shared each get every message")
    void noQueueSemantics() throws Exception {
        AsyncStompClient c = connect(config("frank"));
        BlockingQueue<String> got = new LinkedBlockingQueue<>();
        for (String who : new String[]{"first", "second"}) {
            c.subscribe("/queue/shared", Map.of("ack", "client-individual"), (cl, f) -> {
                got.add(who + " " + f.bodyAsString());
                return null;
            }, UNCONFIRMED).get(20, TimeUnit.SECONDS);
        }
        c.send("/queue/shared", "one").get(20, TimeUnit.SECONDS);
        assertThat(java.util.List.of(got.poll(20, TimeUnit.SECONDS), got.poll(20, TimeUnit.SECONDS)))
                .containsExactlyInAnyOrder("first one", "second one");
        long start = System.nanoTime();
        c.disconnect().get(20, TimeUnit.SECONDS);
        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .as("MESSAGEs without the ack header client-individual needs do not leave handlers counted as running")
                .isLessThan(Duration.ofSeconds(3));
    }

    @Test
    @DisplayName("heart-beats at 1 s both ways keep an idle connection up; a SEND asking for a receipt times out (the simple broker sends none); DISCONNECT completes")
    void heartBeatsReceiptsAndDisconnect() throws Exception {
        AsyncStompClient c = connect(config("bob").heartBeat(new HeartBeat(1000, 1000)).receiptTimeout(Duration.ofSeconds(1)));
        Thread.sleep(3500); // more than the 2.1 s of silence the client tolerates at 1 s
        assertThat(c.isConnected()).as("the server's beats arrived").isTrue();
        assertThat(c.send("/app/greet", "Carol", Map.of("receipt", "r-1"))).failsWithin(Duration.ofSeconds(5))
                .withThrowableThat().havingCause().isInstanceOf(StompReceiptTimeoutException.class);
        assertThat(c.isConnected()).as("a missing receipt does not end the connection").isTrue();
        long start = System.nanoTime();
        c.disconnect().get(10, TimeUnit.SECONDS);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("Spring answers DISCONNECT's receipt").isLessThan(Duration.ofSeconds(5));
    }
}
