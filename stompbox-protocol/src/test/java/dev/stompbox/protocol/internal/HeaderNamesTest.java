package dev.stompbox.protocol.internal;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** A connection's header names: decoded once, shared after, never mistaken for a near neighbour. */
class HeaderNamesTest {

    private static byte[] padded(String name, int offset) {
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        byte[] a = new byte[offset + n.length + 5];
        System.arraycopy(n, 0, a, offset, n.length);
        a[offset + n.length] = ':';
        return a;
    }

    private static String name(HeaderNames names, int index, String name, int offset) {
        return names.name(index, padded(name, offset), offset, name.length());
    }

    @Test
    @DisplayName("a name seen before is the same String, at the same index or another, from another array")
    void aRepeatedNameIsShared() {
        HeaderNames names = new HeaderNames();
        String first = name(names, 3, "x-app", 0);
        assertThat(first).isEqualTo("x-app");
        assertThat(name(names, 3, "x-app", 7)).as("same index").isSameAs(first);
        assertThat(name(names, 9, "x-app", 2)).as("another index").isSameAs(first);
        assertThat(name(names, 200, "x-app", 1)).as("an index past the memo").isSameAs(first);
    }

    @Test
    void knownNamesAreTheSharedConstants() {
        HeaderNames names = new HeaderNames();
        assertThat(name(names, 0, "destination", 4)).isSameAs(KnownStrings.HEADER_NAMES.lookup(
                padded("destination", 0), 0, 11));
        assertThat(name(names, 0, "destination", 1)).isSameAs(name(names, 5, "destination", 0));
    }

    @Test
    @DisplayName("names differing in one byte at any position, at every length up to 40, are never confused")
    void nearNeighboursAtTheSameIndexAreToldApart() {
        HeaderNames names = new HeaderNames();
        for (int len = 1; len <= 40; len++) {
            String base = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH".substring(0, len);
            for (int pos = 0; pos < len; pos++) {
                char[] c = base.toCharArray();
                c[pos] = '_';
                String other = new String(c);
                for (int index : new int[] {0, 63, 64}) {
                    assertThat(name(names, index, base, pos % 9)).isEqualTo(base);
                    assertThat(name(names, index, other, pos % 5)).isEqualTo(other);
                    assertThat(name(names, index, base, 3)).isEqualTo(base);
                }
            }
            // A longer name that starts with this one, and this one again: the length tells them apart.
            assertThat(name(names, 1, base + "z", 0)).isEqualTo(base + "z");
            assertThat(name(names, 1, base, 0)).isEqualTo(base);
        }
    }

    @Test
    void namesAtTheVeryEndOfTheArrayAreRead() {
        HeaderNames names = new HeaderNames();
        for (String n : new String[] {"a", "x-app", "x-correlation", "x-a-rather-long-custom-name"}) {
            byte[] exact = n.getBytes(StandardCharsets.US_ASCII);
            assertThat(names.name(2, exact, 0, exact.length)).isEqualTo(n);
            assertThat(names.name(2, exact, 0, exact.length)).isEqualTo(n);
        }
    }
}
