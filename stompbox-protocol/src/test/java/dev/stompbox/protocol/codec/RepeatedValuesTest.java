package dev.stompbox.protocol.codec;

import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.StompFrameException;
import dev.stompbox.protocol.StompVersion;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A connection's header values repeat from frame to frame (destination, subscription, the
 * application's own headers); the parser shares their Strings, and never at the cost of a wrong value.
 */
class RepeatedValuesTest {

    private static StompFrame next(StompParser parser, String wire) {
        parser.add(Wire.bytes(wire));
        List<StompFrame> frames = Wire.drain(parser);
        assertThat(frames).hasSize(1);
        return frames.get(0);
    }

    private static String message(String id, String ack, String app) {
        return "MESSAGE\nsubscription:sub-1\nmessage-id:" + id + "\ndestination:/queue/orders\nack:" + ack
                + "\nx-app:" + app + "\ncontent-length:2\n\nhi\0";
    }

    @Test
    void aValueThatComesAgainAtItsIndexIsOneStringForEveryFrameAfter() {
        StompParser parser = new StompParser(StompVersion.V1_2);
        StompFrame first = next(parser, message("1", "1", "billing"));
        StompFrame second = next(parser, message("2", "2", "billing"));
        StompFrame third = next(parser, message("3", "3", "shipping"));
        StompFrame fourth = next(parser, message("4", "4", "shipping"));
        StompFrame fifth = next(parser, message("5", "5", "shipping"));

        assertThat(third.header("destination")).isEqualTo("/queue/orders").isSameAs(second.header("destination"));
        assertThat(fifth.header("destination")).isSameAs(second.header("destination"));
        assertThat(fifth.header("subscription")).isEqualTo("sub-1").isSameAs(third.header("subscription"));
        assertThat(second.header("x-app")).isEqualTo("billing");
        assertThat(third.header("x-app")).isEqualTo("shipping");
        assertThat(fifth.header("x-app")).isSameAs(fourth.header("x-app"));
        assertThat(first.header("message-id")).isEqualTo("1");
        assertThat(fifth.header("message-id")).isEqualTo("5");
        assertThat(fifth.header("content-length")).isEqualTo("2");
        assertThat(fifth.bodyAsString()).isEqualTo("hi");
    }

    @Test
    void aRepeatedContentLengthIsSharedAndStillSaysWhereEachBodyEnds() {
        StompParser parser = new StompParser(StompVersion.V1_2);
        String[][] sent = {{"2", "hi"}, {"2", "ho"}, {"2", "ha"}, {"3", "hey"}, {"2", "yo"}, {"2", "y\0"}};
        StompFrame[] got = new StompFrame[sent.length];
        for (int f = 0; f < sent.length; f++) {
            got[f] = next(parser, "MESSAGE\ncontent-length:" + sent[f][0] + "\n\n" + sent[f][1] + "\0");
            assertThat(got[f].header("content-length")).isEqualTo(sent[f][0]);
            assertThat(got[f].bodyAsString()).isEqualTo(sent[f][1]);
        }
        assertThat(got[2].header("content-length")).isSameAs(got[1].header("content-length"));
        assertThat(got[5].header("content-length")).isSameAs(got[4].header("content-length"));
    }

    @Test
    void anInvalidContentLengthIsInvalidEveryTimeItComes() {
        StompParser parser = new StompParser(StompVersion.V1_2);
        for (String value : new String[] {"1\\c", "x1"}) {
            String shown = value.equals("x1") ? "x1" : "1:";
            for (int i = 0; i < 3; i++) {
                assertThatThrownBy(() -> parser.add(Wire.bytes("SEND\ncontent-length:" + value + "\n\nx\0")))
                        .isInstanceOf(StompFrameException.class).hasMessageContaining("Invalid content-length: '" + shown + "'");
                parser.resync();
            }
        }
        assertThat(next(parser, "SEND\ncontent-length:1\n\nx\0").bodyAsString()).isEqualTo("x");
    }

