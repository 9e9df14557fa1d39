package dev.stompbox.examples;

import dev.stompbox.async.AsyncStompClientConfig;
import dev.stompbox.async.AsyncStompClient;
import dev.stompbox.async.AsyncSubscription;
import dev.stompbox.async.SubscriptionOptions;
import dev.stompbox.protocol.StompFrame;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The seed's Twisted transformer: reads {@value #IN_QUEUE}, adds one to the count, writes
 * {@value #OUT_QUEUE}. A message it cannot handle goes to {@value #ERROR_QUEUE} (the poison pill
 * scheme) and is acknowledged.
 *
 * <pre>{@code
 * java dev.stompbox.examples.IncrementTransformer tcp://localhost:61613
 * }</pre>
 */
public final class IncrementTransformer {
    public static final String IN_QUEUE = "/queue/testIn";
    public static final String OUT_QUEUE = "/queue/testOut";
    public static final String ERROR_QUEUE = "/queue/testTransformerError";

    private IncrementTransformer() {
    }

    public static CompletableFuture<AsyncSubscription> run(AsyncStompClient stomp) {
        Map<String, String> headers = Map.of(
                // client-individual is what makes concurrent processing safe
                "ack", "client-individual",
                // the most messages the broker lets this consumer work on at once
                "activemq.prefetchSize", "100");
        return stomp.subscribe(IN_QUEUE, headers, IncrementTransformer::addOne,
                SubscriptionOptions.builder().concurrency(4).errorDestination(ERROR_QUEUE).build());
    }

    /** You can return a future here: the message is acked once it completes. */
    static CompletionStage<?> addOne(AsyncStompClient stomp, StompFrame frame) {
        int count = Count.parse(frame.bodyAsString());
        return stomp.send(OUT_QUEUE, Count.json(count + 1));
    }

    public static void main(String[] args) {
        AsyncStompClient stomp = AsyncStompClient.create(AsyncStompClientConfig.builder(args.length > 0 ? args[0] : "tcp://localhost:61613").build());
        stomp.connect().thenCompose(IncrementTransformer::run).join();
        stomp.disconnected().join(); // runs until the connection ends
    }
}
