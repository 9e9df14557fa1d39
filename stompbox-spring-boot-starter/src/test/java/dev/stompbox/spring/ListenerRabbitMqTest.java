package dev.stompbox.spring;

import dev.stompbox.fixtures.RabbitMqExtension;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The listener contract on RabbitMQ with its STOMP plugin (started by {@code .ci/run}). */
@SpringBootTest(classes = ListenerApp.class, properties = "stompbox.disconnect-timeout=3s")
@DirtiesContext
class ListenerRabbitMqTest extends ListenerContract {
    @RegisterExtension
    static final RabbitMqExtension RABBITMQ = new RabbitMqExtension();

    @DynamicPropertySource
    static void broker(DynamicPropertyRegistry registry) {
        registry.add("stompbox.url", () -> RABBITMQ.broker().uri());
        registry.add("test.run", () -> RUN);
    }

    @Override
    String brokerUri() {
        return RABBITMQ.broker().uri();
    }
}
