package dev.stompbox.spring;

import dev.stompbox.client.StompClient;
import dev.stompbox.client.Subscription;
import dev.stompbox.protocol.StompFrame;
import dev.stompbox.spring.listener.StompListenerContainer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a {@code @StompListener} application does against a real broker, whichever it is: bodies
 * converted, headers bound, replies sent on. The messages are sent and read by a plain blocking
 * client that knows nothing of Spring.
 */
abstract class ListenerContract {
    static final String RUN = Long.toString(System.nanoTime() % 1_000_000_000L);

    @Autowired
    ListenerApp.Listeners listeners;
    @Autowired
    StompListenerContainer container;

    StompClient peer;

    abstract String brokerUri();

    @BeforeEach
    void peer() throws Exception {
        container.subscribing().get(30, TimeUnit.SECONDS);
        assertThat(container.subscribed()).as("every listener method subscribed").hasSize(7);
        peer = StompClient.create(brokerUri());
        peer.connect();
    }

    @AfterEach
    void closePeer() {
        peer.close();
    }

    static String q(String name) {
        return ListenerApp.PREFIX + RUN + "-" + name;
    }

    /** The next MESSAGE of the peer's one subscription. */
    private StompFrame next(Subscription sub) {
        StompFrame f = peer.receiveFrame(Duration.ofSeconds(20));
        assertThat(f).as("a message on " + sub.destination() + " within 20 s").isNotNull();
        assertThat(f.header("subscription")).isEqualTo(sub.id());
        return f;
    }

    @Test
    @DisplayName("a JSON body becomes the record, a header the argument, and the returned record goes to @SendTo as JSON")
    void convertsAndReplies() {
        Subscription confirmations = peer.subscribe(q("confirmations"), Map.of());
        peer.send(q("orders"), "{\"item\":\"tea\",\"quantity\":2}", Map.of("content-type", "application/json", "correlation-id", "c-1"));
        StompFrame reply = next(confirmations);
        assertThat(reply.bodyAsString()).isEqualTo("{\"item\":\"tea\",\"quantity\":2,\"correlation\":\"c-1\"}");
        assertThat(reply.header("content-type")).startsWith("application/json");
        assertThat(reply.header("correlation-id")).as("the request's correlation id goes with the reply").isEqualTo("c-1");
    }

    @Test
    @DisplayName("String, byte[], StompFrame, @Headers and a converted @Header bind as declared; an optional header may be missing")
    void bindsArguments() throws Exception {
        peer.send(q("text"), "hello", Map.of("tag", "t1"));
        assertThat(listeners.seen.poll(20, TimeUnit.SECONDS)).isEqualTo("text hello MESSAGE t1");
        peer.send(q("bytes"), new byte[]{1, 2, 3}, Map.of("n", "41"));
        assertThat(listeners.seen.poll(20, TimeUnit.SECONDS)).isEqualTo("bytes 3 n+1=42 absent=null");
    }

    @Test
    @DisplayName("a String body is read in the charset its content-type names (UTF-8 when it names none)")
    void charsetFromContentType() throws Exception {
        peer.send(q("text"), "café".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1),
                Map.of("content-type", "text/plain;charset=ISO-8859-1", "tag", "latin1"));
        assertThat(listeners.seen.poll(20, TimeUnit.SECONDS)).isEqualTo("text café MESSAGE latin1");
        peer.send(q("text"), "café".getBytes(java.nio.charset.StandardCharsets.UTF_8), Map.of("tag", "utf8"));
        assertThat(listeners.seen.poll(20, TimeUnit.SECONDS)).isEqualTo("text café MESSAGE utf8");
    }

    @Test
    @DisplayName("without @SendTo, a returned value goes to the message's reply-to destination")
    void repliesToReplyTo() {
        Subscription replies = peer.subscribe(q("replies"), Map.of());
        peer.send(q("requests"), "ping", Map.of("reply-to", q("replies")));
        StompFrame reply = next(replies);
        assertThat(reply.bodyAsString()).isEqualTo("PING");
        assertThat(reply.header("content-type")).isEqualTo("text/plain;charset=UTF-8");
    }

    @Test
    @DisplayName("a body that cannot be converted goes to the error destination, and the listener keeps running")
    void failureGoesToTheErrorDestination() throws Exception {
        Subscription errors = peer.subscribe(q("strict-errors"), Map.of());
        peer.send(q("strict"), "not json", Map.of("content-type", "text/plain"));
        StompFrame failed = next(errors);
        assertThat(failed.bodyAsString()).isEqualTo("not json");
        assertThat(failed.header("stompbox-error")).as("the error headers say why").contains("convert");
        peer.send(q("strict"), "{\"item\":\"cup\",\"quantity\":1}", Map.of("content-type", "application/json"));
        assertThat(listeners.seen.poll(20, TimeUnit.SECONDS)).isEqualTo("strict Order[item=cup, quantity=1]");
    }
}
