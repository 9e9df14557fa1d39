package dev.stompbox.examples;

import dev.stompbox.client.StompClient;
import dev.stompbox.client.Transaction;
import dev.stompbox.protocol.StompFrame;

import java.time.Duration;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * The seed's producer → transformer → consumer chain with the blocking client, on the same queues
 * as the asynchronous {@link Producer}, {@link IncrementTransformer} and {@link Consumer}. Each
 * part is a loop on one thread: the blocking client imposes no concurrency model.
 *
 * <p>The transformer sends the new count and acknowledges the input in one transaction; a message
 * it cannot read goes to {@link IncrementTransformer#ERROR_QUEUE} in the same way. On brokers that
 * honour a transaction on ACK (ActiveMQ Classic, RabbitMQ) a crash between the two neither loses
 * nor doubles a count. ActiveMQ Artemis applies an ACK at once even inside a transaction; there
 * the SEND is still transactional, but an abort cannot give the input back.
 *
 * <pre>{@code
 * java dev.stompbox.examples.BlockingChain tcp://localhost:61613 transformer
 * }</pre>
 */
public final class BlockingChain {
    private BlockingChain() {
    }

    /** Sends counts 0 to 9. */
    public static void produce(StompClient stomp) {
        for (int i = 0; i < 10; i++) {
            stomp.send(Producer.QUEUE, Count.json(i));
        }
    }

    /** Transforms until {@code idle} passes without a message. */
    public static void transform(StompClient stomp, Duration idle) {
        stomp.subscribe(IncrementTransformer.IN_QUEUE, Map.of("ack", "client-individual"));
        StompFrame frame;
        while ((frame = stomp.receiveFrame(idle)) != null) {
            try (Transaction tx = stomp.begin()) {
                try {
                    tx.send(IncrementTransformer.OUT_QUEUE, Count.json(Count.parse(frame.bodyAsString()) + 1));
                } catch (IllegalArgumentException poison) {
                    tx.send(IncrementTransformer.ERROR_QUEUE, frame.body(), Map.of("stompbox-error", poison.getMessage()));
                }
                tx.ack(frame);
                tx.commit();
            }
        }
    }

    /** Hands each count to {@code sink} until {@code idle} passes without a message. */
    public static void consume(StompClient stomp, Duration idle, IntConsumer sink) {
        stomp.subscribe(Consumer.QUEUE, Map.of("ack", "client-individual"));
        StompFrame frame;
        while ((frame = stomp.receiveFrame(idle)) != null) {
            sink.accept(Count.parse(frame.bodyAsString()));
            stomp.ack(frame);
        }
    }

    public static void main(String[] args) {
        String uri = args.length > 0 ? args[0] : "tcp://localhost:61613";
        String part = args.length > 1 ? args[1] : "producer";
        try (StompClient stomp = StompClient.create(uri)) {
            stomp.connect();
            switch (part) {
                case "producer" -> produce(stomp);
                case "transformer" -> transform(stomp, Duration.ofDays(365));
                case "consumer" -> consume(stomp, Duration.ofDays(365), count -> System.out.println("Got count " + count));
                default -> throw new IllegalArgumentException("part must be producer, transformer or consumer: " + part);
            }
            stomp.disconnect();
        }
    }
}
