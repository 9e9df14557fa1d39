package dev.stompbox.spring.boot;

import dev.stompbox.client.StompClient;
import dev.stompbox.protocol.connection.ConnectionConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Connects the blocking client ({@code stompbox.blocking.enabled=true}) when the context starts and
 * disconnects it gracefully when it stops, with the start-up rules of
 * {@link StompboxClientLifecycle}: without fail-fast, {@code connect()} runs on a thread of its own
 * ({@code stompbox-blocking-connect}) with no deadline, so the application starts while the broker is
 * away. Thread-safe.
 *
 * <pre>{@code
 * stompbox.blocking.enabled=true
 * }</pre>
 */
public class StompboxBlockingClientLifecycle implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(StompboxBlockingClientLifecycle.class);

    private final StompClient client;
    private final StompboxProperties properties;
    private volatile boolean running;
    private Thread connecting;

    public StompboxBlockingClientLifecycle(StompClient client, StompboxProperties properties) {
        this.client = client;
        this.properties = properties;
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        StompboxProperties.Startup startup = properties.getStartup();
        if (startup.isFailFast()) {
            try {
                client.connect(startup.getTimeout());
            } catch (RuntimeException e) {
                running = false;
                client.closeNow();
                throw new IllegalStateException("Stompbox (blocking) could not connect to " + client.config().uri() + " within "
                        + startup.getTimeout() + " (stompbox.startup.fail-fast=true): " + e.getMessage(), e);
            }
            return;
        }
        connecting = new Thread(() -> {
            try {
                client.connect(ConnectionConfig.FOREVER);
            } catch (RuntimeException e) {
                if (running) {
                    log.error("Stompbox (blocking) could not connect to {}: {}", client.config().uri(), e.toString());
                }
            }
        }, "stompbox-blocking-connect");
        connecting.setDaemon(true);
        connecting.start();
    }

    @Override
    public synchronized void stop() {
        if (!running) {
            return;
        }
        running = false;
        try {
            client.disconnect(); // bounded by the disconnect timeout; also ends a connect still walking
        } catch (RuntimeException e) {
            log.debug("Stompbox (blocking) disconnect: {}", e.toString());
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return StompboxClientLifecycle.PHASE;
    }
}
