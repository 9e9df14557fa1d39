package dev.stompbox.spring.boot.internal;

import dev.stompbox.protocol.metrics.StompMetrics;

/** The meters for a client of a given name; only made when Micrometer and stompbox-micrometer are there. */
@FunctionalInterface
public interface ClientMetrics {
    StompMetrics forClient(String name);
}
