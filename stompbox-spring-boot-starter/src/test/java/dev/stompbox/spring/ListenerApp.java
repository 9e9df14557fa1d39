package dev.stompbox.spring;

import dev.stompbox.protocol.StompFrame;
import dev.stompbox.spring.listener.StompListener;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.messaging.handler.annotation.Header;
import org.springframework.messaging.handler.annotation.Headers;
import org.springframework.messaging.handler.annotation.SendTo;

import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A Spring Boot application with listener methods of every kind the starter binds; the tests run it against real brokers. */
@Configuration(proxyBeanMethods = false)
@EnableAutoConfiguration
public class ListenerApp {
    /** Destinations are unique per test class run, so that the queues of earlier runs do not interfere. */
    public static final String PREFIX = "/queue/sb-";

    public record Order(String item, int quantity) {
    }

    public record Confirmation(String item, int quantity, String correlation) {
    }

    @Bean
    Listeners listeners() {
        return new Listeners();
    }

    /** What the listener methods saw, for the tests to look at. */
    public static class Listeners {
        public final BlockingQueue<String> seen = new LinkedBlockingQueue<>();
        /** While closed, {@link #slow} holds its message, to show that stopping waits for it. */
        public volatile CountDownLatch gate = new CountDownLatch(0);
        public final BlockingQueue<String> slowFinished = new LinkedBlockingQueue<>();

        @StompListener(destination = PREFIX + "${test.run}-orders", concurrency = "2")
        @SendTo(PREFIX + "${test.run}-confirmations")
        public Confirmation order(Order order, @Header("correlation-id") String correlation) {
            return new Confirmation(order.item(), order.quantity(), correlation);
        }

        @StompListener(destination = PREFIX + "${test.run}-text")
        public void text(String body, StompFrame frame, @Headers Map<String, String> headers) {
            seen.add("text " + body + " " + frame.command() + " " + headers.get("tag"));
        }

        @StompListener(destination = PREFIX + "${test.run}-bytes")
        public void bytes(byte[] body, @Header(name = "n") int n, @Header(name = "absent", required = false) String absent) {
            seen.add("bytes " + body.length + " n+1=" + (n + 1) + " absent=" + absent);
        }

        @StompListener(destination = PREFIX + "${test.run}-requests")
        public String echo(String body) {
            return body.toUpperCase();
        }

        @StompListener(destination = PREFIX + "${test.run}-strict", errorDestination = PREFIX + "${test.run}-strict-errors")
        public void strict(Order order) {
            seen.add("strict " + order);
        }

        /** No error destination, no NACK: a failure makes the client disconnect, as the asynchronous client does. */
        @StompListener(destination = PREFIX + "${test.run}-poison")
        public void poison(String body) {
            throw new IllegalStateException("poison: " + body);
        }

        @StompListener(destination = PREFIX + "${test.run}-slow")
        public void slow(String body) throws InterruptedException {
            if (!gate.await(20, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the gate never opened");
            }
            slowFinished.add(body);
        }
    }
}
