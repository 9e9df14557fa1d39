package dev.stompbox.protocol.commands;

import java.util.Map;
import java.util.Optional;

/**
 * How to ask a broker for "at most N unacknowledged messages in flight" on a SUBSCRIBE, by the
 * {@code server} header of its CONNECTED frame. Each broker has its own header, and one of them
 * does not count messages at all:
 *
 * <ul>
 *   <li>ActiveMQ Classic ({@code ActiveMQ/...}): {@code activemq.prefetchSize}, in messages.</li>
 *   <li>RabbitMQ ({@code RabbitMQ/...}): {@code prefetch-count}, in messages.</li>
 *   <li>ActiveMQ Artemis ({@code ActiveMQ-Artemis/...}): {@code consumer-window-size}, in
 *       <em>bytes</em> (ARTEMIS-589; {@code activemq.prefetchSize} is read as bytes too), so a
 *       message count cannot be asked for: a window of 4 or 100 "messages" lets one message through
 *       at a time. Leave the broker's default, or set {@code consumer-window-size} to bytes.</li>
 * </ul>
 *
 * <pre>{@code
 * Optional<Map.Entry<String, String>> header = Prefetch.header(session.server(), 8);
 * header.ifPresent(h -> subscribeHeaders.put(h.getKey(), h.getValue()));
 * }</pre>
 */
public final class Prefetch {
    /** The headers that cap what a broker sends ahead, in messages. */
    private static final Map<String, String> BY_SERVER = Map.of("ActiveMQ/", "activemq.prefetchSize", "RabbitMQ/", "prefetch-count");

    private Prefetch() {
    }

    /**
     * The header that asks the broker named by {@code server} for at most {@code messages}
     * unacknowledged messages in flight, or empty when it has none ({@link #whyNot(String)} says why).
     */
    public static Optional<Map.Entry<String, String>> header(String server, int messages) {
        if (messages < 1) {
            throw new IllegalArgumentException("messages must be at least 1: " + messages);
        }
        if (server != null) {
            for (Map.Entry<String, String> e : BY_SERVER.entrySet()) {
                if (server.startsWith(e.getKey())) {
                    return Optional.of(Map.entry(e.getValue(), Integer.toString(messages)));
                }
            }
        }
        return Optional.empty();
    }

    /** Why {@link #header} has nothing for {@code server}. */
    public static String whyNot(String server) {
        if (server != null && server.startsWith("ActiveMQ-Artemis/")) {
            return "ActiveMQ Artemis counts what it sends ahead in bytes (consumer-window-size), not in messages";
        }
        return "the broker (" + (server == null ? "no server header" : server) + ") names no header for it that Stompbox knows";
    }

    /** The message count already asked for in {@code subscribeHeaders} for {@code server}, or empty. */
    public static Optional<Integer> asked(String server, Map<String, String> subscribeHeaders) {
        return header(server, 1).map(Map.Entry::getKey).map(subscribeHeaders::get).flatMap(v -> {
            try {
                return Optional.of(Integer.parseInt(v.trim()));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        });
    }
}
