package dev.stompbox.async.brokers;

import dev.stompbox.async.AsyncStompClient;
import dev.stompbox.async.AsyncStompClientConfig;
import dev.stompbox.fixtures.ArtemisExtension;
import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.StompHeaders;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static dev.stompbox.async.Futures.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The asynchronous client reads plain TCP into arrays it owns, so a body that arrives whole is a
 * view of the read, not a copy. The lifetime rule that makes this safe, on a real broker: frames
 * kept long after their reads were released, and after many more reads, still hold their own bytes
 * (a pooled read buffer, reused, would overwrite them), and Netty's paranoid leak detector (this
 * module's {@code NoLeaksExtension}) finds no buffer left unreleased.
 */
class AsyncOwnedReadsTest {
    @RegisterExtension
    static final ArtemisExtension ARTEMIS = new ArtemisExtension();

    private static final int[] SIZES = {1024, 4000, 16_000, 40_000, 100};

    private static byte[] body(int seq) {
        byte[] b = new byte[SIZES[seq % SIZES.length]];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (seq * 31 + i);
        }
        return b;
    }

    @Test
    @DisplayName("frames outlive the reads they came in: bodies intact after more traffic and a GC, whole ones not copied, nothing leaked")
    void framesOutliveTheirReads() throws Exception {
        String q = "/queue/owned-" + System.nanoTime();
        List<StompFrame> kept = new CopyOnWriteArrayList<>();
        try (AsyncStompClient consumer = AsyncStompClient.create(AsyncStompClientConfig.builder(ARTEMIS.broker().uri()).build());
             AsyncStompClient producer = AsyncStompClient.create(AsyncStompClientConfig.builder(ARTEMIS.broker().uri()).build())) {
            get(consumer.connect());
            get(producer.connect());
            get(consumer.subscribe(q, Map.of(StompHeaders.RECEIPT, "sub"), (c, f) -> {
                kept.add(f);
                return CompletableFuture.completedFuture(null);
            }));
            int messages = 400;
            for (int round = 0; round < 2; round++) {
                for (int i = round * messages / 2; i < (round + 1) * messages / 2; i++) {
                    get(producer.send(q, body(i), Map.of("seq", Integer.toString(i), StompHeaders.RECEIPT, "r" + i)));
                }
                int expected = (round + 1) * messages / 2;
                await().atMost(30, TimeUnit.SECONDS).until(() -> kept.size() >= expected);
                System.gc(); // the first round's reads are garbage now, unless a frame still views them
            }
            assertThat(kept).hasSize(messages);
            int views = 0;
            for (StompFrame f : kept) {
                int seq = Integer.parseInt(f.header("seq"));
                assertThat(f.bodyBuffer()).as("message %d", seq).isEqualTo(ByteBuffer.wrap(body(seq)));
                views += isView(f) ? 1 : 0;
            }
            assertThat(views).as("bodies handed over as views of the read, not copied").isPositive();
        }
    }

    /** A copied body is an array of its own; a view shares the read's array with the frame's headers. */
    private static boolean isView(StompFrame f) throws ReflectiveOperationException {
        Field array = StompFrame.class.getDeclaredField("array");
        array.setAccessible(true);
        byte[] a = (byte[]) array.get(f);
        return a != null && a.length > f.bodyLength();
    }
}
