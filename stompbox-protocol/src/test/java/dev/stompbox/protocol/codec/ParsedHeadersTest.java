package dev.stompbox.protocol.codec;

import dev.stompbox.protocol.Header;
import dev.stompbox.protocol.StompCommand;
import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.StompVersion;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.stompbox.protocol.codec.Wire.parseByteByByte;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The parser keeps plain ASCII header values as bytes and the frame turns them into strings on
 * first access; escaped, UTF-8 and empty values are decoded while parsing. These tests prove that a
 * reader cannot tell the difference.
 */
class ParsedHeadersTest {
    private static final StompEncoder ENCODER = StompEncoder.of(StompVersion.V1_2);

    /** 20 headers (past every initial array size), mixing kept-as-bytes and decoded-at-parse values. */
    private static StompFrame mixed() {
        StompFrame.Builder b = StompFrame.builder(StompCommand.MESSAGE);
        for (int i = 0; i < 20; i++) {
            String value = switch (i % 5) {
                case 0 -> "plain-" + i;
                case 1 -> "esc:aped\\" + i + "\nline";
                case 2 -> "caf\u00e9-" + i;
                case 3 -> "";
                default -> "long-" + "x".repeat(150) + i; // past the first raw buffer
            };
            b.header("h" + i, value);
        }
        return b.header("h0", "second h0 loses").body("body").build();
    }

    @Test
    @DisplayName("reading one frame's values leaves the next frames as they were sent, content-length included")
    void readingOneFrameDoesNotChangeTheNext() {
        StompParser parser = new StompParser();
        parser.add(Wire.bytes("MESSAGE\ndestination:/queue/a\ncontent-length:2\nmessage-id:1\nx:caf\u00c3\u00a9\n\nhi\0"));
        StompFrame first = parser.get();
        String destination = first.header("destination");
        String contentLength = first.header("content-length");
        first.header("message-id");
        first.header("x");
        parser.add(Wire.bytes("MESSAGE\ndestination:/queue/a\ncontent-length:2\nmessage-id:2\nx:caf\u00c3\u00a9\n\nho\0"
                + "MESSAGE\nmessage-id:3\ndestination:/queue/a\ncontent-length:3\n\nhey\0"));
        StompFrame second = parser.get();
        assertThat(second.header("destination")).isEqualTo(destination);
        assertThat(second.header("content-length")).isEqualTo(contentLength);
        assertThat(second.bodyAsString()).as("content-length still read as a byte count").isEqualTo("ho");
        assertThat(second.header("message-id")).isEqualTo("2");
        assertThat(second.header("x")).isEqualTo("caf\u00e9");
        StompFrame third = parser.get();
        assertThat(third.header("message-id")).as("another header at that index").isEqualTo("3");
        assertThat(third.header("destination")).isEqualTo("/queue/a");
        assertThat(third.header("content-length")).isEqualTo("3");
        assertThat(third.bodyAsString()).isEqualTo("hey");
    }

    @Test
    void parsedValuesEqualWhatWasEncodedWholeAndByteByByte() {
        StompFrame original = mixed();
        byte[] wire = ENCODER.encode(original);
        StompParser parser = new StompParser();
        parser.add(wire);
        StompFrame whole = parser.get();
        StompFrame bytewise = parseByteByByte(StompVersion.V1_2, wire).get(0);

        for (StompFrame parsed : List.of(whole, bytewise)) {
            assertThat(parsed.headerCount()).isEqualTo(original.headerCount() + 1); // + content-length
            for (int i = 0; i < original.headerCount(); i++) {
                assertThat(parsed.headerName(i)).isEqualTo(original.headerName(i));
                assertThat(parsed.headerValue(i)).isEqualTo(original.headerValue(i));
            }
            assertThat(parsed.header("h0")).isEqualTo("plain-0");
            assertThat(parsed.headers("h0")).containsExactly("plain-0", "second h0 loses");
            assertThat(parsed.withoutHeader("content-length")).isEqualTo(original);
        }
    }

