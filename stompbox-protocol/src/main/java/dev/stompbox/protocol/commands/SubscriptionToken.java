package dev.stompbox.protocol.commands;

import java.util.Objects;

/**
 * Identifies a subscription the way MESSAGE frames refer to it: by its {@code id} (STOMP 1.1 and
 * later, and 1.0 when an id was given), or by its {@code destination} (1.0 without an id). Returned
 * by {@link Commands#subscribe} and matched by {@link Commands#message}.
 *
 * <pre>{@code
 * Subscribe s = Commands.subscribe("/queue/a", Map.of("id", "0"), null, StompVersion.V1_2);
 * s.token();                          // SubscriptionToken[id=0]
 * Commands.message(frame, V1_2).equals(s.token());
 * }</pre>
 *
 * @param header {@code "id"} or {@code "destination"}
 * @param value  the subscription id or the destination
 */
public record SubscriptionToken(String header, String value) {
    public SubscriptionToken {
        Objects.requireNonNull(header, "header");
        Objects.requireNonNull(value, "value");
    }

    /** A token for subscription id {@code id}. */
    public static SubscriptionToken ofId(String id) {
        return new SubscriptionToken("id", id);
    }

    /** A token for a STOMP 1.0 subscription without id, known by its destination. */
    public static SubscriptionToken ofDestination(String destination) {
        return new SubscriptionToken("destination", destination);
    }

    @Override
    public String toString() {
        return "SubscriptionToken[" + header + "=" + value + "]";
    }
}
