package dev.stompbox.protocol.commands;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PrefetchTest {
    @Test
    @DisplayName("each broker's own header for N messages in flight, by its CONNECTED server header; Artemis has none")
    void byBroker() {
        assertThat(Prefetch.header("ActiveMQ/6.1.6", 4)).contains(Map.entry("activemq.prefetchSize", "4"));
        assertThat(Prefetch.header("RabbitMQ/3.13.7", 4)).contains(Map.entry("prefetch-count", "4"));
        assertThat(Prefetch.header("ActiveMQ-Artemis/2.55.0 ActiveMQ Artemis Messaging Engine", 4)).isEmpty();
        assertThat(Prefetch.whyNot("ActiveMQ-Artemis/2.55.0")).contains("bytes");
        assertThat(Prefetch.header(null, 4)).isEmpty();
        assertThat(Prefetch.whyNot(null)).contains("no server header");
        assertThat(Prefetch.asked("RabbitMQ/3.13.7", Map.of("prefetch-count", " 8 "))).contains(8);
        assertThat(Prefetch.asked("RabbitMQ/3.13.7", Map.of("prefetch-count", "lots"))).isEmpty();
        assertThat(Prefetch.asked("ActiveMQ-Artemis/2.55.0", Map.of("activemq.prefetchSize", "8"))).as("bytes there").isEmpty();
        assertThatThrownBy(() -> Prefetch.header("RabbitMQ/3", 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
