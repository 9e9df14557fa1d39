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
 * <p><b>Threads.</b> It runs on the subscription's executor if it has one, else the client's
 * (by default a pool that grows to as many threads as handlers the client lets run at once), or on the event
 * loop with {@code SubscriptionOptions.onEventLoop(true)}. On an executor it may block: a slow
 * handler holds one of its subscription's {@code concurrency} places, messages behind it wait, and
 * once {@code maxBufferedMessages} wait the client stops reading the socket (the broker holds the
 * rest; the server-silence check waits too). Heart-beats go on regardless: they never wait for a
 * handler. On the event loop it must never block: everything of the client waits for it there.
 * Handlers of one subscription with {@code concurrency(1)} run one at a time, in the order the
 * messages came; above 1 they overlap.
 *
 * <p>A handler with nothing to wait for returns {@code null}, or is written as a
 * {@link #consumer(Consumer) consumer}, which returns nothing.
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

    /** A handler that returns nothing: done when it returns. */
    @FunctionalInterface
    interface Consumer {
        void accept(AsyncStompClient client, StompFrame frame) throws Exception;
    }

    /**
     * A handler from {@code consumer}, for handlers with nothing to wait for:
     * {@code MessageHandler.consumer((client, frame) -> log.info(frame.bodyAsString()))}.
     */
    static MessageHandler consumer(Consumer consumer) {
        return (client, frame) -> {
            consumer.accept(client, frame);
            return null;
        };
    }
}
