package dev.stompbox.testkit;

import dev.stompbox.protocol.AckMode;
import dev.stompbox.protocol.Header;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The shared broker state of one server: destinations, their subscribers and the messages waiting
 * for one. Every method runs under the broker's monitor; connections keep their own unacked
 * deliveries and transactions, also guarded by it. No I/O happens under the monitor: frames are
 * only queued for the connection's writer.
 */
final class Broker {
    static final String TOPIC_PREFIX = "/topic/";

    private final Map<String, Deque<Message>> waiting = new HashMap<>();
    private final Map<String, List<Subscription>> subscribers = new HashMap<>();
    private final Map<String, Integer> roundRobin = new HashMap<>();
    private long messageIds;
    private long deliveryIds;

    /** A message as the broker keeps it: the SEND's headers and body. */
    static final class Message {
        final String id;
        final String destination;
        final List<Header> headers;
        final byte[] body;
        boolean redelivered;

        Message(String id, String destination, List<Header> headers, byte[] body) {
            this.id = id;
            this.destination = destination;
            this.headers = headers;
            this.body = body;
        }
    }

    /** One SUBSCRIBE of one connection; {@code id} is null for a 1.0 subscription without id. */
    static final class Subscription {
        final ServerConnection connection;
        final String id;
        final String destination;
        final AckMode mode;

        Subscription(ServerConnection connection, String id, String destination, AckMode mode) {
            this.connection = connection;
            this.id = id;
            this.destination = destination;
            this.mode = mode;
        }
    }

    /** A message handed to a subscription and not yet acknowledged. */
    record Delivery(Message message, Subscription subscription, String ackKey, long sequence) {
    }

    static boolean isTopic(String destination) {
        return destination.startsWith(TOPIC_PREFIX);
    }

    synchronized Message newMessage(String destination, List<Header> headers, byte[] body) {
        return new Message("msg-" + ++messageIds, destination, headers, body);
    }

    synchronized long nextDeliveryId() {
        return ++deliveryIds;
    }

    /** Queues: one subscriber, round robin, kept until there is one. Topics: every subscriber, or nobody. */
    synchronized void dispatch(Message message) {
        List<Subscription> subs = subscribers.getOrDefault(message.destination, List.of());
        if (isTopic(message.destination)) {
            for (Subscription s : List.copyOf(subs)) {
                s.connection.deliver(s, message);
            }
            return;
        }
        if (subs.isEmpty()) {
            waiting.computeIfAbsent(message.destination, d -> new ArrayDeque<>()).add(message);
            return;
        }
        int next = roundRobin.getOrDefault(message.destination, 0) % subs.size();
        roundRobin.put(message.destination, next + 1);
        Subscription s = subs.get(next);
        s.connection.deliver(s, message);
    }

    synchronized void subscribe(Subscription s) {
        subscribers.computeIfAbsent(s.destination, d -> new ArrayList<>()).add(s);
        Deque<Message> queue = waiting.remove(s.destination);
        if (queue != null) {
            for (Message m : queue) {
                dispatch(m);
            }
        }
    }

    synchronized void unsubscribe(Subscription s) {
        List<Subscription> subs = subscribers.get(s.destination);
        if (subs != null) {
            subs.remove(s);
            if (subs.isEmpty()) {
                subscribers.remove(s.destination);
            }
        }
    }

    /** Puts unacknowledged queue messages back for another delivery, marked redelivered. */
    synchronized void redeliver(List<Delivery> deliveries) {
        for (Delivery d : deliveries) {
            if (!isTopic(d.message().destination)) {
                d.message().redelivered = true;
                dispatch(d.message());
            }
        }
    }

    /** Messages waiting for a subscriber on {@code destination}. */
    synchronized int waitingCount(String destination) {
        Deque<Message> q = waiting.get(destination);
        return q == null ? 0 : q.size();
    }
}
