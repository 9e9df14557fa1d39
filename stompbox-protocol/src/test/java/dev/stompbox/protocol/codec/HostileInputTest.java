package dev.stompbox.protocol.codec;

import dev.stompbox.protocol.StompCommand;
import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.StompFrameException;
import dev.stompbox.protocol.StompVersion;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static dev.stompbox.protocol.StompVersion.V1_2;
import static dev.stompbox.protocol.codec.Wire.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Limits, garbage, truncation, lies, and recovery with resync(). */
class HostileInputTest {
    private static final ParserLimits SMALL = new ParserLimits(32, 4, 256);

    private static StompParser small() {
        return new StompParser(V1_2, SMALL);
    }

    private static StompFrameException failure(StompParser parser, byte[] wire) {
        return catchThrowableOfType(StompFrameException.class, () -> {
            parser.add(wire);
            Wire.drain(parser);
        });
    }

    @Test
    @DisplayName("a body without content-length growing to the frame limit: the input buffer never grows past the limit")
    void bufferGrowthStopsAtTheLimit() {
        int limit = 1024 * 1024 + 1000; // not a power of two: doubling alone would overshoot to 2 MiB
        ParserLimits limits = ParserLimits.defaults().withMaxFrameSize(limit);
        StompParser parser = new StompParser(V1_2, limits);
        parser.add(bytes("SEND\ndestination:/queue/a\n\n"));
        byte[] chunk = new byte[8192];
        Arrays.fill(chunk, (byte) 'x');
        long fed = 0;
        int most = 0;
        while (fed + chunk.length < limit - 100) {
            parser.add(chunk);
            fed += chunk.length;
            most = Math.max(most, parser.bufferCapacity());
        }
        assertThat(parser.get()).as("still reading the body").isNull();
        assertThat(most).as("input buffer size").isGreaterThanOrEqualTo((int) fed)
                .isLessThanOrEqualTo(limit + limits.maxHeaderLineLength() + 2);
        assertThat(StompParser.grownCapacity(40 << 20, (40 << 20) + 1, ParserLimits.defaults()))
                .as("a 64 MiB limit: from 40 MiB to the limit, not to 80 MiB")
                .isEqualTo(ParserLimits.defaults().maxFrameSize() + ParserLimits.defaults().maxHeaderLineLength() + 2);
    }

    @Test
    @DisplayName("a header line over maxHeaderLineLength fails before the line is complete")
    void headerLineTooLong() {
        StompParser parser = small();
        byte[] start = bytes("SEND\nk:" + "x".repeat(40));
        StompFrameException e = failure(parser, start); // no LF yet: caught while scanning
        assertThat(e.reason()).isEqualTo("Header line too long (limit maxHeaderLineLength=32 bytes)");
        assertThat(e.offset()).isEqualTo(5 + 33);
    }

    @Test
    @DisplayName("a line of exactly maxHeaderLineLength is fine, also with CRLF")
    void headerLineAtTheLimit() {
        StompParser parser = small();
        parser.add(bytes("SEND\nk:" + "x".repeat(30) + "\r\n\n\0"));
        assertThat(parser.get().header("k")).hasSize(30);
        StompParser over = small();
        assertThat(failure(over, bytes("SEND\nk:" + "x".repeat(31) + "\r\n\n\0")).reason()).startsWith("Header line too long");
    }

    @Test
    @DisplayName("a huge header line fed in small chunks is refused without buffering it")
    void hugeHeaderLineInChunks() {
        StompParser parser = new StompParser(V1_2, ParserLimits.defaults().withMaxHeaderLineLength(1024));
        parser.add(bytes("SEND\nk:"));
        byte[] chunk = new byte[100];
        Arrays.fill(chunk, (byte) 'x');
        assertThatThrownBy(() -> {
            for (int i = 0; i < 1000; i++) {
                parser.add(chunk);
            }
        }).isInstanceOf(StompFrameException.class).hasMessageContaining("maxHeaderLineLength=1024");
    }

