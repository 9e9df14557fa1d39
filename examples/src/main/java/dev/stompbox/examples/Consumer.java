package dev.stompbox.examples;

import dev.stompbox.async.AsyncStompClientConfig;
import dev.stompbox.async.AsyncStompClient;
import dev.stompbox.async.AsyncSubscription;
import dev.stompbox.async.SubscriptionOptions;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntConsumer;

/**
 * The seed's Twisted consumer: prints the counts arriving on {@value #QUEUE}; what it cannot read
 * goes to {@value #ERROR_QUEUE}.
 *
 * <pre>{@code
 * java dev.stompbox.examples.Consumer tcp://localhost:61613
 * }</pre>
 */
public final class Consumer {
    public static final String QUEUE = "/queue/testOut";
    public static final String ERROR_QUEUE = "/queue/testConsumerError";

    private Consumer() {
    }

    public static CompletableFuture<AsyncSubscription> run(AsyncStompClient stomp, IntConsumer onCount) {
        return stomp.subscribe(QUEUE, Map.of("ack", "client-individual", "activemq.prefetchSize", "100"), (c, frame) -> {
            onCount.accept(Count.parse(frame.bodyAsString()));
            return null;
        }, SubscriptionOptions.builder().errorDestination(ERROR_QUEUE).build());
    }

    public static void main(String[] args) {
        AsyncStompClient stomp = AsyncStompClient.create(AsyncStompClientConfig.builder(args.length > 0 ? args[0] : "tcp://localhost:61613").build());
        stomp.connect().thenCompose(c -> run(c, count -> System.out.println("Received msg with count " + count))).join();
        stomp.disconnected().join();
    }
}
