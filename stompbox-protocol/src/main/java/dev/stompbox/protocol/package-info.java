/**
 * The STOMP vocabulary shared by every part of Stompbox: {@link dev.stompbox.protocol.StompFrame},
 * {@link dev.stompbox.protocol.StompCommand}, {@link dev.stompbox.protocol.StompVersion}, header
 * names, ack modes, heart-beats, and the {@link dev.stompbox.protocol.StompException} hierarchy.
 *
 * <p>The sub-packages are the components of the protocol layer, each usable on its own:
 * {@code codec} (parser and encoder), {@code commands} (stateless frame builders and readers),
 * {@code session} (the state of one connection) and {@code failover} (URI and reconnect schedule).
 * Nothing in this module does I/O, starts a thread or reads a clock.
 */
package dev.stompbox.protocol;