    @Test
    void anAckThatRepeatsItsMessageIdSharesItsString() {
        StompParser parser = new StompParser(StompVersion.V1_2);
        String id = "ID:broker-1234-1700000000000-1:1:1:1:42";
        StompFrame same = next(parser, message(id, id, "a"));
        assertThat(same.header("ack")).isEqualTo(id).isSameAs(same.header("message-id"));

        StompFrame readFirst = next(parser, message(id + "3", id + "3", "a"));
        String ack = readFirst.header("ack"); // before the message-id is ever read
        assertThat(ack).isEqualTo(id + "3").isSameAs(readFirst.header("message-id"));

        StompFrame differs = next(parser, message(id + "4", id + "5", "a"));
        assertThat(differs.header("ack")).isEqualTo(id + "5");
        assertThat(differs.header("message-id")).isEqualTo(id + "4");

        // The message-id unescaped is what the ack is compared with: "a\cb" is "a:b".
        StompFrame escaped = next(parser, message("a\\cb", "a:b", "a"));
        assertThat(escaped.header("message-id")).isEqualTo("a:b");
        assertThat(escaped.header("ack")).isEqualTo("a:b");
        StompFrame notUnescaped = next(parser, message("a:b", "a\\cb", "a"));
        assertThat(notUnescaped.header("ack")).isEqualTo("a:b");
        // ActiveMQ's ids hold colons, escaped on the wire: the ack still shares the message-id's String.
        StompFrame bothEscaped = next(parser, message("ID\\cbroker-1\\c7", "ID\\cbroker-1\\c7", "a"));
        assertThat(bothEscaped.header("ack")).isEqualTo("ID:broker-1:7").isSameAs(bothEscaped.header("message-id"));
    }

    @Test
    void anAckIsComparedWithTheMessageIdsWireBytesOnlyWhileTheyAreStillThere() {
        // A reader that reuses its array: the message-id arrives in one fill, the ack in the next.
        // Where the message-id's bytes were, the second fill holds the ack's value ("BBBB" at 19),
        // so an ack compared with stale wire bytes would wrongly read as the message-id.
        byte[] first = Wire.bytes("MESSAGE\nmessage-id:AAAA\n");
        byte[] second = Wire.bytes("ack:BBBB\nx-pad:1234BBBB\n\nbody\0");
        assertThat(new String(second, 19, 4, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("BBBB");
        byte[] reused = new byte[Math.max(first.length, second.length)];
        StompParser parser = new StompParser(StompVersion.V1_2);
        System.arraycopy(first, 0, reused, 0, first.length);
        parser.add(reused, 0, first.length);
        java.util.Arrays.fill(reused, (byte) 0);
        System.arraycopy(second, 0, reused, 0, second.length);
        parser.add(reused, 0, second.length);
        StompFrame frame = parser.get();
        assertThat(frame.header("message-id")).isEqualTo("AAAA");
        assertThat(frame.header("ack")).isEqualTo("BBBB");

        // In one fill, the same wire bytes are the same value, read from the message-id's String.
        StompFrame whole = next(parser, "MESSAGE\nmessage-id:ID\\cb\\c9\nack:ID\\cb\\c9\n\n\0");
        assertThat(whole.header("ack")).isEqualTo("ID:b:9").isSameAs(whole.header("message-id"));
    }

    @Test
    void theSameBytesReadWithAndWithoutEscapesStayDifferentValues() {
        // CONNECTED is never unescaped, MESSAGE is: the same bytes at the same index are two values.
        StompParser parser = new StompParser(StompVersion.V1_2);
        for (int i = 0; i < 2; i++) {
            StompFrame connected = next(parser, "CONNECTED\nversion:1.2\nx:a\\nb\n\n\0");
            assertThat(connected.header("x")).isEqualTo("a\\nb");
        }
        for (int i = 0; i < 3; i++) {
            StompFrame message = next(parser, "MESSAGE\nversion:1.2\nx:a\\nb\n\n\0");
            assertThat(message.header("x")).isEqualTo("a\nb");
        }
        StompFrame connected = next(parser, "CONNECTED\nversion:1.2\nx:a\\nb\n\n\0");
        assertThat(connected.header("x")).isEqualTo("a\\nb");
    }

    @Test
    void aValueSeenUnderOneVersionIsCheckedAgainUnderTheNext() {
        // "\r" is an escape in 1.2 and an undefined one, a frame error, in 1.1.
        StompParser parser = new StompParser(StompVersion.V1_2);
        for (int i = 0; i < 3; i++) {
            assertThat(next(parser, "MESSAGE\nx:a\\rb\n\n\0").header("x")).isEqualTo("a\rb");
        }
        parser.version(StompVersion.V1_1);
        assertThatThrownBy(() -> parser.add(Wire.bytes("MESSAGE\nx:a\\rb\n\n\0")))
                .isInstanceOf(StompFrameException.class).hasMessageContaining("\\r");
    }

    @Test
    void aResetParserRemembersNoValue() {
        StompParser parser = new StompParser(StompVersion.V1_2);
        StompFrame before = next(parser, "MESSAGE\nx:shared\n\n\0");
        StompFrame again = next(parser, "MESSAGE\nx:shared\n\n\0");
        assertThat(next(parser, "MESSAGE\nx:shared\n\n\0").header("x")).isSameAs(again.header("x"));
        parser.reset();
        StompFrame after = next(parser, "MESSAGE\nx:shared\n\n\0");
        assertThat(after.header("x")).isEqualTo("shared").isNotSameAs(again.header("x"));
        assertThat(before.header("x")).isEqualTo("shared");
    }
}