    @Test
    void eachFrameKeepsItsOwnValuesWhileTheParserGoesOn() {
        StompParser parser = new StompParser();
        List<StompFrame> frames = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            parser.add(ENCODER.encode(StompFrame.builder(StompCommand.SEND)
                    .header("destination", "/queue/" + i).header("n", Integer.toString(i)).build()));
            frames.add(parser.get());
        }
        // Nothing was read until every frame had been parsed: a shared or reused byte store would show here.
        for (int i = 0; i < 50; i++) {
            assertThat(frames.get(i).header("destination")).isEqualTo("/queue/" + i);
            assertThat(frames.get(i).header("n")).isEqualTo(Integer.toString(i));
        }
    }

    @Test
    void threadsReadingOneFrameAtOnceAllSeeTheSameValues() throws Exception {
        byte[] wire = ENCODER.encode(mixed());
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            for (int round = 0; round < 200; round++) {
                StompParser parser = new StompParser();
                parser.add(wire);
                StompFrame frame = parser.get();
                List<Callable<List<Header>>> readers = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    readers.add(frame::headers);
                }
                List<Header> expected = null;
                for (Future<List<Header>> f : pool.invokeAll(readers, 10, TimeUnit.SECONDS)) {
                    List<Header> seen = List.copyOf(f.get());
                    if (expected == null) {
                        expected = seen;
                    }
                    assertThat(seen).isEqualTo(expected);
                }
                assertThat(expected).startsWith(mixed().headers().toArray(new Header[0]));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** The line scan skips eight plain bytes at a time; a special byte must be noticed at every offset. */
    @Test
    void specialBytesAreSeenAtEveryPositionOfAWord() {
        for (int k = 0; k < 20; k++) {
            String pad = "x".repeat(k);
            String prefix = "SEND\ndestination:/q\n";
            assertThat(Wire.single(StompVersion.V1_2, prefix + "n:" + pad + "\\cyyyyyyyyy\n\n\0").header("n"))
                    .isEqualTo(pad + ":yyyyyyyyy");
            assertThat(Wire.single(StompVersion.V1_2, prefix + "n:" + pad + ":yyyyyyyyy\n\n\0").header("n"))
                    .as("a second colon belongs to the value").isEqualTo(pad + ":yyyyyyyyy");
            StompFrame utf8 = Wire.parse(StompVersion.V1_2, Wire.utf8(prefix + "n:" + pad + "\u00e9yyyyyyyyy\n\n\0")).get(0);
            assertThat(utf8.header("n")).isEqualTo(pad + "\u00e9yyyyyyyyy");
            assertThat(Wire.single(StompVersion.V1_2, prefix + pad + "name" + pad + ":v\n\n\0").header(pad + "name" + pad))
                    .isEqualTo("v");
            assertThat(Wire.fails(StompVersion.V1_2, prefix + "n:" + pad + "\ryyyyyyyyy\n\n\0").offset())
                    .isEqualTo(prefix.length() + 2 + k);
        }
    }

    @Test
    void wireLengthIsEachFramesOwnSizeWithoutTheHeartBeatsAroundIt() {
        String withLength = "MESSAGE\r\nsubscription:0\r\ncontent-length:3\r\n\r\na\0b\0";
        String untilNul = "SEND\ndestination:/q\n\nhello\0";
        String big = "SEND\ndestination:/q\ncontent-length:20000\n\n" + "x".repeat(20_000) + "\0"; // filled directly
        String wire = "\n\r\n" + withLength + "\n\n" + untilNul + big + "\n";
        List<Integer> expected = List.of(withLength.length(), untilNul.length(), big.length());
        assertThat(Wire.parse(StompVersion.V1_2, wire)).extracting(StompFrame::wireLength).isEqualTo(expected);
        assertThat(parseByteByByte(StompVersion.V1_2, Wire.bytes(wire))).extracting(StompFrame::wireLength).isEqualTo(expected);
        StompFrame built = StompFrame.builder(StompCommand.SEND).header("destination", "/q").build();
        assertThat(built.wireLength()).isEqualTo(-1);
        assertThat(Wire.parse(StompVersion.V1_2, untilNul).get(0).withHeader("a", "b").wireLength()).isEqualTo(-1);
    }

    @Test
    void indexedAccessIsBounded() {
        StompFrame f = StompFrame.builder(StompCommand.SEND).header("destination", "/q").build();
        assertThat(f.headerCount()).isEqualTo(1);
        assertThatThrownBy(() -> f.headerName(1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> f.headerValue(-1)).isInstanceOf(IndexOutOfBoundsException.class);
    }
}
