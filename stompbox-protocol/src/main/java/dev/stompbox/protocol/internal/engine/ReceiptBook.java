package dev.stompbox.protocol.internal.engine;

import dev.stompbox.protocol.StompCommand;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * The receipts a client waits for, with their deadlines, and the at-least-once window (how many
 * SENDs await their RECEIPT and how many body bytes they hold). Insertion order is close to deadline
 * order but not exactly (a SEND's deadline counts from the call, which may have waited for room; the
 * DISCONNECT's timeout is a setting of its own), so the deadlines are also kept in a heap. A RECEIPT
 * takes its entry from the map only; the heap lets go of it when it comes to the top (or when such
 * entries outnumber the live ones), so that a RECEIPT costs no search and the heap stays bounded.
 * Expiring costs what it takes, however many wait: scanning every entry whenever one expired made a
 * storm of timeouts quadratic (20 000 receipts timing out one after another, as from a broker that
 * stopped confirming, took 0.9 s of the connection's thread, and the cost grew with their square).
 */
final class ReceiptBook {
    static final long NONE = Long.MAX_VALUE;

    /**
     * One awaited RECEIPT for a frame of {@code command}; {@code bytes} is what it holds of the window
     * ({@code -1}: not in the window).
     */
    record Pending(String id, StompCommand command, CompletableFuture<Void> future, long start, long deadline, long bytes) {
        boolean windowed() {
            return bytes >= 0;
        }
    }

    private final LinkedHashMap<String, Pending> pending = new LinkedHashMap<>();
    private final PriorityQueue<Pending> byDeadline = new PriorityQueue<>(Comparator.comparingLong(Pending::deadline));
    private int windowCount;
    private long windowBytes;

    boolean contains(String id) {
        return pending.containsKey(id);
    }

    /** The entry of {@code id}, or {@code null}. */
    Pending get(String id) {
        return pending.get(id);
    }

    int size() {
        return pending.size();
    }

    /** Entries in the deadline heap, settled ones not yet let go of included: for tests. */
    int heapSize() {
        return byDeadline.size();
    }

    int windowCount() {
        return windowCount;
    }

    long windowBytes() {
        return windowBytes;
    }

    void add(Pending p) {
        Pending replaced = pending.put(p.id(), p);
        if (replaced != null) {
            release(replaced);
        }
        byDeadline.add(p);
        if (byDeadline.size() > 2 * pending.size() + 64) {
            rebuildHeap(); // entries settled out of deadline order wait below the top
        }
        if (p.windowed()) {
            windowCount++;
            windowBytes += p.bytes();
        }
    }

    /** Takes the entry of {@code id}, if any, giving its window place back. */
    Pending remove(String id) {
        Pending p = pending.remove(id);
        if (p != null) {
            release(p);
        }
        return p;
    }

    private void release(Pending p) {
        if (p.windowed()) {
            windowCount--;
            windowBytes -= p.bytes();
        }
    }

    /** The heap again, from the live entries only. */
    private void rebuildHeap() {
        byDeadline.clear();
        byDeadline.addAll(pending.values());
    }

    /** The earliest deadline of those waiting, {@link #NONE} when nothing waits. */
    long earliestDeadline() {
        Pending top;
        while ((top = byDeadline.peek()) != null && !live(top)) {
            byDeadline.poll();
        }
        return top == null ? NONE : top.deadline();
    }

    private boolean live(Pending p) {
        return pending.get(p.id()) == p;
    }

    /** Takes the entries whose deadline has passed, oldest first. */
    List<Pending> expired(long now) {
        List<Pending> taken = null;
        Pending top;
        while ((top = byDeadline.peek()) != null && top.deadline() <= now) {
            byDeadline.poll();
            if (live(top)) {
                pending.remove(top.id());
                release(top);
                if (taken == null) {
                    taken = new ArrayList<>();
                }
                taken.add(top);
            }
        }
        if (taken == null) {
            return List.of();
        }
        taken.sort(Comparator.comparingLong(Pending::start));
        return taken;
    }

    /** Takes every entry {@code which} selects, oldest first. */
    List<Pending> removeIf(Predicate<Pending> which) {
        List<Pending> taken = new ArrayList<>();
        for (Iterator<Pending> it = pending.values().iterator(); it.hasNext(); ) {
            Pending p = it.next();
            if (which.test(p)) {
                it.remove();
                release(p);
                taken.add(p);
            }
        }
        if (!taken.isEmpty()) {
            rebuildHeap();
        }
        taken.sort(Comparator.comparingLong(Pending::start));
        return taken;
    }
}
