package dev.stompbox.examples;

import dev.stompbox.async.AsyncStompClientConfig;
import dev.stompbox.async.AsyncStompClient;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Publishes without losing a message when the connection goes: with at-least-once publishing the
 * client re-sends, after the reconnect, every SEND the broker had not confirmed, and each future
 * completes once the broker has the message. {@code persistent:true} makes Artemis keep the
 * messages across a restart of its own. A consumer may see a message twice (it arrived, its
 * RECEIPT did not); the {@code receipt} header, which Artemis and RabbitMQ copy into the MESSAGE,
 * pairs the copies.
 *
 * <pre>{@code
 * java dev.stompbox.examples.AtLeastOnceProducer "failover:(tcp://a:61613,tcp://b:61613)?randomize=false" 1000
 * }</pre>
 */
public final class AtLeastOnceProducer {
    private AtLeastOnceProducer() {
    }

    /** A client that reconnects along {@code failoverUri} and re-sends what was not confirmed. */
    public static AsyncStompClient client(String failoverUri) {
        return AsyncStompClient.create(AsyncStompClientConfig.builder(failoverUri)
                .autoReconnect(true)
                .atLeastOnce(true)          // every SEND asks for a RECEIPT; unconfirmed ones go out again
                .maxUnreceipted(1000)       // the default: beyond it, send fails at once; whenReady() says when to go on
                .receiptTimeout(Duration.ofMinutes(2)) // how long one SEND may take, reconnects included
                .build());
    }

    /** Sends {@code count} messages and returns once the broker has confirmed every one of them. */
    public static void publish(AsyncStompClient client, String destination, int count, Duration timeout)
            throws InterruptedException, ExecutionException, TimeoutException {
        List<CompletableFuture<Void>> confirmed = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            client.whenReady().get(timeout.toMillis(), TimeUnit.MILLISECONDS); // never more than the window outstanding
            confirmed.add(client.send(destination, ("message " + i).getBytes(StandardCharsets.UTF_8), Map.of("persistent", "true")));
        }
        CompletableFuture.allOf(confirmed.toArray(CompletableFuture[]::new)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public static void main(String[] args) throws Exception {
        AsyncStompClient stomp = client(args.length > 0 ? args[0] : "tcp://localhost:61613");
        try {
            stomp.connect().get(1, TimeUnit.MINUTES);
            publish(stomp, SimpleProducer.QUEUE, args.length > 1 ? Integer.parseInt(args[1]) : 100, Duration.ofMinutes(5));
            stomp.disconnect().get(1, TimeUnit.MINUTES);
        } finally {
            stomp.close();
        }
    }
}
