package dev.stompbox.protocol.commands;

import dev.stompbox.protocol.StompFrame;

/**
 * A SUBSCRIBE frame and the token that matches its MESSAGE frames.
 *
 * <pre>{@code
 * Subscribe s = Commands.subscribe("/queue/a", Map.of("id", "1", "ack", "client-individual"), null, version);
 * send(s.frame());
 * tokens.put(s.token(), handler);
 * }</pre>
 */
public record Subscribe(StompFrame frame, SubscriptionToken token) {
}
