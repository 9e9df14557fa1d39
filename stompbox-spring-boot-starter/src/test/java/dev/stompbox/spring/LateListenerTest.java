package dev.stompbox.spring;

import dev.stompbox.client.StompClient;
import dev.stompbox.fixtures.EmbeddedArtemis;
import dev.stompbox.fixtures.TestBroker;
import dev.stompbox.spring.listener.StompListener;
import dev.stompbox.spring.listener.StompListenerContainer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A listener whose bean is made after the application started (a {@code @Lazy} one) is subscribed when it is made, on embedded Artemis. */
class LateListenerTest {
    static final String QUEUE = "/queue/sb-late-" + System.nanoTime();

    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class LateApp {
        @Bean
        @Lazy
        LateListener lateListener() {
            return new LateListener();
        }
    }

    static class LateListener {
        final BlockingQueue<String> seen = new LinkedBlockingQueue<>();

        @StompListener(destination = "${late.queue}")
        void on(String body) {
            seen.add(body);
        }
    }

    @Test
    @DisplayName("a @Lazy listener bean made after the start is subscribed then, and gets its messages")
    void aLazyListenerIsSubscribedWhenItsBeanIsMade() throws Exception {
        int port = TestBroker.freePort();
        EmbeddedArtemis artemis = new EmbeddedArtemis(port, 60_000);
        try (ConfigurableApplicationContext app = new SpringApplicationBuilder(LateApp.class).run("--spring.main.banner-mode=off",
                "--stompbox.url=tcp://127.0.0.1:" + port, "--late.queue=" + QUEUE)) {
            StompListenerContainer container = app.getBean(StompListenerContainer.class);
            container.subscribing().get(20, TimeUnit.SECONDS);
            assertThat(container.subscribed()).as("not made yet, so nothing to subscribe").isEmpty();

            LateListener late = app.getBean(LateListener.class);
            await().atMost(Duration.ofSeconds(20)).until(() -> container.subscribed().containsKey("lateListener.on"));
            container.subscribing().get(20, TimeUnit.SECONDS);
            try (StompClient peer = StompClient.create("tcp://127.0.0.1:" + port)) {
                peer.connect();
                peer.send(QUEUE, "after the start", Map.of("receipt", "r-late"));
            }
            assertThat(late.seen.poll(20, TimeUnit.SECONDS)).isEqualTo("after the start");
            assertThat(container.subscribed()).as("subscribed once").containsOnlyKeys("lateListener.on");
        } finally {
            artemis.close();
        }
    }
}
