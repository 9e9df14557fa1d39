package dev.stompbox.protocol.internal.engine;

import dev.stompbox.protocol.StompCommand;
import dev.stompbox.protocol.internal.engine.ReceiptBook.Pending;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** The awaited receipts: which expire when, what a RECEIPT takes, and what expiring costs. */
class ReceiptBookTest {
    private static Pending pending(String id, long start, long deadline) {
        return new Pending(id, StompCommand.SEND, new CompletableFuture<>(), start, deadline, -1);
    }

    private static List<String> ids(List<Pending> ps) {
        return ps.stream().map(Pending::id).toList();
    }

    @Test
    @DisplayName("entries expire by their deadline, not by the order they came in, and are handed back oldest call first")
    void expiresByDeadline() {
        ReceiptBook book = new ReceiptBook();
        book.add(pending("late", 100, 500));
        book.add(pending("early", 50, 200)); // an at-least-once SEND whose call waited for room
        book.add(pending("middle", 150, 300));
        assertThat(book.earliestDeadline()).isEqualTo(200);
        assertThat(ids(book.expired(199))).isEmpty();
        assertThat(ids(book.expired(300))).containsExactly("early", "middle");
        assertThat(book.earliestDeadline()).isEqualTo(500);
        assertThat(book.size()).isEqualTo(1);
    }

    @Test
    @DisplayName("an entry its RECEIPT took never expires, and no longer sets the next deadline")
    void receiptedEntriesAreGone() {
        ReceiptBook book = new ReceiptBook();
        book.add(pending("a", 0, 100));
        book.add(pending("b", 0, 200));
        assertThat(book.remove("a").id()).isEqualTo("a");
        assertThat(book.earliestDeadline()).isEqualTo(200);
        assertThat(ids(book.expired(1_000))).containsExactly("b");
        assertThat(book.earliestDeadline()).isEqualTo(ReceiptBook.NONE);
        assertThat(book.remove("a")).isNull();
    }

    @Test
    @DisplayName("an id waited for again is the new entry's: the old one's deadline neither expires it nor counts")
    void idWaitedForAgain() {
        ReceiptBook book = new ReceiptBook();
        book.add(pending("a", 0, 100));
        book.remove("a");
        book.add(pending("a", 150, 400));
        assertThat(book.earliestDeadline()).isEqualTo(400);
        assertThat(ids(book.expired(200))).isEmpty();
        assertThat(ids(book.expired(400))).containsExactly("a");
    }

    @Test
    @DisplayName("the window counts the windowed entries until their RECEIPT, their expiry or their removal")
    void window() {
        ReceiptBook book = new ReceiptBook();
        book.add(new Pending("s1", StompCommand.SEND, new CompletableFuture<>(), 0, 100, 10));
        book.add(new Pending("s2", StompCommand.SEND, new CompletableFuture<>(), 0, 200, 20));
        book.add(new Pending("s3", StompCommand.SEND, new CompletableFuture<>(), 0, 300, 30));
        book.add(pending("other", 0, 50));
        assertThat(book.windowCount()).isEqualTo(3);
        assertThat(book.windowBytes()).isEqualTo(60);
        book.remove("s2");
        book.expired(100);
        assertThat(book.windowCount()).isEqualTo(1);
        assertThat(book.windowBytes()).isEqualTo(30);
        assertThat(ids(book.removeIf(p -> true))).containsExactly("s3");
        assertThat(book.windowCount()).isZero();
        assertThat(book.earliestDeadline()).isEqualTo(ReceiptBook.NONE);
    }

    @Test
    @DisplayName("after removeIf the next deadline is that of what stayed")
    void removeIfKeepsTheRest() {
        ReceiptBook book = new ReceiptBook();
        book.add(pending("a", 0, 100));
        book.add(pending("b", 0, 200));
        book.add(pending("c", 0, 300));
        assertThat(ids(book.removeIf(p -> !p.id().equals("c")))).containsExactly("a", "b");
        assertThat(book.earliestDeadline()).isEqualTo(300);
        assertThat(ids(book.expired(300))).containsExactly("c");
    }

    @Test
    @DisplayName("receipts that come out of deadline order leave no more than a bounded heap behind")
    void heapStaysBounded() {
        ReceiptBook book = new ReceiptBook();
        book.add(pending("first", 0, Long.MAX_VALUE - 1)); // never answered: what settles after it stays below the top
        for (int i = 0; i < 100_000; i++) {
            book.add(pending("r-" + i, i, 1_000 + i));
            book.remove("r-" + i);
        }
        assertThat(book.size()).isEqualTo(1);
        assertThat(book.heapSize()).isLessThanOrEqualTo(2 * book.size() + 65);
    }

    /*
     * Expiring used to scan every entry each time the earliest deadline passed, so receipts timing out one
     * after another (a broker that stopped confirming a busy producer's SENDs) cost n²/2 steps: 20 000 took
     * 0.9 s of the connection's thread through the engine, and 200 000 here do not end within the bound. Now a
     * fraction of a second, two orders of magnitude under the bound, so that it fails only for a scan per
     * expiry, never for a slow machine.
     */
    @Test
    @DisplayName("200 000 receipts timing out one after another cost what each takes, not a scan of the rest")
    void timeoutStorm() {
        ReceiptBook book = new ReceiptBook();
        int n = 200_000;
        for (int i = 0; i < n; i++) {
            book.add(pending("r-" + i, i, 1_000 + i));
        }
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            for (long now = 1_000; now < 1_000 + n; now++) {
                assertThat(book.earliestDeadline()).isEqualTo(now);
                List<Pending> expired = book.expired(now);
                if (expired.size() != 1) {
                    throw new AssertionError("expected one at " + now + ", got " + ids(expired));
                }
            }
        });
        assertThat(book.size()).isZero();
    }
}
