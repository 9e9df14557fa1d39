package dev.stompbox.async;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A broker that reads slowly, and a producer that sends as fast as it may: what the client holds
 * stays bounded, nothing is dropped while connected, and the wire order is the order of the calls.
 */
class AsyncBackpressureTest extends AsyncTestKitSupport {
    private static final int SENDS = 100_000;
    private static final int BODY = 1024;
    private static final long READ_RATE = 10_000_000; // bytes per second the server reads
    private static final long MAX_PENDING = 4L * 1024 * 1024; // the default maxPendingWriteBytes

    @Test
    @DisplayName("slow reader, 100,000 fire-and-forget 1 KiB SENDs: held bytes bounded, none dropped, order kept")
    void slowReaderBoundsWhatTheClientHolds() throws Exception {
        AsyncStompClient consumer = connected(AsyncStompClientConfig.builder(server.uri()));
        AtomicInteger next = new AtomicInteger();
        ConcurrentLinkedQueue<String> disorder = new ConcurrentLinkedQueue<>();
        CountDownLatch all = new CountDownLatch(SENDS);
        Futures.get(consumer.subscribe("/queue/flood", Map.of("receipt", "sub"), (c, f) -> {
            int seq = ByteBuffer.wrap(f.body()).getInt();
            int expected = next.getAndIncrement();
            if (seq != expected) {
                disorder.add("expected " + expected + ", got " + seq);
            }
            all.countDown();
            return null;
        }));

        AsyncStompClient producer = connected(AsyncStompClientConfig.builder(server.uri()));
        server.awaitConnection(1, TIMEOUT).faults().readSlowly(READ_RATE);
        AtomicLong accepted = new AtomicLong();
        AtomicLong written = new AtomicLong();
        long maxHeld = 0;
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < SENDS; i++) {
            byte[] body = ByteBuffer.allocate(BODY).putInt(i).array();
            // The producer's side of the contract: wait (without blocking the client) for room, then send.
            producer.whenReady().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            accepted.addAndGet(BODY);
            producer.send("/queue/flood", body, Map.of()).whenComplete((v, t) -> {
                if (t == null) {
                    written.addAndGet(BODY);
                } else {
                    failures.add(t);
                }
            });
            maxHeld = Math.max(maxHeld, accepted.get() - written.get());
        }
        long producing = (System.nanoTime() - t0) / 1_000_000;

        assertThat(all.await(60, TimeUnit.SECONDS)).as("every SEND reached the consumer").isTrue();
        assertThat(failures).as("no SEND failed or was dropped while connected").isEmpty();
        assertThat(disorder).as("the wire order is the order of the calls").isEmpty();
        // 100 MB at 10 MB/s: a producer that finished much sooner was not held back, the heap took it.
        assertThat(producing).as("ms the producer was held to the reader's pace").isGreaterThan(5_000);
        // Bodies accepted and not yet written: the bound, plus the frames in flight on the event loop
        // when the count was taken (a frame's headers are a few dozen bytes on top of its body).
        assertThat(maxHeld).as("bytes the client held for writing").isLessThanOrEqualTo(MAX_PENDING + 64 * BODY);
        assertThat(producer.isConnected()).isTrue();
    }
}
