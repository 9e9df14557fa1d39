package dev.stompbox.async;

import dev.stompbox.protocol.StompFrame;

import java.util.concurrent.CompletionStage;

/**
 * Handles the MESSAGE frames of one subscription. Return {@code null} when done, or a
 * {@link CompletionStage} that completes when done (the seed's "you can return a Deferred here").
 * In ack modes {@code client} and {@code client-individual} the message is acknowledged when the
 * handler completes normally; a throw or a failed stage hands it to the subscription's error
 * handling ({@link SubscriptionOptions}).
 *
 * <pre>{@code
 * MessageHandler addOne = (client, frame) -> {
 *     int count = Integer.parseInt(frame.bodyAsString()) + 1;
 *     return client.send("/queue/testOut", Integer.toString(count));   // acked once the send is written
 * };
 * }</pre>
 */
@FunctionalInterface
public interface MessageHandler {
    CompletionStage<?> handle(AsyncStompClient client, StompFrame frame) throws Exception;
}
