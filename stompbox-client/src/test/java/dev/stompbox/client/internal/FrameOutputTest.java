package dev.stompbox.client.internal;

import dev.stompbox.protocol.StompCommand;
import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.StompVersion;
import dev.stompbox.protocol.codec.StompEncoder;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class FrameOutputTest {
    private static final StompEncoder ENCODER = StompEncoder.of(StompVersion.V1_2);

    /** Records the bytes and which arrays were handed to it. */
    static final class Recording extends OutputStream {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final List<byte[]> arrays = new ArrayList<>();
        int flushes;

        @Override
        public void write(int b) {
            bytes.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            arrays.add(b);
            bytes.write(b, off, len);
        }

        @Override
        public void flush() {
            flushes++;
        }
    }

    private static StompFrame send(int bodyLength, long seed) {
        byte[] body = new byte[bodyLength];
        new Random(seed).nextBytes(body); // NULs included: content-length framing
        return StompFrame.builder(StompCommand.SEND).header("destination", "/queue/ü:" + bodyLength).bodyWithoutCopy(body).build();
    }

    @Test
    @DisplayName("frames of every size around the buffer and the large-body threshold come out as the encoder's bytes, heart-beats between")
    void bytesAreTheEncodersBytes() throws IOException {
        Recording out = new Recording();
        FrameOutput output = new FrameOutput(out);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        int[] sizes = {0, 1, FrameOutput.LARGE_BODY - 1, FrameOutput.LARGE_BODY, FrameOutput.LARGE_BODY + 1, 30_000, 30_000,
                FrameOutput.BUFFER_SIZE - 100, FrameOutput.BUFFER_SIZE + 1, 1 << 20, 5};
        for (int i = 0; i < sizes.length; i++) {
            StompFrame f = send(sizes[i], i);
            output.write(ENCODER, f);
            output.writeHeartBeat();
            expected.write(ENCODER.encode(f));
            expected.write('\n');
        }
        StompFrame longHeaders = StompFrame.builder(StompCommand.SEND).header("destination", "/queue/a")
                .header("x-long", "é".repeat(40_000)).body("after a head longer than the buffer").build();
        output.write(ENCODER, longHeaders);
        expected.write(ENCODER.encode(longHeaders));
        output.flush();
        assertThat(out.bytes.toByteArray()).isEqualTo(expected.toByteArray());
        assertThat(out.flushes).isPositive();
    }

    @Test
    @DisplayName("a large body is handed to the stream as the frame's own array (no copy); a small one goes through the buffer")
    void largeBodyWithoutCopy() throws IOException {
        byte[] large = new byte[FrameOutput.LARGE_BODY];
        byte[] small = new byte[FrameOutput.LARGE_BODY - 1];
        Recording out = new Recording();
        FrameOutput output = new FrameOutput(out);
        output.write(ENCODER, StompFrame.builder(StompCommand.SEND).header("destination", "/queue/a").bodyWithoutCopy(small).build());
        output.write(ENCODER, StompFrame.builder(StompCommand.SEND).header("destination", "/queue/a").bodyWithoutCopy(large).build());
        output.flush();
        assertThat(out.arrays).anySatisfy(a -> assertThat(a).isSameAs(large));
        assertThat(out.arrays).noneSatisfy(a -> assertThat(a).isSameAs(small));
    }

    @Test
    @DisplayName("nothing reaches the stream before flush while the buffer has room")
    void buffersUntilFlush() throws IOException {
        Recording out = new Recording();
        FrameOutput output = new FrameOutput(out);
        output.write(ENCODER, send(100, 1));
        output.writeHeartBeat();
        assertThat(out.bytes.size()).isZero();
        output.flush();
        assertThat(out.bytes.size()).isEqualTo(ENCODER.encodedLength(send(100, 1)) + 1);
    }
}