    @Test
    @DisplayName("a 50 MiB header line in one read is refused with a 64 KiB line limit")
    void fiftyMegabyteHeaderLine() {
        byte[] wire = new byte[50 * 1024 * 1024];
        Arrays.fill(wire, (byte) 'x');
        byte[] head = bytes("SEND\nk:");
        System.arraycopy(head, 0, wire, 0, head.length);
        StompParser parser = new StompParser();
        StompFrameException e = failure(parser, wire);
        assertThat(e.reason()).contains("maxHeaderLineLength=65536");
    }

    @Test
    @DisplayName("more headers than maxHeaders is refused")
    void tooManyHeaders() {
        StompFrameException e = failure(small(), bytes("SEND\na:1\nb:2\nc:3\nd:4\ne:5\n\n\0"));
        assertThat(e.reason()).isEqualTo("Too many headers (limit maxHeaders=4)");
        assertThat(e.offset()).isEqualTo("SEND\na:1\nb:2\nc:3\nd:4\n".length());
    }

    @Test
    @DisplayName("a content-length above maxFrameSize is refused when the header is read, before any body arrives")
    void contentLengthOverLimit() {
        StompFrameException e = failure(small(), bytes("SEND\ncontent-length:1000\n"));
        assertThat(e.reason()).isEqualTo("Frame too large: content-length 1000 (limit maxFrameSize=256 bytes)");
    }

    @Test
    @DisplayName("headers plus content-length over maxFrameSize is refused at the blank line")
    void headersPlusBodyOverLimit() {
        StompFrameException e = failure(small(), bytes("SEND\ncontent-length:250\n\n"));
        assertThat(e.reason()).startsWith("Frame too large: content-length 250");
    }

    @Test
    @DisplayName("a body without content-length and without NUL is refused at maxFrameSize")
    void endlessBodyWithoutNul() {
        StompParser parser = small();
        parser.add(bytes("SEND\n\n"));
        byte[] chunk = new byte[64];
        Arrays.fill(chunk, (byte) 'b');
        assertThatThrownBy(() -> {
            for (int i = 0; i < 10; i++) {
                parser.add(chunk);
            }
        }).isInstanceOf(StompFrameException.class).hasMessageContaining("Frame too large (limit maxFrameSize=256 bytes)");
    }

    @Test
    @DisplayName("a frame of exactly maxFrameSize bytes passes; one byte more fails")
    void frameSizeBoundary() {
        String head = "SEND\n\n";
        String body = "b".repeat(256 - head.length() - 1);
        StompParser ok = small();
        ok.add(bytes(head + body + "\0"));
        assertThat(ok.get().bodyLength()).isEqualTo(body.length());
        assertThat(failure(small(), bytes(head + body + "b\0")).reason()).startsWith("Frame too large");
        String clHead = "SEND\ncontent-length:230\n\n";
        StompParser okLength = small();
        okLength.add(bytes(clHead + "c".repeat(230) + "\0"));
        assertThat(okLength.get().bodyLength()).isEqualTo(230);
        assertThat(failure(small(), bytes("SEND\ncontent-length:231\n\n" + "c".repeat(231) + "\0")).reason())
                .startsWith("Frame too large");
    }

    @Test
    @DisplayName("endless EOLs are heart-beats: counted, never buffered, never a frame")
    void endlessEols() {
        StompParser parser = small();
        byte[] eols = new byte[100_000];
        Arrays.fill(eols, (byte) '\n');
        for (int i = 0; i < 10; i++) {
            parser.add(eols);
        }
        assertThat(parser.canRead()).isFalse();
        assertThat(parser.heartBeats()).isEqualTo(1_000_000);
        parser.add(bytes("RECEIPT\nreceipt-id:x\n\n\0"));
        assertThat(parser.get().header("receipt-id")).isEqualTo("x");
    }

    @Test
    @DisplayName("a truncated frame is simply incomplete: no frame, no error, completes later")
    void truncatedFrameWaits() {
        StompParser parser = new StompParser();
        parser.add(bytes("MESSAGE\nsubscription:0\ncontent-length:10\n\n01234"));
        assertThat(parser.canRead()).isFalse();
        parser.add(bytes("56789\0"));
        assertThat(parser.get().bodyAsString()).isEqualTo("0123456789");
    }

    @Test
    @DisplayName("a content-length that lies short: the byte after the body is not NUL")
    void lyingContentLengthShort() {
        StompFrameException e = Wire.fails(V1_2, "SEND\ndestination:/q\ncontent-length:2\n\nhello\0");
        assertThat(e.reason()).isEqualTo("Expected NUL after content-length 2 body");
    }

