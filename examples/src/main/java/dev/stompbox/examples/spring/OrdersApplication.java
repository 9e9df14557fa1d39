package dev.stompbox.examples.spring;

import dev.stompbox.spring.listener.StompListener;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.messaging.handler.annotation.Header;
import org.springframework.messaging.handler.annotation.SendTo;
import org.springframework.stereotype.Component;

/**
 * A Spring Boot application with the Stompbox starter: orders arrive as JSON on {@code /queue/orders},
 * four at a time, and each is confirmed as JSON on {@code /queue/orders.confirmed}; an order that
 * cannot be read goes to {@code /queue/orders.failed}. Everything else is properties:
 *
 * <pre>
 * java -cp ... dev.stompbox.examples.spring.OrdersApplication --stompbox.url=tcp://localhost:61613
 * </pre>
 */
@SpringBootApplication
public class OrdersApplication {
    public static void main(String[] args) {
        SpringApplication.run(OrdersApplication.class, args);
    }

    public record Order(String item, int quantity) {
    }

    public record Confirmation(String item, int quantity, String correlation, String status) {
    }

    @Component
    public static class Orders {
        @StompListener(destination = "/queue/orders", concurrency = "4", errorDestination = "/queue/orders.failed")
        @SendTo("/queue/orders.confirmed")
        public Confirmation confirm(Order order, @Header("correlation-id") String correlation) {
            if (order.quantity() <= 0) {
                throw new IllegalArgumentException("nothing to confirm: " + order);
            }
            return new Confirmation(order.item(), order.quantity(), correlation, "confirmed");
        }
    }
}
