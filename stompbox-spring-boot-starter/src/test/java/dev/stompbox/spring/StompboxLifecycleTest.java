package dev.stompbox.spring;

import dev.stompbox.client.StompClient;
import dev.stompbox.fixtures.EmbeddedArtemis;
import dev.stompbox.fixtures.TestBroker;
import dev.stompbox.fixtures.TlsBroker;
import dev.stompbox.protocol.connection.ConnectionListener;
import dev.stompbox.protocol.failover.BrokerAddress;
import dev.stompbox.spring.boot.StompboxHealthIndicator;
import dev.stompbox.spring.listener.StompListenerContainer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.health.registry.HealthContributorRegistry;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The application and its broker over time, on embedded Artemis: started while the broker is away,
 * the broker killed and back, a start that must fail, and a graceful stop with a listener still
 * running.
 */
class StompboxLifecycleTest {
    static final String RUN = Long.toString(System.nanoTime() % 1_000_000_000L);

    /** The application's own connection listener, told of every failed attempt. */
    @Configuration(proxyBeanMethods = false)
    static class Attempts {
        static final List<String> FAILED = new CopyOnWriteArrayList<>();

        @Bean
        ConnectionListener recordAttempts() {
            return new ConnectionListener() {
                @Override
                public void attemptFailed(BrokerAddress broker, Throwable cause) {
                    FAILED.add(broker.toString());
                }
            };
        }
    }

