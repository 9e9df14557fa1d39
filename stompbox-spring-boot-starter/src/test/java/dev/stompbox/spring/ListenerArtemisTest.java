package dev.stompbox.spring;

import dev.stompbox.fixtures.ArtemisExtension;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The listener contract on embedded ActiveMQ Artemis. */
@SpringBootTest(classes = ListenerApp.class, properties = "stompbox.disconnect-timeout=3s")
@DirtiesContext
class ListenerArtemisTest extends ListenerContract {
    @RegisterExtension
    static final ArtemisExtension ARTEMIS = new ArtemisExtension();

    @DynamicPropertySource
    static void broker(DynamicPropertyRegistry registry) {
        registry.add("stompbox.url", () -> ARTEMIS.broker().uri());
        registry.add("test.run", () -> RUN);
    }

    @Override
    String brokerUri() {
        return ARTEMIS.broker().uri();
    }
}
