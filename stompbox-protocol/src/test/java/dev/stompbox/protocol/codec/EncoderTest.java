package dev.stompbox.protocol.codec;

import dev.stompbox.protocol.StompCommand;
import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.StompProtocolException;
import dev.stompbox.protocol.StompVersion;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.BufferOverflowException;
import java.util.List;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static dev.stompbox.protocol.StompVersion.V1_0;
import static dev.stompbox.protocol.StompVersion.V1_1;
import static dev.stompbox.protocol.StompVersion.V1_2;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EncoderTest {
    private static String wire(StompVersion v, StompFrame f) {
        return new String(StompEncoder.of(v).encode(f), StandardCharsets.UTF_8);
    }

    private static StompFrame send(String name, String value) {
        return StompFrame.builder(StompCommand.SEND).header(name, value).build();
    }

    @Test
    @DisplayName("1.2 escapes backslash, LF, colon and CR")
    void escapes12() {
        assertThat(wire(V1_2, send("a:b", "x\ny\rz\\"))).isEqualTo("SEND\na\\cb:x\\ny\\rz\\\\\n\n\0");
    }

    @Test
    @DisplayName("1.1 escapes backslash, LF and colon; CR is an ordinary octet there")
    void escapes11() {
        assertThat(wire(V1_1, send("a:b", "x\ny\rz\\"))).isEqualTo("SEND\na\\cb:x\\ny\rz\\\\\n\n\0");
    }

    @Test
    @DisplayName("CONNECT, STOMP and CONNECTED are never escaped: ':' and '\\' go as they are")
    void rawFrames() {
        StompFrame connect = StompFrame.builder(StompCommand.CONNECT).header("passcode", "a:b\\c").build();
        assertThat(wire(V1_2, connect)).isEqualTo("CONNECT\npasscode:a:b\\c\n\n\0");
        StompFrame stomp = StompFrame.builder(StompCommand.STOMP).header("passcode", "p:q").build();
        assertThat(wire(V1_1, stomp)).isEqualTo("STOMP\npasscode:p:q\n\n\0");
        StompFrame connected = StompFrame.builder(StompCommand.CONNECTED).header("server", "s\\1").build();
        assertThat(wire(V1_2, connected)).isEqualTo("CONNECTED\nserver:s\\1\n\n\0");
    }

    @Test
    @DisplayName("a header that an unescaped frame cannot carry is an exception, not bad bytes")
    void unencodableRawHeaders() {
        StompFrame lf = StompFrame.builder(StompCommand.CONNECT).header("passcode", "a\nb").build();
        assertThatThrownBy(() -> StompEncoder.of(V1_2).encode(lf)).isInstanceOf(StompProtocolException.class)
                .hasMessageContaining("passcode").hasMessageContaining("line feed");
        StompFrame cr = StompFrame.builder(StompCommand.CONNECT).header("passcode", "a\rb").build();
        assertThatThrownBy(() -> StompEncoder.of(V1_2).encode(cr)).isInstanceOf(StompProtocolException.class)
                .hasMessageContaining("carriage return");
        assertThat(wire(V1_1, cr)).isEqualTo("CONNECT\npasscode:a\rb\n\n\0");
        StompFrame colonName = StompFrame.builder(StompCommand.CONNECT).header("a:b", "c").build();
        assertThatThrownBy(() -> StompEncoder.of(V1_2).encode(colonName)).isInstanceOf(StompProtocolException.class)
                .hasMessageContaining("':' in its name");
    }

    @Test
    @DisplayName("1.0 has no escapes: LF anywhere or ':' in a name is refused; ':' in a value is fine")
    void stomp10() {
        assertThatThrownBy(() -> StompEncoder.of(V1_0).encode(send("k", "a\nb"))).isInstanceOf(StompProtocolException.class)
                .hasMessageContaining("STOMP 1.0");
        assertThatThrownBy(() -> StompEncoder.of(V1_0).encode(send("k:x", "v"))).isInstanceOf(StompProtocolException.class);
        assertThat(wire(V1_0, send("k", "ID:host-1:2"))).isEqualTo("SEND\nk:ID:host-1:2\n\n\0");
        assertThat(wire(V1_0, send("k", "a\\b"))).isEqualTo("SEND\nk:a\\b\n\n\0");
    }

    @Test
    @DisplayName("content-length is added for a body, counting bytes")
    void contentLengthAdded() {
        StompFrame f = StompFrame.builder(StompCommand.SEND).header("destination", "/q").body("h\u00e9").build();
        assertThat(wire(V1_2, f)).isEqualTo("SEND\ndestination:/q\ncontent-length:3\n\nh\u00e9\0");
        assertThat(wire(V1_2, StompFrame.builder(StompCommand.SEND).body(new byte[1_234_567]).build()))
                .startsWith("SEND\ncontent-length:1234567\n\n");
    }

    @Test
    @DisplayName("no content-length for an empty body")
    void noContentLengthWhenEmpty() {
        assertThat(wire(V1_2, send("destination", "/q"))).isEqualTo("SEND\ndestination:/q\n\n\0");
    }

    @Test
    @DisplayName("content-length can be suppressed per frame (ActiveMQ TextMessage)")
    void contentLengthSuppressed() {
        StompFrame f = StompFrame.builder(StompCommand.SEND).header("destination", "/q").body("text").contentLength(false).build();
        assertThat(wire(V1_2, f)).isEqualTo("SEND\ndestination:/q\n\ntext\0");
        assertThat(f.includesContentLength()).isFalse();
    }

    @Test
    @DisplayName("suppressing content-length for a body with a NUL is refused")
    void suppressedWithNul() {
        StompFrame f = StompFrame.builder(StompCommand.SEND).body(new byte[] {'a', 0, 'b'}).contentLength(false).build();
        assertThatThrownBy(() -> StompEncoder.of(V1_2).encode(f)).isInstanceOf(StompProtocolException.class)
                .hasMessageContaining("NUL");
    }

    @Test
    @DisplayName("a content-length header given by the caller must match the body")
    void givenContentLength() {
        StompFrame right = StompFrame.builder(StompCommand.SEND).header("content-length", "2").body("ab").build();
        assertThat(wire(V1_2, right)).isEqualTo("SEND\ncontent-length:2\n\nab\0");
        StompFrame wrong = StompFrame.builder(StompCommand.SEND).header("content-length", "5").body("ab").build();
        assertThatThrownBy(() -> StompEncoder.of(V1_2).encode(wrong)).isInstanceOf(StompProtocolException.class)
                .hasMessageContaining("says '5' but the body has 2 bytes");
        byte[] twelve = new byte[12];
        for (String notTwelve : new String[]{"012", "+12", "12 ", "1", "121", "21", "", "1x"}) {
            StompFrame f = StompFrame.builder(StompCommand.SEND).header("content-length", notTwelve).body(twelve).build();
            assertThatThrownBy(() -> StompEncoder.of(V1_2).encode(f)).as("'%s'", notTwelve).isInstanceOf(StompProtocolException.class);
        }
        StompFrame zero = StompFrame.builder(StompCommand.SEND).header("content-length", "0").build();
        assertThat(wire(V1_2, zero)).isEqualTo("SEND\ncontent-length:0\n\n\0");
    }

    @Test
    @DisplayName("a body on a bodiless command, or a command the version lacks, is refused")
    void invalidFrames() {
        StompFrame subscribe = StompFrame.builder(StompCommand.SUBSCRIBE).body("x").build();
        assertThatThrownBy(() -> StompEncoder.of(V1_2).encode(subscribe)).isInstanceOf(StompProtocolException.class)
                .hasMessageContaining("SUBSCRIBE with a body");
        assertThatThrownBy(() -> StompEncoder.of(V1_0).encode(StompFrame.of(StompCommand.NACK)))
                .isInstanceOf(StompProtocolException.class).hasMessageContaining("not a STOMP 1.0 command");
        assertThatThrownBy(() -> StompEncoder.of(V1_2).encode(send("", "v"))).isInstanceOf(StompProtocolException.class)
                .hasMessageContaining("empty header name");
        assertThatThrownBy(() -> StompEncoder.of(V1_2).encode(send("k", "\uD800"))).isInstanceOf(StompProtocolException.class)
                .hasMessageContaining("unpaired surrogate");
    }

    @Test
    @DisplayName("UTF-8 of 1, 2, 3 and 4 bytes")
    void utf8() {
        StompFrame f = send("k", "a\u00e9\u65e5\uD83D\uDE00");
        byte[] bytes = StompEncoder.of(V1_2).encode(f);
        assertThat(bytes).isEqualTo("SEND\nk:a\u00e9\u65e5\uD83D\uDE00\n\n\0".getBytes(StandardCharsets.UTF_8));
        assertThat(StompEncoder.of(V1_2).encodedLength(f)).isEqualTo(bytes.length);
    }

    @Test
    @DisplayName("encode into a ByteBuffer (heap and direct); too small a buffer gets nothing")
    void intoByteBuffer() {
        StompFrame f = StompFrame.builder(StompCommand.SEND).header("destination", "/q").body("hello").build();
        byte[] expected = StompEncoder.of(V1_2).encode(f);
        ByteBuffer heap = ByteBuffer.allocate(expected.length + 3);
        heap.put((byte) 9);
        StompEncoder.of(V1_2).encode(f, heap);
        assertThat(heap.position()).isEqualTo(expected.length + 1);
        assertThat(java.util.Arrays.copyOfRange(heap.array(), 1, expected.length + 1)).isEqualTo(expected);

        ByteBuffer direct = ByteBuffer.allocateDirect(expected.length);
        StompEncoder.of(V1_2).encode(f, direct);
        direct.flip();
        byte[] got = new byte[direct.remaining()];
        direct.get(got);
        assertThat(got).isEqualTo(expected);

        ByteBuffer small = ByteBuffer.allocate(expected.length - 1);
        assertThatThrownBy(() -> StompEncoder.of(V1_2).encode(f, small)).isInstanceOf(BufferOverflowException.class);
        assertThat(small.position()).isZero();
    }

    @Test
    @DisplayName("encodeHead writes only the head where it is told, refuses a buffer too small without writing, and refuses what encode refuses")
    void encodeHead() {
        StompFrame f = StompFrame.builder(StompCommand.SEND).header("destination", "/queue/a").body("hello").build();
        StompEncoder e = StompEncoder.of(V1_2);
        byte[] dst = new byte[64];
        java.util.Arrays.fill(dst, (byte) '#');
        int end = e.encodeHead(f, dst, 2);
        assertThat(new String(dst, 2, end - 2, StandardCharsets.UTF_8)).isEqualTo("SEND\ndestination:/queue/a\ncontent-length:5\n\n");
        assertThat(end - 2).isEqualTo(e.headLength(f));
        assertThat(dst[end]).as("nothing written past the head").isEqualTo((byte) '#');
        byte[] tooSmall = new byte[e.headLength(f) - 1];
        assertThatThrownBy(() -> e.encodeHead(f, tooSmall, 0)).isInstanceOf(BufferOverflowException.class);
        assertThat(tooSmall).containsOnly((byte) 0);
        StompFrame badHeader = StompFrame.builder(StompCommand.CONNECT).header("login", "a\nb").build();
        assertThatThrownBy(() -> e.encodeHead(badHeader, new byte[256], 0)).isInstanceOf(StompProtocolException.class)
                .hasMessageContaining("line feed");
    }

    @Test
    @DisplayName("a frame measured in STOMP 1.1, where a CR in a value goes as it is, is still escaped when written in 1.2")
    void whatOneVersionsMeasureFoundDoesNotCarryOverToAnother() {
        StompFrame f = StompFrame.builder(StompCommand.SEND).header("destination", "/queue/a\rb").build();
        StompEncoder v11 = StompEncoder.of(StompVersion.V1_1);
        StompEncoder v12 = StompEncoder.of(V1_2);

        assertThat(v11.headLength(f)).isEqualTo("SEND\ndestination:/queue/a\rb\n\n".length());
        assertThat(new String(v12.encode(f), StandardCharsets.UTF_8)).isEqualTo("SEND\ndestination:/queue/a\\rb\n\n\0");
        byte[] head = new byte[64];
        assertThat(new String(head, 0, v12.encodeHead(f, head, 0), StandardCharsets.UTF_8))
                .isEqualTo("SEND\ndestination:/queue/a\\rb\n\n");
        assertThat(new String(v11.encode(f), StandardCharsets.UTF_8)).isEqualTo("SEND\ndestination:/queue/a\rb\n\n\0");
    }

    @Test
    @DisplayName("a header name found plain at its position answers for that very String only: another name there is examined")
    void aNameFoundPlainAnswersForItselfOnly() {
        StompEncoder e = StompEncoder.of(V1_2);
        String plainName = new String("x-ab");
        e.encode(StompFrame.builder(StompCommand.SEND).header(plainName, "1").build());
        String special = new String("x:ab"); // same length, same position, not the same String
        StompFrame f = StompFrame.builder(StompCommand.SEND).header(special, "1").build();

        assertThat(new String(e.encode(f), StandardCharsets.UTF_8)).isEqualTo("SEND\nx\\cab:1\n\n\0");
        assertThatThrownBy(() -> e.encode(StompFrame.builder(StompCommand.CONNECT).header(special, "1").build()))
                .isInstanceOf(StompProtocolException.class).hasMessageContaining("':' in its name");
    }

    @Test
    @DisplayName("a measured frame written into too small an array is refused before a byte is written")
    void aMeasuredFrameRefusesTooSmallAnArray() {
        StompFrame f = StompFrame.builder(StompCommand.SEND).header("destination", "/queue/a").body("hello").build();
        StompEncoder e = StompEncoder.of(V1_2);
        int head = e.headLength(f);
        byte[] tooSmall = new byte[head + 1];
        assertThatThrownBy(() -> e.encodeHead(f, tooSmall, 2)).isInstanceOf(BufferOverflowException.class);
        assertThat(tooSmall).containsOnly((byte) 0);
        assertThat(e.encodeHead(f, new byte[head + 2], 2)).isEqualTo(head + 2);
    }

    @Test
    @DisplayName("encodeHead in one pass (room for the bound) refuses exactly what the measuring pass refuses, with the same message")
    void onePassRefusesWhatTheMeasuringPassRefuses() {
        List<Object[]> bad = List.of(
                new Object[]{V1_2, StompFrame.builder(StompCommand.CONNECT).header("login", "a\nb").build()},
                new Object[]{V1_2, StompFrame.builder(StompCommand.CONNECT).header("lo:gin", "a").build()},
                new Object[]{V1_2, StompFrame.builder(StompCommand.CONNECT).header("login", "a\rb").build()},
                new Object[]{V1_0, StompFrame.builder(StompCommand.SEND).header("destination", "/queue/é").build()},
                new Object[]{V1_2, StompFrame.builder(StompCommand.SEND).header("destination", "/queue/\uD800").build()},
                new Object[]{V1_2, StompFrame.builder(StompCommand.SEND).header("", "empty name").build()},
                new Object[]{V1_2, StompFrame.builder(StompCommand.SUBSCRIBE).header("id", "1").body("no body here").build()},
                new Object[]{V1_0, StompFrame.builder(StompCommand.NACK).header("message-id", "1").build()});
        for (Object[] c : bad) {
            StompEncoder e = StompEncoder.of((StompVersion) c[0]);
            StompFrame f = (StompFrame) c[1];
            Throwable measured = org.assertj.core.api.Assertions.catchThrowable(() -> e.encode(f));
            assertThat(measured).as("%s in %s", f.info(), c[0]).isInstanceOf(StompProtocolException.class);
            assertThatThrownBy(() -> e.encodeHead(f, new byte[e.maxHeadLength(f) + 10], 0)).as("one pass: %s", f.info())
                    .isInstanceOf(StompProtocolException.class).hasMessage(measured.getMessage());
        }
    }

    @Test
    @DisplayName("encode to an OutputStream writes the body straight from the frame's array")
    void toOutputStreamWithoutCopy() throws IOException {
        byte[] body = new byte[100_000];
        body[5] = 42;
        StompFrame f = StompFrame.builder(StompCommand.SEND).bodyWithoutCopy(body).build();
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[][] seen = new byte[1][];
        OutputStream out = new OutputStream() {
            @Override
            public void write(int b) {
                all.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                if (len == body.length) {
                    seen[0] = b;
                }
                all.write(b, off, len);
            }
        };
        StompEncoder.of(V1_2).encode(f, out);
        assertThat(seen[0]).isSameAs(body);
        assertThat(all.toByteArray()).isEqualTo(StompEncoder.of(V1_2).encode(f));

        ByteArrayOutputStream empty = new ByteArrayOutputStream();
        StompEncoder.of(V1_2).encode(StompFrame.of(StompCommand.DISCONNECT), empty);
        assertThat(empty.toString(StandardCharsets.US_ASCII)).isEqualTo("DISCONNECT\n\n\0");
    }

    @Test
    @DisplayName("a direct-buffer body is encoded without being copied into the frame")
    void directBody() throws IOException {
        ByteBuffer direct = ByteBuffer.allocateDirect(20_000);
        for (int i = 0; i < 20_000; i++) {
            direct.put((byte) i);
        }
        direct.flip();
        StompFrame f = StompFrame.builder(StompCommand.SEND).bodyWithoutCopy(direct).build();
        byte[] viaArray = StompEncoder.of(V1_2).encode(f);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StompEncoder.of(V1_2).encode(f, out);
        assertThat(out.toByteArray()).isEqualTo(viaArray);
        ByteBuffer heap = ByteBuffer.allocate(viaArray.length).asReadOnlyBuffer();
        assertThat(heap.isReadOnly()).isTrue();
        ByteBuffer target = ByteBuffer.allocate(viaArray.length);
        StompEncoder.of(V1_2).encode(f, target);
        assertThat(target.array()).isEqualTo(viaArray);
    }

    @Test
    @DisplayName("heart-beats are a single LF")
    void heartBeat() throws IOException {
        assertThat(StompEncoder.heartBeat()).containsExactly('\n');
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StompEncoder.writeHeartBeat(out);
        assertThat(out.toByteArray()).containsExactly('\n');
        assertThat(StompEncoder.of(V1_1).version()).isEqualTo(V1_1);
    }
}
