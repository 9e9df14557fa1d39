package dev.stompbox.examples;

import dev.stompbox.async.AsyncStompClientConfig;
import dev.stompbox.async.AsyncStompClient;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The seed's simple producer with the asynchronous client: two messages, each confirmed by a
 * RECEIPT before the client disconnects.
 *
 * <pre>{@code
 * java dev.stompbox.examples.AsyncSimpleProducer tcp://localhost:61613
 * }</pre>
 */
public final class AsyncSimpleProducer {
    private AsyncSimpleProducer() {
    }

    public static void main(String[] args) {
        AsyncStompClient stomp = AsyncStompClient.create(
                AsyncStompClientConfig.builder(args.length > 0 ? args[0] : "tcp://localhost:61613").build());
        try {
            stomp.connect().join();
            for (String body : new String[] {"test message1", "test message2"}) {
                // A receipt header makes the future complete when the broker has the message.
                stomp.send(SimpleProducer.QUEUE, body.getBytes(StandardCharsets.UTF_8), Map.of("receipt", body)).join();
            }
            stomp.disconnect().join();
        } finally {
            stomp.close();
        }
    }
}
