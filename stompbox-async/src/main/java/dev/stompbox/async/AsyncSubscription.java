package dev.stompbox.async;

import dev.stompbox.async.internal.SerialLane;
import dev.stompbox.protocol.commands.SubscriptionToken;
import dev.stompbox.protocol.connection.SubscriptionHandle;

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
public final class AsyncSubscription extends SubscriptionHandle {
    private final MessageHandler handler;
    private final SubscriptionOptions options;
    private volatile int inFlight; // written on the event loop
    // Messages read for it and not yet handed to its handler, in order; event loop only.
    final java.util.ArrayDeque<Dispatcher.Waiting> waiting = new java.util.ArrayDeque<>();
    boolean ready; // in the dispatcher's turns: messages waiting and room for one more; event loop only
    boolean listed; // among the dispatcher's subscriptions that had messages waiting; event loop only
    SerialLane lane; // one at a time on a pool: where its handlers queue (made on the event loop)
    volatile boolean closing; // being unsubscribed: nothing new is handed to its handler
    java.util.concurrent.CompletableFuture<Void> drained; // completes when closing and none in flight; event loop only

    AsyncSubscription(SubscriptionToken token, String destination, Map<String, String> headers, MessageHandler handler,
                      SubscriptionOptions options) {
        super(token, destination, headers);
        this.handler = handler;
        this.options = options;
    }

    public SubscriptionOptions options() {
        return options;
    }

    /**
     * Messages handed to this subscription's handler and not finished: running, or (one at a time
     * on a pool) queued to run next, at most 32.
     */
    public int inFlight() {
        return inFlight;
    }

    MessageHandler handler() {
        return handler;
    }

    void inFlight(int n) {
        inFlight = n;
    }

    @Override
    public String toString() {
        return "AsyncSubscription[" + id() + " -> " + destination() + ", ack " + ackMode() + ", concurrency " + options.concurrency() + "]";
    }
}
