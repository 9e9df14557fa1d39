package dev.stompbox.protocol;

import dev.stompbox.protocol.codec.StompParser;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StompFrameTest {
    private static final StompFrame CONNECT = StompFrame.builder(StompCommand.CONNECT)
            .header("login", "guest").header("passcode", "s3cr3t").header("token", "t0k3n").build();

    @Test
    @DisplayName("headers keep order and duplicates; header() is the first, headers(name) all")
    void headers() {
        StompFrame f = StompFrame.builder(StompCommand.MESSAGE).header("a", "1").header("b", "2").header("a", "3").build();
        assertThat(f.headers()).containsExactly(Header.of("a", "1"), Header.of("b", "2"), Header.of("a", "3"));
        assertThat(f.header("a")).isEqualTo("1");
        assertThat(f.headers("a")).containsExactly("1", "3");
        assertThat(f.headers("zzz")).isEmpty();
        assertThat(f.header("zzz")).isNull();
        assertThat(f.header("zzz", "dflt")).isEqualTo("dflt");
        assertThat(f.hasHeader("b")).isTrue();
        assertThatThrownBy(() -> f.headers().add(Header.of("x", "y"))).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> f.headers().get(3)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    @DisplayName("headerMap(): wire order, the first of a repeated header, a fresh map the frame does not see changes to")
    void headerMap() {
        StompFrame built = StompFrame.builder(StompCommand.MESSAGE).header("b", "2").header("a", "1").header("b", "3").build();
        StompFrame parsed = parse("MESSAGE\nb:2\na:1\nb:3\nx:caf\u00c3\u00a9\n\n\0");
        assertThat(built.headerMap()).containsExactly(Map.entry("b", "2"), Map.entry("a", "1"));
        assertThat(parsed.headerMap()).as("parsed, values still bytes until read")
                .containsExactly(Map.entry("b", "2"), Map.entry("a", "1"), Map.entry("x", "caf\u00e9"));
        Map<String, String> m = built.headerMap();
        m.put("b", "changed");
        m.remove("a");
        assertThat(built.header("b")).isEqualTo("2");
        assertThat(built.headerMap()).isNotSameAs(m).containsEntry("a", "1");
        assertThat(StompFrame.of(StompCommand.DISCONNECT).headerMap()).isEmpty();
    }

    private static StompFrame parse(String wire) {
        StompParser p = new StompParser();
        p.add(wire.getBytes(StandardCharsets.ISO_8859_1));
        return p.get();
    }

    @Test
    @DisplayName("with/without derive new frames and leave the original alone")
    void derive() {
        StompFrame f = StompFrame.builder(StompCommand.SEND).header("a", "1").header("a", "2").header("b", "3").build();
        assertThat(f.withHeader("a", "9").headers()).containsExactly(Header.of("b", "3"), Header.of("a", "9"));
        assertThat(f.withAddedHeader("a", "9").headers("a")).containsExactly("1", "2", "9");
        assertThat(f.withoutHeader("a").headers()).containsExactly(Header.of("b", "3"));
        assertThat(f.withBody(new byte[] {1, 2}).body()).containsExactly(1, 2);
        assertThat(f.headers()).hasSize(3);
        assertThat(f.bodyLength()).isZero();
        assertThat(StompFrame.builder(StompCommand.SEND).headers(Map.of("k", "v")).headers(List.of(Header.of("l", "w")))
                .build().headers()).containsExactly(Header.of("k", "v"), Header.of("l", "w"));
    }

    @Test
    @DisplayName("body(byte[]) copies; bodyWithoutCopy adopts the caller's array")
    void bodyCopyOrAdopt() {
        byte[] bytes = "abc".getBytes(StandardCharsets.US_ASCII);
        StompFrame copied = StompFrame.builder(StompCommand.SEND).body(bytes).build();
        StompFrame adopted = StompFrame.builder(StompCommand.SEND).bodyWithoutCopy(bytes).build();
        bytes[0] = 'X';
        assertThat(copied.bodyAsString()).isEqualTo("abc");
        assertThat(adopted.bodyAsString()).isEqualTo("Xbc");
        assertThat(adopted.body()).isNotSameAs(bytes);
    }

    @Test
    @DisplayName("bodyWithoutCopy(ByteBuffer) adopts heap and direct buffers without copying, leaving their position alone")
    void bodyFromByteBuffer() throws IOException {
        byte[] backing = "..hello..".getBytes(StandardCharsets.US_ASCII);
        ByteBuffer heap = ByteBuffer.wrap(backing, 2, 5);
        StompFrame fromHeap = StompFrame.builder(StompCommand.SEND).bodyWithoutCopy(heap).build();
        backing[2] = 'H';
        assertThat(fromHeap.bodyAsString()).isEqualTo("Hello");
        assertThat(heap.position()).isEqualTo(2);

        ByteBuffer direct = ByteBuffer.allocateDirect(8).put("xyz".getBytes(StandardCharsets.US_ASCII));
        direct.flip();
        StompFrame fromDirect = StompFrame.builder(StompCommand.SEND).bodyWithoutCopy(direct).build();
        direct.put(0, (byte) 'X');
        assertThat(fromDirect.bodyAsString()).isEqualTo("Xyz");
        assertThat(fromDirect.body()).containsExactly('X', 'y', 'z');
        assertThat(fromDirect.bodyLength()).isEqualTo(3);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        fromDirect.writeBodyTo(out);
        assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo("Xyz");
        assertThat(fromDirect.info()).endsWith("body(3)='Xyz'");
        assertThat(fromDirect).isEqualTo(StompFrame.builder(StompCommand.SEND).body("Xyz").build());

        ByteBuffer readOnly = ByteBuffer.wrap("ro".getBytes(StandardCharsets.US_ASCII)).asReadOnlyBuffer();
        assertThat(StompFrame.builder(StompCommand.SEND).bodyWithoutCopy(readOnly).build().bodyAsString()).isEqualTo("ro");
    }

    @Test
    @DisplayName("bodyBuffer() is a read-only view")
    void bodyBufferIsReadOnly() {
        StompFrame f = StompFrame.builder(StompCommand.SEND).body("abc").build();
        ByteBuffer view = f.bodyBuffer();
        assertThat(view.remaining()).isEqualTo(3);
        assertThatThrownBy(() -> view.put(0, (byte) 1)).isInstanceOf(ReadOnlyBufferException.class);
        ByteBuffer dst = ByteBuffer.allocate(3);
        f.copyBodyTo(dst);
        assertThat(dst.array()).containsExactly('a', 'b', 'c');
        assertThat(f.bodyAsString(StandardCharsets.ISO_8859_1)).isEqualTo("abc");
        assertThat(f.hasBody()).isTrue();
    }

    @Test
    @DisplayName("toString() and info() never show a passcode")
    void passcodeMasked() {
        assertThat(CONNECT.toString()).doesNotContain("s3cr3t").contains("passcode:***");
        assertThat(CONNECT.info()).doesNotContain("s3cr3t");
        assertThat(CONNECT.info(100, Set.of())).doesNotContain("s3cr3t");
    }

    @Test
    @DisplayName("info() masks any header the caller marks sensitive")
    void sensitiveMasked() {
        assertThat(CONNECT.info(10, Set.of("token"))).isEqualTo("CONNECT login:guest, passcode:***, token:***");
        assertThat(CONNECT.info()).contains("token:t0k3n");
    }

    @Test
    @DisplayName("info() shows every byte outside printable ASCII as \\x and two lowercase hex digits")
    void infoHexEscapesEveryByte() {
        byte[] all = new byte[256];
        StringBuilder expected = new StringBuilder();
        for (int v = 0; v < 256; v++) {
            all[v] = (byte) v;
            String shown = switch (v) {
                case '\n' -> "\\n";
                case '\r' -> "\\r";
                case '\t' -> "\\t";
                case '\\' -> "\\\\";
                case '\'' -> "\\'";
                default -> v >= 0x20 && v < 0x7f ? String.valueOf((char) v) : String.format(java.util.Locale.ROOT, "\\x%02x", v);
            };
            expected.append(shown);
        }
        assertThat(StompFrame.builder(StompCommand.SEND).body(all).build().info(256)).isEqualTo("SEND body(256)='" + expected + "'");
    }

    @Test
    @DisplayName("info() cuts the body to the given length and escapes non-printable bytes")
    void infoBody() {
        StompFrame f = StompFrame.builder(StompCommand.SEND).header("k", "a\nb")
                .body(new byte[] {'h', 'i', '\n', 0, (byte) 0xff, '\\', '\'', '\r', '\t', 'z', 'z'}).build();
        assertThat(f.info(9)).isEqualTo("SEND k:a\\nb body(11)='hi\\n\\x00\\xff\\\\\\'\\r\\t'...");
        assertThat(f.info(0)).isEqualTo("SEND k:a\\nb body(11)=''...");
        assertThatThrownBy(() -> f.info(-1)).isInstanceOf(IllegalArgumentException.class);
        String longBody = "x".repeat(1000);
        assertThat(StompFrame.builder(StompCommand.SEND).body(longBody).build().toString())
                .hasSizeLessThan(StompFrame.DEFAULT_INFO_LENGTH + 50);
    }

    @Test
    @DisplayName("equality covers command, headers in order, body bytes and the content-length choice")
    void equality() {
        StompFrame a = StompFrame.builder(StompCommand.SEND).header("k", "v").body("x").build();
        StompFrame b = StompFrame.builder(StompCommand.SEND).header("k", "v").bodyWithoutCopy(ByteBuffer.wrap("x".getBytes(StandardCharsets.US_ASCII))).build();
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a).isNotEqualTo(a.withAddedHeader("k", "v"));
        assertThat(a).isNotEqualTo(a.withBody(new byte[] {'y'}));
        assertThat(a).isNotEqualTo(a.toBuilder().contentLength(false).build());
        assertThat(a).isNotEqualTo(StompFrame.builder(StompCommand.MESSAGE).header("k", "v").body("x").build());
        assertThat(a).isNotEqualTo("SEND");
        assertThat(a.toBuilder().build()).isEqualTo(a);
    }

    @Test
    void vocabulary() {
        assertThat(StompVersion.of("1.1")).isEqualTo(StompVersion.V1_1);
        assertThatThrownBy(() -> StompVersion.of("2.0")).isInstanceOf(StompProtocolException.class).hasMessageContaining("valid: 1.0, 1.1, 1.2");
        assertThat(StompVersion.versions(StompVersion.V1_2)).containsExactly(StompVersion.V1_0, StompVersion.V1_1, StompVersion.V1_2);
        assertThat(StompVersion.V1_0.ackHeaders()).containsExactly("message-id");
        assertThat(StompVersion.V1_1.ackHeaders()).containsExactly("subscription", "message-id");
        assertThat(StompVersion.V1_2.ackHeaders()).containsExactly("id");
        assertThat(StompVersion.V1_2.toString()).isEqualTo("1.2");
        assertThat(StompVersion.V1_0.hasHeartBeats()).isFalse();
        assertThat(StompCommand.of("SEND")).isEqualTo(StompCommand.SEND);
        assertThat(StompCommand.of("send")).isNull();
        assertThat(StompCommand.MESSAGE.fromServer()).isTrue();
        assertThat(StompCommand.SEND.toBytes()).containsExactly('S', 'E', 'N', 'D');
        assertThat(AckMode.of(null)).isEqualTo(AckMode.AUTO);
        assertThat(AckMode.of("client-individual")).isEqualTo(AckMode.CLIENT_INDIVIDUAL);
        assertThat(AckMode.CLIENT.toString()).isEqualTo("client");
        assertThatThrownBy(() -> AckMode.of("manual")).isInstanceOf(StompProtocolException.class).hasMessageContaining("valid: auto, client, client-individual");
        assertThatThrownBy(() -> new Header(null, "v")).isInstanceOf(NullPointerException.class);
        assertThat(Header.of("a", "b").toString()).isEqualTo("a:b");
    }

    @Test
    @DisplayName("heart-beat header: parse, format, negotiate as the spec says")
    void heartBeat() {
        assertThat(HeartBeat.parse("10000,5000")).isEqualTo(new HeartBeat(10000, 5000));
        assertThat(HeartBeat.parse(null)).isEqualTo(HeartBeat.NONE);
        assertThat(new HeartBeat(1, 2).toHeaderValue()).isEqualTo("1,2");
        assertThat(new HeartBeat(1, 2).toString()).isEqualTo("1,2");
        for (String bad : new String[] {"", "1", "a,b", "-1,0", "1,+2", "1, 2"}) {
            assertThatThrownBy(() -> HeartBeat.parse(bad)).as(bad).isInstanceOf(StompProtocolException.class);
        }
        assertThatThrownBy(() -> new HeartBeat(-1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(HeartBeat.negotiate(0, 5000)).isZero();
        assertThat(HeartBeat.negotiate(5000, 0)).isZero();
        assertThat(HeartBeat.negotiate(1000, 5000)).isEqualTo(5000);
        assertThat(HeartBeat.negotiate(7000, 5000)).isEqualTo(7000);
    }

    @Test
    void exceptions() {
        StompFrameException e = new StompFrameException("bad", 12);
        assertThat(e).hasMessage("bad at byte offset 12").isInstanceOf(StompException.class);
        assertThat(e.reason()).isEqualTo("bad");
        assertThat(e.offset()).isEqualTo(12);
        assertThat(new StompConnectTimeoutException(4).attempts()).isEqualTo(4);
        assertThat(new StompException("x", new RuntimeException("y")).getCause()).hasMessage("y");
        StompFrame error = StompFrame.builder(StompCommand.ERROR).header("message", "Bad CONNECT")
                .body("\nVirtual host '' access denied\nmore").build();
        StompBrokerException broker = new StompBrokerException(error);
        assertThat(broker).hasMessage("Broker sent ERROR: Bad CONNECT (Virtual host '' access denied)")
                .isInstanceOf(StompConnectionException.class);
        assertThat(new StompBrokerException(StompFrame.builder(StompCommand.ERROR).header("message", "same").body("same").build()))
                .hasMessage("Broker sent ERROR: same");
        assertThat(new StompBrokerException(StompFrame.builder(StompCommand.ERROR).header("message", "m").build()))
                .hasMessage("Broker sent ERROR: m");
        assertThat(broker.frame()).isSameAs(error);
        assertThat(new StompBrokerException(StompFrame.builder(StompCommand.ERROR).body("first line\nsecond").build()))
                .hasMessage("Broker sent ERROR: first line");
        StompReceiptTimeoutException timeout = new StompReceiptTimeoutException("r-1", java.time.Duration.ofMillis(250));
        assertThat(timeout).hasMessage("No RECEIPT for 'r-1' within 250 ms");
        assertThat(timeout.receiptId()).isEqualTo("r-1");
        assertThat(timeout.timeout()).isEqualTo(java.time.Duration.ofMillis(250));
        assertThat(new StompConnectionException("lost", new java.io.IOException("reset")).getCause()).hasMessage("reset");
    }
}
