package dev.stompbox.protocol.codec;

import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.StompVersion;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.Arrays;

import static dev.stompbox.protocol.codec.Wire.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** The work done is linear in the bytes fed, whatever the fragmentation: nothing is scanned twice. */
class LinearWorkTest {

    private static byte[] wire(int bodySize, int lineSize) {
        String head = "SEND\ndestination:/q\nlong:" + "h".repeat(lineSize) + "\n\n";
        byte[] body = new byte[bodySize];
        Arrays.fill(body, (byte) 'b');
        byte[] w = new byte[head.length() + bodySize + 1];
        System.arraycopy(bytes(head), 0, w, 0, head.length());
        System.arraycopy(body, 0, w, head.length(), bodySize);
        return w;
    }

    @ParameterizedTest(name = "chunks of {0} bytes")
    @ValueSource(ints = {1, 3, 64, 1460, 1 << 20})
    @DisplayName("a long header line and a body ended by NUL are each scanned once")
    void eachByteScannedOnce(int chunk) {
        byte[] w = wire(300_000, 60_000);
        StompParser parser = new StompParser(StompVersion.V1_2);
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            for (int off = 0; off < w.length; off += chunk) {
                parser.add(w, off, Math.min(chunk, w.length - off));
            }
        });
        StompFrame f = parser.get();
        assertThat(f.bodyLength()).isEqualTo(300_000);
        assertThat(f.header("long")).hasSize(60_000);
        assertThat(parser.scanned()).isLessThanOrEqualTo(w.length);
    }
}
