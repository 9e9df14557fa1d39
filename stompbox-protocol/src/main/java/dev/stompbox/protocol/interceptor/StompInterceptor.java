package dev.stompbox.protocol.interceptor;

import dev.stompbox.protocol.StompFrame;

import java.util.Map;

/**
 * Sees what the application sends and receives, for tracing, auditing or headers every message
 * must carry: both clients call it for every SEND the application makes (before the client takes
 * it, on the caller's thread) and for every MESSAGE they hand to the application (on the thread
 * that handles or receives it). Re-sent SENDs (at-least-once after a reconnect) and the client's
 * own frames (ACK, error-destination forwards) are not seen. An interceptor must be thread-safe
 * and fast; a throw fails the send or counts as the handler's failure. The default,
 * {@link #NONE}, costs nothing: the clients skip the calls entirely.
 *
 * <pre>{@code
 * StompInterceptor stamp = new StompInterceptor() {
 *     public SendScope beforeSend(String destination, Map<String, String> headers) {
 *         headers.put("x-origin", "billing");
 *         return SendScope.NONE;
 *     }
 * };
 * AsyncStompClientConfig.builder(uri).interceptor(stamp).build();
 * }</pre>
 */
public interface StompInterceptor {
    /** No interception; the default. */
    StompInterceptor NONE = new StompInterceptor() {
    };

    /** How a MESSAGE reaches the application. */
    enum Delivery {
        /** The asynchronous client runs a subscription's handler with it. */
        HANDLER,
        /** The blocking client's {@code receiveFrame} returns it. */
        RECEIVE
    }

    /**
     * A SEND to {@code destination} is about to be handed to the client. {@code headers} are its
     * headers, mutable: add to them (a {@code receipt} header is the client's to manage). The
     * returned scope hears how the send ended.
     */
    default SendScope beforeSend(String destination, Map<String, String> headers) {
        return SendScope.NONE;
    }

    /**
     * {@code message} is about to reach the application, on this thread: for a handler, right
     * before it runs; for a receive, right before it returns. The returned scope is closed on this
     * thread once the handler returned (or the receive returns), and told when the handling ended.
     */
    default MessageScope beforeMessage(StompFrame message, Delivery delivery) {
        return MessageScope.NONE;
    }
}
