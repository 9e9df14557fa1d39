package dev.stompbox.protocol.codec;

import dev.stompbox.protocol.StompCommand;
import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.StompFrameException;
import dev.stompbox.protocol.StompVersion;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link StompParser#addOwned}: which bodies become views of the array handed over, which are
 * copied, and that the limits and the error offsets are those of {@link StompParser#add}.
 * A view is told from a copy by breaking the promise on purpose: writing to the array afterwards
 * shows through a view and not through a copy.
 */
class OwnedInputTest {
    private static byte[] message(int bodyLength, boolean contentLength) {
        byte[] body = new byte[bodyLength];
        Arrays.fill(body, (byte) 'x');
        StompFrame f = StompFrame.builder(StompCommand.MESSAGE).header("destination", "/queue/a").header("message-id", "1")
                .header("subscription", "0").bodyWithoutCopy(body).contentLength(contentLength).build();
        return StompEncoder.of(StompVersion.V1_2).encode(f);
    }

    private static int bodyStart(byte[] wire) {
        for (int i = 0; i + 1 < wire.length; i++) {
            if (wire[i] == '\n' && wire[i + 1] == '\n') {
                return i + 2;
            }
        }
        throw new AssertionError("no blank line");
    }

    private static boolean isView(StompFrame f, byte[] fed, int at) {
        byte before = fed[at];
        fed[at] = (byte) '!';
        boolean shows = f.bodyBuffer().get(at - bodyStart(fed)) == '!'; // the frame starts the array
        fed[at] = before;
        return shows;
    }

    @Test
    @DisplayName("a whole body of 1 KiB or more, at least a quarter of what was fed, is a view: no copy")
    void largeWholeBodyIsAView() {
        for (boolean withLength : new boolean[] {true, false}) {
            byte[] wire = message(64 * 1024, withLength);
            StompParser parser = new StompParser();
            parser.addOwned(wire, 0, wire.length);
            StompFrame f = parser.get();
            assertThat(f.bodyLength()).isEqualTo(64 * 1024);
            assertThat(isView(f, wire, bodyStart(wire) + 100)).as("content-length " + withLength).isTrue();
            assertThat(f.bodyBuffer().isReadOnly()).isTrue();
            assertThat(f.body()).as("body() is a copy on demand").containsOnly((byte) 'x');
        }
    }

    @Test
    @DisplayName("add() copies the same body: the caller may reuse its array")
    void addCopies() {
        byte[] wire = message(64 * 1024, true);
        StompParser parser = new StompParser();
        parser.add(wire, 0, wire.length);
        assertThat(isView(parser.get(), wire, bodyStart(wire) + 100)).isFalse();
    }

    @Test
    @DisplayName("small bodies, and bodies under a quarter of the array, are copied: a frame never pins much more than itself")
    void smallOrMinorBodiesAreCopied() {
        byte[] small = message(StompParser.MIN_VIEW - 1, true);
        StompParser parser = new StompParser();
        parser.addOwned(small, 0, small.length);
        assertThat(isView(parser.get(), small, bodyStart(small) + 1)).isFalse();

        byte[] one = message(StompParser.MIN_VIEW, true);
        parser.addOwned(one, 0, one.length);
        assertThat(isView(parser.get(), one, bodyStart(one) + 1)).as("exactly 1 KiB and most of the array").isTrue();

        // Four 2 KiB frames and 32 KiB of heart-beats in one array: each body is well under a quarter of it.
        byte[] frame = message(2048, true);
        byte[] many = new byte[4 * frame.length + 32 * 1024];
        for (int i = 0; i < 4; i++) {
            System.arraycopy(frame, 0, many, i * frame.length, frame.length);
        }
        Arrays.fill(many, 4 * frame.length, many.length, (byte) '\n');
        parser.addOwned(many, 0, many.length);
        List<StompFrame> frames = Wire.drain(parser);
        assertThat(frames).hasSize(4);
        assertThat(isView(frames.get(0), many, bodyStart(frame) + 1)).isFalse();

        // The quarter is of the array, not of the bytes fed from it: a short read into a large array is copied.
        byte[] big = Arrays.copyOf(one, 8 * one.length);
        parser.addOwned(big, 0, one.length);
        assertThat(isView(parser.get(), big, bodyStart(one) + 1)).isFalse();
    }

    @Test
    @DisplayName("a frame whose start came in an earlier array is finished from the next, and the whole frames after it are views of it")
    void wholeBodiesAfterAFrameFinishedFromKeptBytesAreViews() {
        byte[] next = message(2048, true);
        for (boolean withLength : new boolean[] {true, false}) {
            byte[] first = message(4096, withLength);
            int blankLine = bodyStart(first);
            // Cut inside the destination header line, inside the body, and just before the NUL.
            for (int cut : new int[] {20, blankLine + 100, first.length - 1}) {
                byte[] head = Arrays.copyOfRange(first, 0, cut);
                byte[] rest = new byte[first.length - cut + next.length];
                System.arraycopy(first, cut, rest, 0, first.length - cut);
                System.arraycopy(next, 0, rest, first.length - cut, next.length);
                StompParser parser = new StompParser();
                parser.addOwned(head, 0, head.length);
                parser.addOwned(rest, 0, rest.length);
                List<StompFrame> frames = Wire.drain(parser);
                String at = "content-length " + withLength + ", cut at " + cut;
                assertThat(frames).as(at).hasSize(2);
                assertThat(frames.get(0).body()).as(at).hasSize(4096).containsOnly((byte) 'x');
                int bodyAt = first.length - cut + bodyStart(next);
                rest[bodyAt + 7] = '!';
                assertThat(frames.get(1).bodyBuffer().get(7)).as(at + ": the next frame's body is a view").isEqualTo((byte) '!');
                assertThat(parser.retainedBytes()).isZero();
            }
        }
    }

    @Test
    @DisplayName("a body that arrives in pieces is assembled into an array of its own")
    void piecesAreCopied() {
        byte[] wire = message(32 * 1024, true);
        int half = wire.length / 2;
        byte[] first = Arrays.copyOfRange(wire, 0, half);
        byte[] second = Arrays.copyOfRange(wire, half, wire.length);
        StompParser parser = new StompParser();
        parser.addOwned(first, 0, first.length);
        parser.addOwned(second, 0, second.length);
        StompFrame f = parser.get();
        Arrays.fill(first, (byte) '?');
        Arrays.fill(second, (byte) '?');
        assertThat(f.body()).hasSize(32 * 1024).containsOnly((byte) 'x');
    }

    @Test
    @DisplayName("a frame outlives the array it was parsed from: dropped and collected, the body is intact")
    void frameOutlivesTheArray() {
        StompParser parser = new StompParser();
        byte[] wire = message(8 * 1024, true);
        parser.addOwned(wire, 0, wire.length);
        wire = null; // the reader's reference is gone; the frame's is what keeps the bytes
        System.gc();
        StompFrame f = parser.get();
        assertThat(f.bodyAsString(StandardCharsets.US_ASCII)).hasSize(8 * 1024).matches("x+");
    }

    @Test
    @DisplayName("limits and error offsets are the same as add()'s")
    void limitsHold() {
        byte[] wire = message(64 * 1024, true);
        StompParser small = new StompParser(StompVersion.V1_2, ParserLimits.defaults().withMaxFrameSize(16 * 1024));
        assertThatThrownBy(() -> small.addOwned(wire, 0, wire.length)).isInstanceOf(StompFrameException.class)
                .hasMessageContaining("maxFrameSize");

        byte[] broken = message(4096, true);
        broken[broken.length - 1] = 'y'; // the byte after the body must be NUL
        StompParser parser = new StompParser();
        StompFrameException e = org.assertj.core.api.Assertions.catchThrowableOfType(StompFrameException.class,
                () -> parser.addOwned(broken, 0, broken.length));
        StompFrameException copied = org.assertj.core.api.Assertions.catchThrowableOfType(StompFrameException.class,
                () -> new StompParser().add(broken, 0, broken.length));
        assertThat(e.getMessage()).isEqualTo(copied.getMessage());
        assertThat(e.offset()).isEqualTo(copied.offset()).isEqualTo(broken.length - 1);
        assertThatThrownBy(() -> parser.addOwned(new byte[8], 0, 8)).as("failed until reset or resync").isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new StompParser().addOwned(broken, 2, broken.length)).isInstanceOf(IndexOutOfBoundsException.class);
    }
}
