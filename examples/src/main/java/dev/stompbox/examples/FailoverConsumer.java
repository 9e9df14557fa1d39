package dev.stompbox.examples;

import dev.stompbox.protocol.connection.ConnectionListener;
import dev.stompbox.protocol.connection.ReconnectReport;
import dev.stompbox.client.StompClient;
import dev.stompbox.client.StompAckException;
import dev.stompbox.client.StompClientConfig;
import dev.stompbox.protocol.StompConnectionException;
import dev.stompbox.protocol.StompFrame;

import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Consumes through a failover URI: when the broker goes away the client reconnects to the next
 * one (with the back-off the URI sets), subscribes again, and {@code receiveFrame} carries on.
 * Messages received but not acked before the loss come again from the broker; acks of them on
 * the old connection are refused, never sent.
 *
 * <pre>{@code
 * java dev.stompbox.examples.FailoverConsumer "failover:(tcp://a:61613,tcp://b:61613)?randomize=false"
 * }</pre>
 */
public final class FailoverConsumer {
    private FailoverConsumer() {
    }

    /** A client for {@code failoverUri} that reconnects by itself and reports each reconnect. */
    public static StompClient client(String failoverUri, Consumer<ReconnectReport> onReconnect) {
        return StompClient.create(StompClientConfig.builder(failoverUri)
                .autoReconnect(true)
                .listener(new ConnectionListener() {
                    @Override
                    public void reconnected(ReconnectReport report) {
                        onReconnect.accept(report);
                    }
                })
                .build());
    }

    /**
     * Receives and acks until {@code idle} passes without a message. An ack that finds the
     * connection gone (lost between receive and ack, or the message came on the connection before)
     * is not an error here: the broker did not get it, so it delivers the message again.
     */
    public static void consume(StompClient stomp, String destination, Duration idle, Consumer<String> sink) {
        stomp.subscribe(destination, Map.of("ack", "client-individual"));
        StompFrame frame;
        while ((frame = stomp.receiveFrame(idle)) != null) {
            sink.accept(frame.bodyAsString());
            try {
                stomp.ack(frame);
            } catch (StompAckException | StompConnectionException e) {
                System.err.println("not acked, the broker will redeliver it: " + e.getMessage());
            }
        }
    }

    public static void main(String[] args) {
        try (StompClient stomp = client(args[0], report -> System.out.println("reconnected: " + report))) {
            stomp.connect();
            consume(stomp, SimpleProducer.QUEUE, Duration.ofDays(365), body -> System.out.println("Got " + body));
        }
    }
}
