/**
 * The blocking STOMP client: {@link dev.stompbox.client.StompClient}, configured with
 * {@link dev.stompbox.client.StompClientConfig}, with {@link dev.stompbox.client.Receipt}s,
 * {@link dev.stompbox.client.Transaction}s and a {@link dev.stompbox.protocol.connection.ConnectionListener}
 * for reconnects. Built on {@code dev.stompbox.protocol}; nothing here parses or keeps session state
 * of its own.
 */
package dev.stompbox.client;
