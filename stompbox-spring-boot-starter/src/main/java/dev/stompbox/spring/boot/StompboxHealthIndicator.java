package dev.stompbox.spring.boot;

import dev.stompbox.async.AsyncStompClient;
import dev.stompbox.spring.boot.internal.ConnectionStatus;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The Actuator health of the asynchronous client, under the name {@code stompbox}: UP with the
 * broker and the STOMP version when connected; DOWN otherwise, with the broker last tried and why
 * it failed (refused, timed out, the broker's ERROR, a lost connection, a failed listener that made
 * the client disconnect). Never shows credentials.
 * Turn it off with {@code management.health.stompbox.enabled=false}.
 *
 * <pre>{@code
 * GET /actuator/health/stompbox
 * {"status":"DOWN","details":{"url":"failover:(tcp://broker:61613)","broker":"tcp://broker:61613",
 *  "error":"dev.stompbox.protocol.StompConnectionException: cannot connect to tcp://broker:61613: Connection refused"}}
 * }</pre>
 */
public class StompboxHealthIndicator implements HealthIndicator {
    private final AsyncStompClient client;
    private final ConnectionStatus status;

    public StompboxHealthIndicator(AsyncStompClient client, ConnectionStatus status) {
        this.client = client;
        this.status = status;
    }

    @Override
    public Health health() {
        Health.Builder health = client.isConnected() ? Health.up() : Health.down();
        health.withDetail("url", client.config().uri()); // never holds credentials: the clients refuse such URIs
        if (client.isConnected()) {
            return health.withDetail("broker", String.valueOf(client.broker()))
                    .withDetail("version", client.version().toString()).build();
        }
        if (status.lastTried() != null) {
            health.withDetail("broker", status.lastTried().toString());
        }
        Throwable failure = status.lastFailure();
        if (failure == null) {
            failure = endedBy(client.disconnected());
        }
        return health.withDetail("error", failure != null ? failure.toString() : "not connected").build();
    }

    /** Why the connection ended for good, when it did with a cause (a failed handler, an ERROR); else {@code null}. */
    private static Throwable endedBy(java.util.concurrent.CompletableFuture<Void> ended) {
        if (!ended.isCompletedExceptionally()) {
            return null;
        }
        try {
            ended.getNow(null);
            return null;
        } catch (java.util.concurrent.CompletionException | java.util.concurrent.CancellationException e) {
            return e.getCause() != null ? e.getCause() : e;
        }
    }
}
