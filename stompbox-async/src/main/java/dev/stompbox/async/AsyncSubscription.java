package dev.stompbox.async;

import dev.stompbox.protocol.AckMode;
import dev.stompbox.protocol.commands.SubscriptionToken;

import java.util.Map;

/**
 * A subscription of an {@link AsyncStompClient} and its handler. Valid across reconnects (it is
 * replayed with the same id).
 *
 * <pre>{@code
 * AsyncSubscription s = client.subscribe("/queue/in", Map.of("ack", "client-individual"), handler,
 *         SubscriptionOptions.builder().concurrency(4).build()).join();
 * log.info("{} handlers running", s.inFlight());
 * }</pre>
 */
public final class AsyncSubscription {
    private final SubscriptionToken token;
    private final String destination;
    private final Map<String, String> headers;
    private final MessageHandler handler;
    private final SubscriptionOptions options;
    private final AckMode ackMode;
    private volatile int inFlight; // written on the event loop
    int waiting; // messages read for it and not yet handed to its handler; event loop only

    AsyncSubscription(SubscriptionToken token, String destination, Map<String, String> headers, MessageHandler handler,
                      SubscriptionOptions options) {
        this.token = token;
        this.destination = destination;
        this.headers = Map.copyOf(headers);
        this.handler = handler;
        this.options = options;
        this.ackMode = AckMode.of(headers.get("ack"));
    }

    public String id() {
        return token.value();
    }

    public String destination() {
        return destination;
    }

    public Map<String, String> headers() {
        return headers;
    }

    public AckMode ackMode() {
        return ackMode;
    }

    public SubscriptionOptions options() {
        return options;
    }

    /** Handlers of this subscription running now. */
    public int inFlight() {
        return inFlight;
    }

    SubscriptionToken token() {
        return token;
    }

    MessageHandler handler() {
        return handler;
    }

    void inFlight(int n) {
        inFlight = n;
    }

    @Override
    public String toString() {
        return "AsyncSubscription[" + id() + " -> " + destination + ", ack " + ackMode + ", concurrency " + options.concurrency() + "]";
    }
}
