package dev.stompbox.async;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The leak guard itself: a buffer never released is reported. */
class NoLeaksExtensionTest {
    @Test
    void reportsABufferThatWasNeverReleased() {
        leak();
        assertThat(NoLeaksExtension.collect()).isNotEmpty().first().asString().contains("leaked");
    }

    private static void leak() {
        ByteBuf lost = PooledByteBufAllocator.DEFAULT.directBuffer(64);
        lost.writeInt(42);
    }
}
