package dev.stompbox.protocol.internal.engine;

import dev.stompbox.protocol.AckMode;
import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.commands.SubscriptionToken;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The messages of one connection handed to the application that still wait for an ACK or NACK,
 * by frame identity. Settling one costs the same however many wait: an application that takes ten
 * thousand messages and then acks them one by one does ten thousand steps, not fifty million. Under
 * ack {@code client} an ack is cumulative, so those messages are also kept per subscription in
 * delivery order, and an ack takes the ones up to it from the front. Not thread-safe: the engine's.
 *
 * <pre>{@code
 * AwaitingAcks awaiting = new AwaitingAcks();
 * awaiting.add(delivery);
 * awaiting.get(delivery.frame());   // the delivery, while it waits
 * awaiting.settle(delivery);        // and under ack client every earlier one of its subscription
 * }</pre>
 */
final class AwaitingAcks {
    private final IdentityHashMap<StompFrame, Delivery> byFrame = new IdentityHashMap<>();
    private final Map<SubscriptionToken, NavigableMap<Long, Delivery>> cumulative = new HashMap<>();

    void add(Delivery d) {
        byFrame.put(d.frame(), d);
        if (d.ackMode() == AckMode.CLIENT) {
            cumulative.computeIfAbsent(d.subscription().token(), k -> new TreeMap<>()).put(d.sequence(), d);
        }
    }

    boolean contains(StompFrame message) {
        return byFrame.containsKey(message);
    }

    /** The delivery of {@code message} while it waits, or {@code null}. */
    Delivery get(StompFrame message) {
        return byFrame.get(message);
    }

    /** {@code d} is acked or nacked: it stops waiting, and under ack client so do the earlier ones of its subscription. */
    void settle(Delivery d) {
        forget(d);
        if (d.ackMode() != AckMode.CLIENT) {
            return;
        }
        NavigableMap<Long, Delivery> ofSubscription = cumulative.get(d.subscription().token());
        if (ofSubscription == null) {
            return;
        }
        NavigableMap<Long, Delivery> upToIt = ofSubscription.headMap(d.sequence(), true);
        for (Delivery earlier : upToIt.values()) {
            forget(earlier);
        }
        upToIt.clear();
        if (ofSubscription.isEmpty()) {
            cumulative.remove(d.subscription().token());
        }
    }

    private void forget(Delivery d) {
        if (byFrame.get(d.frame()) == d) {
            byFrame.remove(d.frame());
        }
    }

    /** The frames that wait, in no particular order. */
    List<StompFrame> frames() {
        return new ArrayList<>(byFrame.keySet());
    }

    int size() {
        return byFrame.size();
    }
}