    @Test
    @DisplayName("a content-length that lies long swallows the next frame and then finds no NUL")
    void lyingContentLengthLong() {
        StompFrameException e = Wire.fails(V1_2,
                "SEND\ndestination:/q\ncontent-length:20\n\nhi\0SEND\ndestination:/q\n\nnext\0X");
        assertThat(e.reason()).isEqualTo("Expected NUL after content-length 20 body");
    }

    @Test
    @DisplayName("a large content-length body with a missing NUL fails in the direct-fill path too")
    void largeBodyMissingNul() {
        int n = 40_000;
        StompParser parser = new StompParser();
        parser.add(bytes("SEND\ncontent-length:" + n + "\n\n"));
        parser.add(new byte[n - 1]);
        parser.add(new byte[1]);
        StompFrameException e = failure(parser, bytes("Z"));
        assertThat(e.reason()).isEqualTo("Expected NUL after content-length " + n + " body");
        assertThat(e.offset()).isEqualTo(("SEND\ncontent-length:" + n + "\n\n").length() + n);
    }

    @Test
    @DisplayName("a large content-length body arriving in pieces, NUL in its own read, is filled straight into the frame")
    void largeBodyInPieces() {
        int n = 100_000;
        byte[] body = new byte[n];
        new Random(3).nextBytes(body);
        StompParser parser = new StompParser();
        parser.add(bytes("MESSAGE\nsubscription:0\ncontent-length:" + n + "\n\n"));
        parser.add(body, 0, 10);
        parser.add(body, 10, n - 10);
        assertThat(parser.canRead()).isFalse();
        parser.add(new byte[] {0, '\n'});
        StompFrame f = parser.get();
        assertThat(f.body()).isEqualTo(body);
        assertThat(parser.heartBeats()).isEqualTo(1);
    }

    @Test
    @DisplayName("a line over the limit that ends with LF inside the scan window is refused too (1.1: CR counts)")
    void lineOverLimitWithLf() {
        StompParser parser = new StompParser(StompVersion.V1_1, SMALL);
        StompFrameException e = failure(parser, bytes("SEND\nk:" + "x".repeat(31) + "\n\n\0"));
        assertThat(e.reason()).startsWith("Header line too long");
        assertThat(e.offset()).isEqualTo(5 + 32);
    }

    @Test
    @DisplayName("header lines alone can exceed maxFrameSize")
    void headersOverFrameLimit() {
        StompParser parser = new StompParser(V1_2, new ParserLimits(100, 100, 40));
        StompFrameException e = failure(parser, bytes("SEND\naaaaaaaaaa:1\nbbbbbbbbbb:2\ncccccccccc:3\n\n\0"));
        assertThat(e.reason()).isEqualTo("Frame too large (limit maxFrameSize=40 bytes)");
    }

    @Test
    @DisplayName("an invalid command is quoted, escaped and cut in the error")
    void longInvalidCommand() {
        StompFrameException e = Wire.fails(V1_2, "X".repeat(100) + "\u0001\n\n\0");
        assertThat(e.reason()).isEqualTo("Invalid command: '" + "X".repeat(64) + "...'");
        assertThat(Wire.fails(V1_2, "\u0001\n\n\0").reason()).isEqualTo("Invalid command: '\\x01'");
    }

    @Test
    @DisplayName("garbage is rejected as an invalid command at its offset, and never yields a frame")
    void garbage() {
        byte[] garbage = new byte[200];
        new Random(7).nextBytes(garbage);
        garbage[0] = 'G';
        garbage[6] = '\n';
        StompParser parser = new StompParser();
        parser.add(bytes("RECEIPT\nreceipt-id:1\n\n\0"));
        StompFrameException e = catchThrowableOfType(StompFrameException.class, () -> parser.add(garbage));
        assertThat(e.reason()).startsWith("Invalid command: 'G");
        assertThat(e.offset()).isEqualTo("RECEIPT\nreceipt-id:1\n\n\0".length());
        assertThat(parser.get().command()).isEqualTo(StompCommand.RECEIPT);
        assertThat(parser.canRead()).isFalse();
    }

