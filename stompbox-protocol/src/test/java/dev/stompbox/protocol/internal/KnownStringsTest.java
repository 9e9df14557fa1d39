package dev.stompbox.protocol.internal;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The tables compare eight bytes at a time; these check them at every length, offset and array end. */
class KnownStringsTest {
    private static final List<String> NAMES = List.of("id", "ack", "host", "login", "expires", "receipt",
            "message-id", "destination", "subscription", "content-length", "correlation-id",
            "original-destination", "activemq.prefetchSize");
    private static final List<String> VALUES = List.of("0", "9", "true", "false", "auto", "client-individual", "text/plain",
            "text/plain;charset=utf-8", "application/octet-stream");

    @Test
    void findsEachNameAsTheSharedStringAtAnyOffsetAndAtTheEndOfTheArray() {
        found(KnownStrings.HEADER_NAMES, NAMES);
        found(KnownStrings.HEADER_VALUES, VALUES);
    }

    @Test
    void aNameDifferingInAnyOneByteIsNotKnown() {
        notFound(KnownStrings.HEADER_NAMES, NAMES);
        notFound(KnownStrings.HEADER_VALUES, VALUES);
        assertThat(KnownStrings.HEADER_VALUES.lookup(new byte[] {'1', '0'}, 0, 2)).as("10 is not a known value").isNull();
        assertThat(KnownStrings.HEADER_NAMES.lookup("true".getBytes(StandardCharsets.US_ASCII), 0, 4)).as("tables are separate").isNull();
    }

    private static void found(KnownStrings table, List<String> strings) {
        for (String name : strings) {
            byte[] n = name.getBytes(StandardCharsets.US_ASCII);
            for (int off = 0; off < 10; off++) {
                byte[] padded = new byte[off + n.length + 3];
                System.arraycopy(n, 0, padded, off, n.length);
                assertThat(table.lookup(padded, off, n.length)).isSameAs(name);
                byte[] atEnd = new byte[off + n.length];
                System.arraycopy(n, 0, atEnd, off, n.length);
                assertThat(table.lookup(atEnd, off, n.length)).as(name + " at the array's end").isSameAs(name);
            }
        }
    }

    private static void notFound(KnownStrings table, List<String> strings) {
        for (String name : strings) {
            for (int i = 0; i < name.length(); i++) {
                byte[] n = name.getBytes(StandardCharsets.US_ASCII);
                n[i] ^= 0x20;
                assertThat(table.lookup(n, 0, n.length)).as(new String(n, StandardCharsets.US_ASCII)).isNull();
            }
            byte[] longer = (name + "x").getBytes(StandardCharsets.US_ASCII);
            assertThat(table.lookup(longer, 0, longer.length)).isNull();
            assertThat(table.lookup(longer, 0, longer.length - 2)).isNotSameAs(name);
        }
        byte[] tooLong = "x".repeat(40).getBytes(StandardCharsets.US_ASCII);
        assertThat(table.lookup(tooLong, 0, tooLong.length)).isNull();
    }
}