    private static ConfigurableApplicationContext start(int port, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("--stompbox.disconnect-timeout=3s", "--test.run=" + RUN,
                "--spring.main.banner-mode=off"));
        if (java.util.Arrays.stream(more).noneMatch(a -> a.startsWith("--stompbox.url="))) {
            args.add("--stompbox.url=failover:(tcp://127.0.0.1:" + port + ")?initialReconnectDelay=50&maxReconnectDelay=250");
        }
        args.addAll(List.of(more));
        return new SpringApplicationBuilder(ListenerApp.class, Attempts.class).run(args.toArray(String[]::new));
    }

    private static Health health(ConfigurableApplicationContext app) {
        return app.getBean(StompboxHealthIndicator.class).health();
    }

    @Test
    @DisplayName("the application starts while the broker is away (DOWN, saying why), connects and subscribes when it comes, and health follows the broker's death and return")
    void healthFollowsTheBroker() throws Exception {
        int port = TestBroker.freePort();
        Attempts.FAILED.clear();
        try (ConfigurableApplicationContext app = start(port)) {
            assertThat(app.getBean(HealthContributorRegistry.class).getContributor("stompbox"))
                    .as("registered with Actuator as 'stompbox'").isInstanceOf(StompboxHealthIndicator.class);
            await().atMost(Duration.ofSeconds(10)).until(() -> Attempts.FAILED.size() >= 2);
            Health away = health(app);
            assertThat(away.getStatus()).isEqualTo(Status.DOWN);
            assertThat(away.getDetails()).containsEntry("broker", "tcp://127.0.0.1:" + port);
            assertThat((String) away.getDetails().get("error")).contains("refused");
            assertThat(Attempts.FAILED).as("the application's listener hears of each attempt").allMatch(b -> b.endsWith(":" + port));

            StompListenerContainer container = app.getBean(StompListenerContainer.class);
            ListenerApp.Listeners listeners = app.getBean(ListenerApp.Listeners.class);
            EmbeddedArtemis artemis = new EmbeddedArtemis(port, 60_000);
            try {
                await().atMost(Duration.ofSeconds(20)).until(() -> health(app).getStatus().equals(Status.UP));
                assertThat(health(app).getDetails()).containsEntry("broker", "tcp://127.0.0.1:" + port).containsEntry("version", "1.2");
                container.subscribing().get(20, TimeUnit.SECONDS);
                assertThat(container.subscribed()).hasSize(7);
                send(port, "text", "first");
                assertThat(listeners.seen.poll(20, TimeUnit.SECONDS)).isEqualTo("text first MESSAGE null");
            } finally {
                artemis.close();
            }

            await().atMost(Duration.ofSeconds(20)).until(() -> health(app).getStatus().equals(Status.DOWN));
            assertThat(health(app).getDetails()).containsKey("error");

            EmbeddedArtemis again = new EmbeddedArtemis(port, 60_000);
            try {
                await().atMost(Duration.ofSeconds(20)).until(() -> health(app).getStatus().equals(Status.UP));
                send(port, "text", "second");
                assertThat(listeners.seen.poll(20, TimeUnit.SECONDS)).as("the listener's subscription was replayed")
                        .isEqualTo("text second MESSAGE null");
                app.close(); // before the broker, as in production
            } finally {
                again.close();
            }
        }
    }

    private static void send(int port, String queue, String body) {
        try (StompClient peer = StompClient.create("tcp://127.0.0.1:" + port)) {
            peer.connect();
            peer.send(ListenerApp.PREFIX + RUN + "-" + queue, body, Map.of("receipt", "r-" + body));
        }
    }

    @Test
    @DisplayName("the blocking client, on request, connects on a thread of its own once the broker comes, and disconnects with the application")
    void blockingClient() throws Exception {
        int port = TestBroker.freePort();
        ConfigurableApplicationContext app = start(port, "--stompbox.blocking.enabled=true");
        StompClient blocking = app.getBean(StompClient.class);
        try {
            assertThat(blocking.isConnected()).as("no broker yet, and the start did not wait for one").isFalse();
            EmbeddedArtemis artemis = new EmbeddedArtemis(port, 60_000);
            try {
                await().atMost(Duration.ofSeconds(20)).until(blocking::isConnected);
                blocking.send(ListenerApp.PREFIX + RUN + "-text", "from the blocking client", Map.of("receipt", "b1")).await();
                assertThat(app.getBean(ListenerApp.Listeners.class).seen.poll(20, TimeUnit.SECONDS))
                        .isEqualTo("text from the blocking client MESSAGE null");
                app.close();
                assertThat(blocking.isConnected()).isFalse();
            } finally {
                artemis.close();
            }
        } finally {
            app.close();
        }
    }

    @Test
    @DisplayName("TLS from a Spring Boot SSL bundle: ssl:// to a broker whose certificate only the bundle trusts; without the bundle, DOWN and why")
    void sslBundle() throws Exception {
        try (TlsBroker tls = new TlsBroker()) {
            String url = "--stompbox.url=failover:(ssl://localhost:" + tls.port() + ")?initialReconnectDelay=50&maxReconnectDelay=250";
            try (ConfigurableApplicationContext app = start(0, url, "--stompbox.ssl.bundle=broker",
                    "--spring.ssl.bundle.jks.broker.truststore.location=file:" + tls.keyStore(),
                    "--spring.ssl.bundle.jks.broker.truststore.password=" + TlsBroker.PASSWORD,
                    "--spring.ssl.bundle.jks.broker.truststore.type=PKCS12")) {
                await().atMost(Duration.ofSeconds(20)).until(() -> health(app).getStatus().equals(Status.UP));
            }
            try (ConfigurableApplicationContext app = start(0, url)) {
                await().atMost(Duration.ofSeconds(20)).until(() -> health(app).getDetails().containsKey("broker"));
                Health untrusted = health(app);
                assertThat(untrusted.getStatus()).isEqualTo(Status.DOWN);
                assertThat((String) untrusted.getDetails().get("error")).as("the JDK's trust store does not know the broker")
                        .containsIgnoringCase("certificat");
            }
        }
    }

    @Test
    @DisplayName("a listener failure with nowhere to go disconnects the client (the broker redelivers); health says DOWN and why")
    void failedListenerShowsInHealth() {
        int port = TestBroker.freePort();
        EmbeddedArtemis artemis = new EmbeddedArtemis(port, 60_000);
        try (ConfigurableApplicationContext app = start(port)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> health(app).getStatus().equals(Status.UP));
            send(port, "poison", "pill");
            await().atMost(Duration.ofSeconds(20)).until(() -> health(app).getStatus().equals(Status.DOWN));
            assertThat((String) health(app).getDetails().get("error")).contains("poison: pill");
        } finally {
            artemis.close();
        }
    }

    @Test
    @DisplayName("with stompbox.startup.fail-fast, an application that cannot reach its broker does not start, and says why")
    void failFast() {
        int port = TestBroker.freePort();
        long start = System.nanoTime();
        assertThatThrownBy(() -> start(port, "--stompbox.startup.fail-fast=true", "--stompbox.startup.timeout=1s").close())
                .hasStackTraceContaining("could not connect to failover:(tcp://127.0.0.1:" + port)
                .hasStackTraceContaining("stompbox.startup.fail-fast=true");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("within the start-up timeout, plus the context's own time")
                .isLessThan(Duration.ofSeconds(15));
    }

    @Test
    @DisplayName("closing the application waits for a running listener method, whose message is then acknowledged, not redelivered")
    void gracefulShutdown() throws Exception {
        int port = TestBroker.freePort();
        EmbeddedArtemis artemis = new EmbeddedArtemis(port, 60_000);
        try {
            ConfigurableApplicationContext app = start(port);
            ListenerApp.Listeners listeners = app.getBean(ListenerApp.Listeners.class);
            StompListenerContainer container = app.getBean(StompListenerContainer.class);
            container.subscribing().get(20, TimeUnit.SECONDS);
            CountDownLatch gate = new CountDownLatch(1);
            listeners.gate = gate;
            send(port, "slow", "in-flight");
            await().atMost(Duration.ofSeconds(10)).until(() -> container.running() == 1);

            CompletableFuture<Void> closed = CompletableFuture.runAsync(app::close);
            Thread.sleep(500);
            assertThat(closed).as("close waits for the running listener").isNotDone();
            assertThat(listeners.slowFinished).isEmpty();
            gate.countDown();
            closed.get(20, TimeUnit.SECONDS);
            assertThat(listeners.slowFinished).containsExactly("in-flight");

            try (StompClient peer = StompClient.create("tcp://127.0.0.1:" + port)) {
                peer.connect();
                peer.subscribe(ListenerApp.PREFIX + RUN + "-slow", Map.of("ack", "client-individual"));
                assertThat(peer.receiveFrame(Duration.ofSeconds(1))).as("the message was acknowledged before the disconnect").isNull();
            }
        } finally {
            artemis.close();
        }
    }
}