    @Test
    @DisplayName("after an error the parser refuses input until reset() or resync()")
    void refusesInputAfterError() {
        StompParser parser = new StompParser();
        assertThatThrownBy(() -> parser.add(bytes("BOGUS\n\n\0"))).isInstanceOf(StompFrameException.class);
        assertThat(parser.failed()).isTrue();
        assertThatThrownBy(() -> parser.add(bytes("RECEIPT\nreceipt-id:1\n\n\0")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Invalid command: 'BOGUS'")
                .hasMessageContaining("reset() or resync()");
        parser.reset();
        assertThat(parser.failed()).isFalse();
        parser.add(bytes("RECEIPT\nreceipt-id:1\n\n\0"));
        assertThat(parser.get().header("receipt-id")).isEqualTo("1");
    }

    @Test
    @DisplayName("resync() skips past the next NUL and recovers the next good frame, counting what it dropped")
    void resyncRecoversNextFrame() {
        StompParser parser = new StompParser();
        byte[] wire = bytes("RECEIPT\nreceipt-id:1\n\n\0BAD\\FRAME\nk:v\n\nbody\0\nRECEIPT\nreceipt-id:2\n\n\0");
        assertThatThrownBy(() -> parser.add(wire)).isInstanceOf(StompFrameException.class);
        long dropped = parser.resync();
        assertThat(dropped).isEqualTo("BAD\\FRAME\nk:v\n\nbody\0".length());
        assertThat(parser.discarded()).isEqualTo(dropped);
        assertThat(Wire.drain(parser)).extracting(f -> f.header("receipt-id")).containsExactly("1", "2");
    }

    @Test
    @DisplayName("resync() before the next NUL has arrived skips later input up to it")
    void resyncBeforeNulArrives() {
        StompParser parser = new StompParser();
        assertThatThrownBy(() -> parser.add(bytes("SEND\nk:a\\tb\n\nstill"))).isInstanceOf(StompFrameException.class);
        assertThat(parser.resync()).isEqualTo("SEND\nk:a\\tb\n\nstill".length());
        parser.add(bytes(" garbage"));
        parser.add(bytes(" more\0RECEIPT\nreceipt-id:9\n\n\0"));
        assertThat(parser.get().header("receipt-id")).isEqualTo("9");
        assertThat(parser.discarded()).isEqualTo("SEND\nk:a\\tb\n\nstill garbage more\0".length());
    }

    @Test
    @DisplayName("resync() after a limit error in a buffered chunk keeps the rest of that chunk")
    void resyncAfterBufferedLimitError() {
        StompParser parser = small();
        parser.add(bytes("SEND\nk:"));
        assertThatThrownBy(() -> parser.add(bytes("x".repeat(100) + "\0RECEIPT\nreceipt-id:3\n\n\0")))
                .isInstanceOf(StompFrameException.class);
        parser.resync();
        assertThat(parser.get().header("receipt-id")).isEqualTo("3");
    }

    @Test
    @DisplayName("resync() on a healthy parser does nothing")
    void resyncWhenHealthy() {
        StompParser parser = new StompParser();
        assertThat(parser.resync()).isZero();
    }

    @Test
    @DisplayName("add(ByteBuffer) consumes heap and direct buffers and advances their position")
    void byteBufferInput() {
        byte[] wire = bytes("RECEIPT\nreceipt-id:1\n\n\0");
        StompParser parser = new StompParser();
        ByteBuffer heap = ByteBuffer.wrap(wire);
        parser.add(heap);
        assertThat(heap.hasRemaining()).isFalse();
        ByteBuffer direct = ByteBuffer.allocateDirect(wire.length * 2000);
        for (int i = 0; i < 2000; i++) {
            direct.put(wire);
        }
        direct.flip();
        parser.add(direct);
        assertThat(direct.hasRemaining()).isFalse();
        List<StompFrame> frames = Wire.drain(parser);
        assertThat(frames).hasSize(2001).allMatch(f -> f.command() == StompCommand.RECEIPT);
    }

    @Test
    @DisplayName("the caller's array is not retained: reusing it after add() changes nothing")
    void inputArrayNotRetained() {
        byte[] wire = bytes("MESSAGE\nsubscription:0\n\nhello\0MESSAGE\nsubscription:0\n\nwor");
        StompParser parser = new StompParser();
        parser.add(wire);
        Arrays.fill(wire, (byte) '#');
        parser.add(bytes("ld\0"));
        assertThat(Wire.drain(parser)).extracting(StompFrame::bodyAsString).containsExactly("hello", "world");
    }

    @Test
    @DisplayName("limits reject nonsense values")
    void limitsValidated() {
        assertThatThrownBy(() -> new ParserLimits(0, 1, 100)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ParserLimits(1, -1, 100)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ParserLimits(1, 1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ParserLimits(1, 1, Integer.MAX_VALUE)).isInstanceOf(IllegalArgumentException.class);
        assertThat(ParserLimits.defaults().withMaxHeaders(5).withMaxFrameSize(10).withMaxHeaderLineLength(3))
                .isEqualTo(new ParserLimits(3, 5, 10));
    }

    @Test
    @DisplayName("hasPartialFrame() tells whether the input so far ends inside a frame")
    void partialFrame() {
        StompParser parser = new StompParser();
        assertThat(parser.hasPartialFrame()).isFalse();
        parser.add(bytes("RECEIPT\nreceipt-id:1\n\n\0\n"));
        assertThat(parser.hasPartialFrame()).isFalse();
        parser.add(bytes("SEND\ncontent-length:3\n\nab"));
        assertThat(parser.hasPartialFrame()).isTrue();
        parser.add(bytes("c\0"));
        assertThat(parser.hasPartialFrame()).isFalse();
        parser.add(bytes("\r"));
        assertThat(parser.hasPartialFrame()).isTrue();
        parser.add(bytes("\n"));
        assertThat(parser.hasPartialFrame()).isFalse();
    }

    @Test
    @DisplayName("reset() drops complete and partial frames")
    void resetDropsEverything() {
        StompParser parser = new StompParser();
        parser.add(bytes("RECEIPT\nreceipt-id:1\n\n\0\nRECEIPT\nrece"));
        parser.reset();
        assertThat(parser.canRead()).isFalse();
        assertThat(parser.heartBeats()).isZero();
        parser.add(bytes("RECEIPT\nreceipt-id:2\n\n\0"));
        assertThat(parser.get().header("receipt-id")).isEqualTo("2");
    }

    @Test
    void versionAndLimitsAccessors() {
        StompParser parser = new StompParser(StompVersion.V1_1, SMALL);
        assertThat(parser.version()).isEqualTo(StompVersion.V1_1);
        assertThat(parser.limits()).isEqualTo(SMALL);
    }

    @Test
    @DisplayName("retainedBytes stays within the frame limit plus the line limit, however the input comes, and is 0 between frames")
    void retainedBytesBounded() {
        ParserLimits limits = new ParserLimits(1024, 100, 64 * 1024);
        long bound = (long) limits.maxFrameSize() + limits.maxHeaderLineLength() + 2;
        byte[][] inputs = {
                bytes("MESSAGE\nk:" + "x".repeat(1020) + "\n\n" + "b".repeat(60_000) + "\0"),        // long line, long NUL-ended body
                bytes("MESSAGE\ncontent-length:65000\n\n" + "c".repeat(65_000) + "\0"),               // body near the limit, announced
                bytes("MESSAGE\n" + "h:v\n".repeat(99) + "\n\0"),                                    // headers near their limit
                bytes("\n".repeat(200_000) + "MESSAGE\n\nafter beats\0"),                             // endless beats, then a frame
        };
        for (int chunk : new int[] {1, 7, 1000, 70_000}) {
            StompParser parser = new StompParser(V1_2, limits);
            long peak = 0;
            for (byte[] wire : inputs) {
                for (int from = 0; from < wire.length; from += chunk) {
                    parser.add(wire, from, Math.min(chunk, wire.length - from));
                    peak = Math.max(peak, parser.retainedBytes());
                    Wire.drain(parser);
                }
            }
            assertThat(peak).as("peak with %d-byte chunks", chunk).isLessThanOrEqualTo(bound);
            assertThat(parser.retainedBytes()).as("held between frames, %d-byte chunks", chunk).isZero();
        }
    }
}
