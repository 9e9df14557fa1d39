package dev.stompbox.cli;

import java.util.BitSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which of the bench's messages have arrived, to tell a duplicate from a first arrival, in memory
 * that does not grow with the length of the run: per producer, the count below which every message
 * has arrived, and a bit for each one above it. Messages come about in order, so the bits stay few;
 * a message that never comes holds one bit for every message after it, not an entry each (a set of
 * every sequence number took about 60 bytes a message, gigabytes in a long {@code --duration} run),
 * and only up to {@link #MAX_SPAN} of them: past that the oldest missing ones are given up (they count
 * as lost), and one that still comes after that is taken for a duplicate. Thread-safe: consumers record
 * from their own threads.
 *
 * <pre>{@code
 * Arrivals arrivals = new Arrivals();
 * arrivals.first(0, 41);   // true: message 41 of producer 0 arrived for the first time
 * arrivals.first(0, 41);   // false: a duplicate
 * }</pre>
 */
final class Arrivals {
    /** How far the arrived prefix may run into the bits before they are shifted down (and the bits looked at for it). */
    private static final int COMPACT_AT = 4096;
    /** The most messages a producer's bits cover (16 MiB of them): a message this far behind the newest is given up. */
    static final int MAX_SPAN = 1 << 27;

    private final ConcurrentHashMap<Integer, Producer> producers = new ConcurrentHashMap<>();
    private final int maxSpan;

    Arrivals() {
        this(MAX_SPAN);
    }

    /** With a smaller span, for tests. */
    Arrivals(int maxSpan) {
        if (maxSpan < 2 * COMPACT_AT) {
            throw new IllegalArgumentException("maxSpan below " + 2 * COMPACT_AT + ": " + maxSpan);
        }
        this.maxSpan = maxSpan;
    }

    /** Marks message {@code i} of {@code producer} arrived; false when it had arrived before (or was given up). */
    boolean first(int producer, long i) {
        return producers.computeIfAbsent(producer, p -> new Producer()).first(i, maxSpan);
    }

    /** Forgets every arrival: a new run begins. */
    void clear() {
        producers.clear();
    }

    /** Bits held over all producers; for tests of the bound. */
    long retainedBits() {
        return producers.values().stream().mapToLong(Producer::retainedBits).sum();
    }

    private static final class Producer {
        private long base; // every message below it has arrived, or was given up
        private BitSet above = new BitSet(); // bit k: message base + k has arrived

        synchronized boolean first(long i, int maxSpan) {
            if (i < base) {
                return false;
            }
            long k = i - base;
            if (k >= maxSpan) {
                // Too far ahead of the oldest one missing: give up the oldest, a COMPACT_AT at a time.
                long shift = (k - maxSpan) / COMPACT_AT * COMPACT_AT + COMPACT_AT;
                above = shift >= above.length() ? new BitSet() : above.get((int) shift, above.length());
                base += shift;
                k -= shift;
            }
            if (above.get((int) k)) {
                return false;
            }
            above.set((int) k);
            int prefix;
            // Looked for only this far in, so once per COMPACT_AT messages that come in order.
            if (k >= COMPACT_AT && (prefix = above.nextClearBit(0)) >= COMPACT_AT) {
                above = above.get(prefix, above.length()); // nextClearBit is never past length()
                base += prefix;
            }
            return true;
        }

        synchronized long retainedBits() {
            return above.size();
        }
    }
}
