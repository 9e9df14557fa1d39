package dev.stompbox.protocol.session;

import dev.stompbox.protocol.commands.SubscriptionToken;

import java.util.Map;

/**
 * An active subscription of a {@link StompSession}, with everything needed to subscribe again after
 * a reconnect: the destination, the headers (including the {@code id}), the receipt asked for, and
 * the caller's context object.
 *
 * <pre>{@code
 * for (SessionSubscription s : session.replay()) {
 *     send(session.subscribe(s.destination(), s.headers(), s.receipt(), s.context()).frame());
 * }
 * }</pre>
 */
public record SessionSubscription(SubscriptionToken token, String destination, Map<String, String> headers,
                           String receipt, Object context) {
    public SessionSubscription {
        headers = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(headers));
    }
}
