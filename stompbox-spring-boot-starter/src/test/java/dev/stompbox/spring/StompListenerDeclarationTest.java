package dev.stompbox.spring;

import dev.stompbox.spring.boot.StompboxAutoConfiguration;
import dev.stompbox.spring.listener.StompListener;
import dev.stompbox.spring.listener.StompListenerMethodProcessor;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/** A listener method declared wrongly stops the application's start and names the method; a right one is found with its placeholders resolved. */
class StompListenerDeclarationTest {
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(StompboxAutoConfiguration.class))
            .withPropertyValues("stompbox.url=tcp://127.0.0.1:1", "stompbox.auto-reconnect=false", "stompbox.listener.auto-startup=false");

    static class TwoBodies {
        @StompListener(destination = "/queue/x")
        void both(String one, String two) {
        }
    }

    static class OptionalPrimitive {
        @StompListener(destination = "/queue/x")
        void handle(String body, @org.springframework.messaging.handler.annotation.Header(name = "n", required = false) int n) {
        }
    }

    static class BadConcurrency {
        @StompListener(destination = "/queue/x", concurrency = "${workers}")
        void handle(String body) {
        }
    }

    static class Placeholders {
        @StompListener(destination = "/queue/${queue}", concurrency = "${workers}", selector = "kind = '${kind}'",
                headers = "durable-subscription-name=${queue}-audit", prefetch = "16", id = "audit", nackOnError = true,
                errorDestination = "/queue/${queue}.failed", confirm = false)
        void handle(String body) {
        }
    }

    static class Scoped {
        @StompListener(destination = "/queue/x")
        void handle(String body) {
        }
    }

    @Test
    @DisplayName("a listener on a prototype bean fails the start, naming the bean: each instance would subscribe again")
    void prototype() {
        runner.withBean("perInstance", Scoped.class, Scoped::new, d -> d.setScope("prototype")).run(context -> assertThat(context)
                .hasFailed().getFailure().hasStackTraceContaining("@StompListener perInstance.handle")
                .hasStackTraceContaining("the bean 'perInstance' is not a singleton"));
    }

    @Test
    @DisplayName("two parameters that would both be the body: the start fails, naming the method")
    void twoBodies() {
        runner.withBean(TwoBodies.class).run(context -> assertThat(context).hasFailed().getFailure()
                .hasStackTraceContaining("@StompListener stompListenerDeclarationTest.TwoBodies.both")
                .hasStackTraceContaining("at most one parameter can be the body"));
    }

    @Test
    @DisplayName("an optional header bound to a primitive (a missing one could not be passed) fails the start, saying what to do")
    void optionalPrimitive() {
        runner.withBean(OptionalPrimitive.class).run(context -> assertThat(context).hasFailed().getFailure()
                .hasStackTraceContaining("optional header 'n' cannot be a int").hasStackTraceContaining("defaultValue"));
    }

    @Test
    @DisplayName("a concurrency that is not a number fails the start, naming the method")
    void badConcurrency() {
        runner.withBean(BadConcurrency.class).withPropertyValues("workers=many").run(context -> assertThat(context).hasFailed()
                .getFailure().hasStackTraceContaining("@StompListener stompListenerDeclarationTest.BadConcurrency.handle")
                .hasStackTraceContaining("many"));
    }

    @Test
    @DisplayName("placeholders are resolved in the destination, concurrency, selector and headers; ack, id and prefetch are set")
    void placeholders() {
        runner.withBean(Placeholders.class).withPropertyValues("queue=orders", "workers=3", "kind=big").run(context -> {
            var endpoints = context.getBean(StompListenerMethodProcessor.class).endpoints();
            assertThat(endpoints).hasSize(1);
            var e = endpoints.get(0);
            assertThat(e.destination()).isEqualTo("/queue/orders");
            assertThat(e.options().concurrency()).isEqualTo(3);
            assertThat(e.options().prefetch()).isEqualTo(16);
            assertThat(e.options().nackOnError()).isTrue();
            assertThat(e.options().confirm()).isFalse();
            assertThat(e.options().errorDestination()).isEqualTo("/queue/orders.failed");
            assertThat(e.headers()).containsEntry("selector", "kind = 'big'").containsEntry("durable-subscription-name", "orders-audit")
                    .containsEntry("ack", "client-individual").containsEntry("id", "audit");
        });
    }
}
