package dev.stompbox.examples;

import dev.stompbox.client.StompClient;
import dev.stompbox.protocol.StompFrame;

import java.util.Map;

/**
 * The seed's simple consumer with the blocking client: receives until interrupted.
 *
 * <pre>{@code
 * java dev.stompbox.examples.SimpleConsumer tcp://localhost:61613
 * }</pre>
 */
public final class SimpleConsumer {
    private SimpleConsumer() {
    }

    public static void main(String[] args) {
        try (StompClient stomp = StompClient.create(args.length > 0 ? args[0] : "tcp://localhost:61613")) {
            stomp.connect();
            stomp.subscribe(SimpleProducer.QUEUE, Map.of("ack", "client"));
            while (!Thread.currentThread().isInterrupted()) {
                StompFrame frame = stomp.receiveFrame();
                System.out.println("Got message frame: " + frame.info());
                stomp.ack(frame);
            }
            stomp.disconnect();
        }
    }
}
