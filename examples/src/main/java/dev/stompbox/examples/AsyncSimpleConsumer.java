package dev.stompbox.examples;

import dev.stompbox.async.AsyncStompClientConfig;
import dev.stompbox.async.AsyncStompClient;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The seed's simple consumer with the asynchronous client: a handler per subscription, each
 * message acknowledged once its handler returns.
 *
 * <pre>{@code
 * java dev.stompbox.examples.AsyncSimpleConsumer tcp://localhost:61613
 * }</pre>
 */
public final class AsyncSimpleConsumer {
    private AsyncSimpleConsumer() {
    }

    /** Subscribes {@code stomp} and hands each body to {@code sink}; completes when subscribed. */
    public static CompletableFuture<?> run(AsyncStompClient stomp, Consumer<String> sink) {
        return stomp.subscribe(SimpleProducer.QUEUE, Map.of("ack", "client-individual", "receipt", "subscribed"),
                (client, frame) -> {
                    sink.accept(frame.bodyAsString());
                    return null; // done: the client sends the ACK
                });
    }

    public static void main(String[] args) {
        AsyncStompClient stomp = AsyncStompClient.create(
                AsyncStompClientConfig.builder(args.length > 0 ? args[0] : "tcp://localhost:61613").build());
        stomp.connect().thenCompose(c -> run(stomp, body -> System.out.println("Got " + body))).join();
        stomp.disconnected().join(); // runs until the connection ends
    }
}
