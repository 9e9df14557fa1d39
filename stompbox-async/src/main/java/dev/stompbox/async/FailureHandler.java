package dev.stompbox.async;

import dev.stompbox.protocol.StompFrame;

import java.util.concurrent.CompletionStage;

/**
 * Decides what happens to a message whose handler failed, instead of the error destination or
 * the graceful disconnect. When it completes normally the message is acknowledged; when it fails,
 * the client disconnects gracefully (the message is then redelivered by the broker). It runs on
 * the thread the failed handler ran on (or the event loop, for a handler that failed there): it may
 * block where the handler may, and holds the message's place until it completes.
 *
 * <pre>{@code
 * SubscriptionOptions.builder().onMessageFailed((client, frame, error) -> {
 *     log.warn("dropping {}", frame.header("message-id"), error);
 *     return null;                                    // acknowledged: dropped
 * }).build();
 * }</pre>
 */
@FunctionalInterface
public interface FailureHandler {
    CompletionStage<?> onMessageFailed(AsyncStompClient client, StompFrame frame, Throwable error) throws Exception;
}
