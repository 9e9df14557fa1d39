package dev.stompbox.examples;

import dev.stompbox.client.StompClient;

/**
 * The seed's simple producer with the blocking client.
 *
 * <pre>{@code
 * java dev.stompbox.examples.SimpleProducer tcp://localhost:61613
 * }</pre>
 */
public final class SimpleProducer {
    public static final String QUEUE = "/queue/simpleTest";

    private SimpleProducer() {
    }

    public static void main(String[] args) {
        try (StompClient stomp = StompClient.create(args.length > 0 ? args[0] : "tcp://localhost:61613")) {
            stomp.connect();
            stomp.send(QUEUE, "test message1");
            stomp.send(QUEUE, "test message2");
            stomp.disconnect();
        }
    }
}
