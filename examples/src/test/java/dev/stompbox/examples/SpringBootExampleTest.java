package dev.stompbox.examples;

import dev.stompbox.client.StompClient;
import dev.stompbox.examples.spring.OrdersApplication;
import dev.stompbox.fixtures.EmbeddedArtemis;
import dev.stompbox.protocol.StompFrame;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The Spring Boot example application, run as a user would run it, against embedded Artemis. */
class SpringBootExampleTest {
    @Test
    void ordersAreConfirmedAndABadOneGoesToTheErrorDestination() {
        EmbeddedArtemis broker = new EmbeddedArtemis(60_000);
        try (ConfigurableApplicationContext app = SpringApplication.run(OrdersApplication.class,
                "--stompbox.url=" + broker.uri(), "--spring.main.banner-mode=off");
             StompClient peer = StompClient.create(broker.uri())) {
            peer.connect();
            peer.subscribe("/queue/orders.confirmed", Map.of());
            peer.subscribe("/queue/orders.failed", Map.of());
            peer.send("/queue/orders", "{\"item\":\"tea\",\"quantity\":3}", Map.of("content-type", "application/json",
                    "correlation-id", "o-1", "receipt", "r1")).await();
            StompFrame confirmed = peer.receiveFrame(Duration.ofSeconds(30));
            assertThat(confirmed).as("the confirmation (the listener subscribes once the application is connected)").isNotNull();
            assertThat(confirmed.header("destination")).isEqualTo("/queue/orders.confirmed");
            assertThat(confirmed.bodyAsString()).isEqualTo("{\"item\":\"tea\",\"quantity\":3,\"correlation\":\"o-1\",\"status\":\"confirmed\"}");

            peer.send("/queue/orders", "{\"item\":\"air\",\"quantity\":0}", Map.of("content-type", "application/json",
                    "correlation-id", "o-2", "receipt", "r2")).await();
            StompFrame failed = peer.receiveFrame(Duration.ofSeconds(30));
            assertThat(failed.header("destination")).isEqualTo("/queue/orders.failed");
            assertThat(failed.header("stompbox-error")).contains("nothing to confirm");
        } finally {
            broker.close();
        }
    }
}
