package dev.stompbox.examples;

import dev.stompbox.client.StompClient;
import dev.stompbox.client.Transaction;
import dev.stompbox.protocol.StompFrame;

import java.time.Duration;
import java.util.Map;

/**
 * Moves one message from one queue to another with a transaction: the SEND and the ACK take
 * effect together on commit, or not at all. Closing a transaction that was not committed aborts it.
 * Needs a broker that honours a transaction on ACK (ActiveMQ Classic, RabbitMQ): ActiveMQ Artemis
 * applies an ACK at once even inside a transaction, so after an abort there the message is gone.
 *
 * <pre>{@code
 * java dev.stompbox.examples.TransactionalTransfer tcp://localhost:61613 /queue/from /queue/to
 * }</pre>
 */
public final class TransactionalTransfer {
    private TransactionalTransfer() {
    }

    /**
     * Takes one message from {@code from} and puts it on {@code to}; with {@code commit} false the
     * transaction is aborted and the message stays where it was (the broker redelivers it).
     *
     * @return the message moved, or {@code null} when none came within {@code wait}
     */
    public static StompFrame transfer(StompClient stomp, String from, String to, boolean commit, Duration wait) {
        stomp.subscribe(from, Map.of("ack", "client-individual"));
        StompFrame message = stomp.receiveFrame(wait);
        if (message == null) {
            return null;
        }
        try (Transaction tx = stomp.begin()) {
            tx.send(to, message.body(), Map.of());
            tx.ack(message);
            if (commit) {
                tx.commit();
            }
        }
        return message;
    }

    public static void main(String[] args) {
        try (StompClient stomp = StompClient.create(args[0])) {
            stomp.connect();
            StompFrame moved = transfer(stomp, args[1], args[2], true, Duration.ofSeconds(10));
            System.out.println(moved == null ? "nothing to move" : "moved " + moved.info());
            stomp.disconnect();
        }
    }
}
