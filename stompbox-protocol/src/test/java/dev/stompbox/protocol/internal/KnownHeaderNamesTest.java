package dev.stompbox.protocol.internal;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The name table compares names eight bytes at a time; these check it at every length, offset and array end. */
class KnownHeaderNamesTest {
    private static final List<String> NAMES = List.of("id", "ack", "host", "login", "expires", "receipt",
            "message-id", "destination", "subscription", "content-length", "correlation-id",
            "original-destination", "activemq.prefetchSize");

    @Test
    void findsEachNameAsTheSharedStringAtAnyOffsetAndAtTheEndOfTheArray() {
        for (String name : NAMES) {
            byte[] n = name.getBytes(StandardCharsets.US_ASCII);
            for (int off = 0; off < 10; off++) {
                byte[] padded = new byte[off + n.length + 3];
                System.arraycopy(n, 0, padded, off, n.length);
                assertThat(KnownHeaderNames.lookup(padded, off, n.length)).isSameAs(name);
                byte[] atEnd = new byte[off + n.length];
                System.arraycopy(n, 0, atEnd, off, n.length);
                assertThat(KnownHeaderNames.lookup(atEnd, off, n.length)).as(name + " at the array's end").isSameAs(name);
            }
        }
    }

    @Test
    void aNameDifferingInAnyOneByteIsNotKnown() {
        for (String name : NAMES) {
            for (int i = 0; i < name.length(); i++) {
                byte[] n = name.getBytes(StandardCharsets.US_ASCII);
                n[i] ^= 0x20;
                assertThat(KnownHeaderNames.lookup(n, 0, n.length)).as(new String(n, StandardCharsets.US_ASCII)).isNull();
            }
            byte[] longer = (name + "x").getBytes(StandardCharsets.US_ASCII);
            assertThat(KnownHeaderNames.lookup(longer, 0, longer.length)).isNull();
            assertThat(KnownHeaderNames.lookup(longer, 0, longer.length - 2)).isNotSameAs(name);
        }
        byte[] tooLong = "x".repeat(40).getBytes(StandardCharsets.US_ASCII);
        assertThat(KnownHeaderNames.lookup(tooLong, 0, tooLong.length)).isNull();
    }
}
