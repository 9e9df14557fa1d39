package dev.stompbox.examples;

import dev.stompbox.async.AsyncStompClientConfig;
import dev.stompbox.async.AsyncStompClient;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The seed's Twisted producer with the asynchronous client: ten {@code {"count": x}} messages to
 * {@value #QUEUE}.
 *
 * <pre>{@code
 * java dev.stompbox.examples.Producer tcp://localhost:61613
 * }</pre>
 */
public final class Producer {
    public static final String QUEUE = "/queue/testIn";

    private Producer() {
    }

    /** Sends the ten messages; completes when all are written. */
    public static CompletableFuture<Void> run(AsyncStompClient stomp) {
        List<CompletableFuture<Void>> sends = new ArrayList<>();
        for (int x = 0; x < 10; x++) {
            sends.add(stomp.send(QUEUE, Count.json(x)));
        }
        return CompletableFuture.allOf(sends.toArray(new CompletableFuture<?>[0]));
    }

    public static void main(String[] args) {
        AsyncStompClient stomp = AsyncStompClient.create(AsyncStompClientConfig.builder(args.length > 0 ? args[0] : "tcp://localhost:61613").build());
        try {
            stomp.connect().thenCompose(Producer::run).thenCompose(v -> stomp.disconnect()).join();
        } finally {
            stomp.close();
        }
    }
}
