package dev.stompbox.spring.listener.internal;

import dev.stompbox.async.SubscriptionOptions;

import java.lang.reflect.Method;
import java.util.Map;

/**
 * One {@code @StompListener} method with its placeholders resolved: where it subscribes, with which
 * headers and options, and who handles the messages.
 */
public record ListenerEndpoint(String name, String destination, Map<String, String> headers, SubscriptionOptions options,
                               Object bean, Method method, ListenerMethodHandler handler) {
    @Override
    public String toString() {
        return name + " on " + destination;
    }
}
