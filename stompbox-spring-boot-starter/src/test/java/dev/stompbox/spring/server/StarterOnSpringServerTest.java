package dev.stompbox.spring.server;

import dev.stompbox.async.AsyncStompClient;
import dev.stompbox.fixtures.TestBroker;
import dev.stompbox.spring.boot.StompboxHealthIndicator;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.ConfigurableApplicationContext;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The starter in an application that is itself Spring's STOMP server: its client starts before the web server is
 * up, backs off until it is, and a {@code @StompListener(confirm = false)} then gets the server's replies.
 */
class StarterOnSpringServerTest {
    @Test
    @DisplayName("the starter's client backs off until its own application's web server is up, then its unconfirmed listener receives")
    void listenerOnTheApplicationsOwnServer() throws Exception {
        int port = TestBroker.freePort();
        try (ConfigurableApplicationContext app = new SpringApplicationBuilder(SpringStompServer.SimpleBrokerWithStarter.class).run(
                "--server.port=" + port, "--server.address=127.0.0.1", "--spring.main.banner-mode=off",
                "--stompbox.url=failover:(ws://127.0.0.1:" + port + "/stomp)?initialReconnectDelay=50&maxReconnectDelay=250",
                "--stompbox.login=listener", "--stompbox.disconnect-timeout=2s")) {
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> app.getBean(StompboxHealthIndicator.class).health().getStatus().equals(Status.UP));
            SpringStompServer.OwnListener listener = app.getBean(SpringStompServer.OwnListener.class);
            AsyncStompClient client = app.getBean(AsyncStompClient.class);
            // Unconfirmed: the SUBSCRIBE is written, not known to be in place; send until a greeting comes back.
            String got = null;
            for (int i = 0; i < 50 && got == null; i++) {
                client.send("/app/greet", "me").get(5, TimeUnit.SECONDS);
                got = listener.greetings.poll(200, TimeUnit.MILLISECONDS);
            }
            assertThat(got).isEqualTo("Hello, me");
        }
    }
}
