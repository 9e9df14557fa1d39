/**
 * The asynchronous STOMP client on Netty: {@link dev.stompbox.async.AsyncStompClient}, configured with
 * {@link dev.stompbox.async.AsyncStompClientConfig}; {@link dev.stompbox.async.MessageHandler}s per
 * subscription with {@link dev.stompbox.async.SubscriptionOptions} for concurrency and error handling.
 * Built on {@code dev.stompbox.protocol}: one parser, one session, over TCP, TLS or WebSocket.
 */
package dev.stompbox.async;
