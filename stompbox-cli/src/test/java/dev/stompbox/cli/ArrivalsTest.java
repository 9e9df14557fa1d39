package dev.stompbox.cli;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class ArrivalsTest {
    @Test
    void aMessageArrivesFirstOnceAndEveryLaterArrivalIsADuplicate() {
        Arrivals a = new Arrivals();
        for (long i : new long[] {5, 3, 4, 0, 1, 2}) {
            assertThat(a.first(0, i)).as("message %d, first time", i).isTrue();
        }
        for (long i = 0; i <= 5; i++) {
            assertThat(a.first(0, i)).as("message %d again", i).isFalse();
        }
        assertThat(a.first(1, 3)).as("another producer's message 3").isTrue();
        a.clear();
        assertThat(a.first(0, 3)).as("a new run").isTrue();
    }

    @Test
    void inOrderArrivalsHoldAFewThousandBitsHoweverLongTheRun() {
        Arrivals a = new Arrivals();
        for (long i = 0; i < 2_000_000; i++) {
            assertThat(a.first(0, i)).isTrue();
            assertThat(a.first(1, i)).isTrue();
        }
        assertThat(a.retainedBits()).isLessThan(2 * 16_384);
        assertThat(a.first(0, 12_345)).isFalse();
        assertThat(a.first(1, 1_999_999)).isFalse();
    }

    @Test
    void aMessageThatNeverComesCostsABitForEachOneAfterItUntilItDoes() {
        Arrivals a = new Arrivals();
        int n = 1_000_000;
        for (long i = 1; i <= n; i++) {
            assertThat(a.first(0, i)).isTrue();
        }
        assertThat(a.retainedBits()).isBetween((long) n, n + 65_536L);
        assertThat(a.first(0, 0)).as("the late one").isTrue();
        assertThat(a.first(0, n + 1)).isTrue();
        assertThat(a.retainedBits()).as("all in, so the bits are let go").isLessThan(16_384);
        assertThat(a.first(0, 0)).isFalse();
        assertThat(a.first(0, n / 2)).isFalse();
        assertThat(a.first(0, n + 1)).isFalse();
    }

    @Test
    void messagesMissingForLongerThanTheSpanAreGivenUpAndTheBitsStayWithinIt() {
        Arrivals a = new Arrivals(65_536);
        for (long i = 1; i <= 1_000_000; i++) {
            assertThat(a.first(0, i)).isTrue();
        }
        assertThat(a.retainedBits()).as("bits held with message 0 missing all along").isLessThanOrEqualTo(65_536 + 64);
        assertThat(a.first(0, 0)).as("given up long ago: taken for a duplicate").isFalse();
        assertThat(a.first(0, 1_000_000 - 1_000)).as("a recent one, again").isFalse();
        assertThat(a.first(0, 1_000_001)).isTrue();
        assertThat(a.first(0, 5_000_000_000L)).as("far ahead of everything").isTrue();
        assertThat(a.first(0, 5_000_000_000L)).isFalse();
        assertThat(a.retainedBits()).isLessThanOrEqualTo(65_536 + 64);
    }

    @Test
    void consumersOnManyThreadsCountEachMessageFirstExactlyOnce() throws Exception {
        Arrivals a = new Arrivals();
        AtomicLong firsts = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int offset = t;
            Thread thread = new Thread(() -> {
                for (long i = 0; i < 100_000; i++) {
                    // Each thread takes the messages in an order of its own, so they race on every one.
                    long m = (i * 7 + offset * 25_000) % 100_000;
                    if (a.first((int) (m % 3), m)) {
                        firsts.incrementAndGet();
                    }
                }
            });
            threads.add(thread);
            thread.start();
        }
        for (Thread t : threads) {
            t.join(30_000);
            assertThat(t.isAlive()).isFalse();
        }
        assertThat(firsts.get()).isEqualTo(100_000);
    }
}
