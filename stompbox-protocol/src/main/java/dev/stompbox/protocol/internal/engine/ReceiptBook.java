package dev.stompbox.protocol.internal.engine;

import dev.stompbox.protocol.StompCommand;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * The receipts a client waits for, with their deadlines, and the at-least-once window (how many
 * SENDs await their RECEIPT and how many body bytes they hold). Insertion order is close to deadline
 * order but not exactly (a SEND's deadline counts from the call, which may have waited for room), so
 * expiry keeps a lower bound of the deadlines and scans only once it has passed.
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
    private long earliest = NONE;
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

    int windowCount() {
        return windowCount;
    }

    long windowBytes() {
        return windowBytes;
    }

    void add(Pending p) {
        pending.put(p.id(), p);
        earliest = Math.min(earliest, p.deadline());
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

    /** A lower bound of the deadlines, {@link #NONE} when nothing waits. */
    long earliestDeadline() {
        return pending.isEmpty() ? NONE : earliest;
    }

    /** Takes the entries whose deadline has passed, oldest first. */
    List<Pending> expired(long now) {
        if (pending.isEmpty() || earliest > now) {
            return List.of();
        }
        return removeIf(p -> p.deadline() <= now);
    }

    /** Takes every entry whose id {@code which} selects, oldest first, and recomputes the bound. */
    List<Pending> removeIf(Predicate<Pending> which) {
        List<Pending> taken = new ArrayList<>();
        long min = NONE;
        for (Iterator<Pending> it = pending.values().iterator(); it.hasNext(); ) {
            Pending p = it.next();
            if (which.test(p)) {
                it.remove();
                release(p);
                taken.add(p);
            } else {
                min = Math.min(min, p.deadline());
            }
        }
        earliest = min;
        taken.sort(Comparator.comparingLong(Pending::start));
        return taken;
    }
}
