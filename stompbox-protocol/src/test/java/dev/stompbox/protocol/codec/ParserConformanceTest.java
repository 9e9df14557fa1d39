package dev.stompbox.protocol.codec;

import dev.stompbox.protocol.Header;
import dev.stompbox.protocol.StompCommand;
import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.StompFrameException;
import dev.stompbox.protocol.StompVersion;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

import static dev.stompbox.protocol.StompVersion.V1_0;
import static dev.stompbox.protocol.StompVersion.V1_1;
import static dev.stompbox.protocol.StompVersion.V1_2;
import static dev.stompbox.protocol.codec.Wire.bytes;
import static dev.stompbox.protocol.codec.Wire.fails;
import static dev.stompbox.protocol.codec.Wire.parse;
import static dev.stompbox.protocol.codec.Wire.parseByteByByte;
import static dev.stompbox.protocol.codec.Wire.single;
import static dev.stompbox.protocol.codec.Wire.utf8;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * One test per corner case of the specifications in {@code ../shared/spec/}, each naming the section
 * it checks. Error cases are also fed one byte at a time and must fail the same way.
 */
class ParserConformanceTest {

    @Nested
    @DisplayName("STOMP 1.2")
    class Stomp12 {
        @Test
        @DisplayName("§Value Encoding: \\r \\n \\c \\\\ are unescaped")
        void unescapesAllFourEscapes() {
            StompFrame f = single(V1_2, "MESSAGE\nsubscription:0\na\\cb:x\\ny\\rz\\\\w\n\n\0");
            assertThat(f.header("a:b")).isEqualTo("x\ny\rz\\w");
        }

        @Test
        @DisplayName("§Value Encoding: an undefined escape such as \\t is a fatal error")
        void undefinedEscapeIsFatal() {
            StompFrameException e = fails(V1_2, "MESSAGE\nsubscription:0\nfoo:a\\tb\n\n\0");
            assertThat(e.reason()).isEqualTo("Invalid escape: '\\t' is not defined in STOMP 1.2");
            assertThat(e.offset()).isEqualTo("MESSAGE\nsubscription:0\nfoo:a".length());
        }

        @Test
        @DisplayName("§Value Encoding: a trailing backslash is an undefined escape")
        void trailingBackslashIsFatal() {
            StompFrameException e = fails(V1_2, "SEND\ndestination:/q\\\n\n\0");
            assertThat(e.reason()).contains("trailing '\\'");
            assertThat(e.offset()).isEqualTo("SEND\ndestination:/q".length());
        }

        @Test
        @DisplayName("§Value Encoding: CONNECTED headers are not unescaped")
        void connectedHeadersAreRaw() {
            StompFrame f = single(V1_2, "CONNECTED\nversion:1.2\nserver:a\\cb\\t\n\n\0");
            assertThat(f.header("server")).isEqualTo("a\\cb\\t");
        }

        @Test
        @DisplayName("§Value Encoding: CONNECT and STOMP headers are not unescaped, passcodes keep ':' and '\\'")
        void connectAndStompHeadersAreRaw() {
            assertThat(single(V1_2, "CONNECT\npasscode:a:b\\c\n\n\0").header("passcode")).isEqualTo("a:b\\c");
            assertThat(single(V1_2, "STOMP\npasscode:x\\y\n\n\0").header("passcode")).isEqualTo("x\\y");
        }

        @Test
        @DisplayName("§Value Encoding: headers are UTF-8")
        void headersAreUtf8() {
            StompFrame f = Wire.parse(V1_2, utf8("MESSAGE\nsubscription:0\nfen\u00eatre:\u65e5\u672c\uD83D\uDE00\n\n\0")).get(0);
            assertThat(f.header("fen\u00eatre")).isEqualTo("\u65e5\u672c\uD83D\uDE00");
        }

        @Test
        @DisplayName("§Value Encoding: malformed UTF-8 in a header is an error")
        void malformedUtf8IsAnError() {
            StompFrameException e = fails(V1_2, bytes("MESSAGE\nsubscription:0\nfoo:\u00ff\u00fe\n\n\0"));
            assertThat(e.reason()).contains("Malformed UTF-8");
        }

        @Test
        @DisplayName("§Value Encoding: a real U+FFFD is not mistaken for malformed input")
        void realReplacementCharacterIsKept() {
            StompFrame f = Wire.parse(V1_2, utf8("MESSAGE\nsubscription:0\nfoo:\uFFFD\n\n\0")).get(0);
            assertThat(f.header("foo")).isEqualTo("\uFFFD");
        }

        @Test
        @DisplayName("§Value Encoding: header names and values are never trimmed")
        void neverTrims() {
            StompFrame f = single(V1_2, "MESSAGE\nsubscription:0\n key : value \n\n\0");
            assertThat(f.header(" key ")).isEqualTo(" value ");
        }

        @Test
        @DisplayName("§Repeated Header Entries: the first wins, all are kept in order")
        void firstRepeatedHeaderWins() {
            StompFrame f = single(V1_2, "MESSAGE\nsubscription:0\nfoo:World\nfoo:Hello\n\n\0");
            assertThat(f.header("foo")).isEqualTo("World");
            assertThat(f.headers("foo")).containsExactly("World", "Hello");
            assertThat(f.headers()).containsExactly(Header.of("subscription", "0"), Header.of("foo", "World"), Header.of("foo", "Hello"));
        }

        @Test
        @DisplayName("§Repeated Header Entries: only the first content-length counts")
        void firstContentLengthCounts() {
            StompFrame f = single(V1_2, "MESSAGE\nsubscription:0\ncontent-length:3\ncontent-length:1\n\na\0b\0");
            assertThat(f.body()).containsExactly('a', 0, 'b');
        }

        @Test
        @DisplayName("§STOMP Frames: EOL is LF or CRLF")
        void crlfLineEnds() {
            StompFrame f = single(V1_2, "MESSAGE\r\nsubscription:0\r\nfoo:bar\r\n\r\nbody\0");
            assertThat(f.command()).isEqualTo(StompCommand.MESSAGE);
            assertThat(f.header("foo")).isEqualTo("bar");
            assertThat(f.bodyAsString()).isEqualTo("body");
        }

        @Test
        @DisplayName("§Augmented BNF: a bare CR inside a header line is an error")
        void bareCrInHeaderIsAnError() {
            StompFrameException e = fails(V1_2, "MESSAGE\nsubscription:0\nfoo:a\rb\n\n\0");
            assertThat(e.reason()).startsWith("Bare CR");
            assertThat(e.offset()).isEqualTo("MESSAGE\nsubscription:0\nfoo:a".length());
        }

        @Test
        @DisplayName("§Augmented BNF: a bare CR in the command line is an error")
        void bareCrInCommandIsAnError() {
            assertThat(fails(V1_2, "SE\rND\n\n\0").reason()).startsWith("Bare CR");
        }

        @Test
        @DisplayName("§Augmented BNF: a bare CR between frames is an error")
        void bareCrBetweenFramesIsAnError() {
            StompFrameException e = fails(V1_2, "RECEIPT\nreceipt-id:1\n\n\0\rX");
            assertThat(e.reason()).startsWith("Bare CR");
            assertThat(e.offset()).isEqualTo("RECEIPT\nreceipt-id:1\n\n\0".length());
        }

        @Test
        @DisplayName("§Heart-beating: EOLs between frames (LF and CRLF) are heart-beats, not frames")
        void eolsBetweenFramesAreHeartBeats() {
            StompParser parser = new StompParser(V1_2);
            parser.add(bytes("\n\r\nRECEIPT\nreceipt-id:1\n\n\0\n\r\n\nRECEIPT\nreceipt-id:2\n\n\0\n"));
            assertThat(Wire.drain(parser)).extracting(f -> f.header("receipt-id")).containsExactly("1", "2");
            assertThat(parser.heartBeats()).isEqualTo(6);
        }

        @Test
        @DisplayName("§STOMP Frames: the NUL need not be followed by an EOL")
        void noEolNeededAfterNul() {
            List<StompFrame> frames = parse(V1_2, "RECEIPT\nreceipt-id:1\n\n\0RECEIPT\nreceipt-id:2\n\n\0");
            assertThat(frames).hasSize(2);
        }

        @Test
        @DisplayName("§Header content-length: a byte count, the body may hold NULs")
        void contentLengthBodyWithNuls() {
            StompFrame f = single(V1_2, "MESSAGE\nsubscription:0\ncontent-length:5\n\n\0a\0b\0\0");
            assertThat(f.body()).containsExactly(0, 'a', 0, 'b', 0);
        }

        @Test
        @DisplayName("§Header content-length: counts bytes, not characters")
        void contentLengthCountsBytes() {
            byte[] wire = Wire.utf8("MESSAGE\nsubscription:0\ncontent-length:2\n\n\u00ea\0");
            assertThat(Wire.parse(V1_2, wire).get(0).bodyAsString()).isEqualTo("\u00ea");
        }

        @Test
        @DisplayName("§Header content-length: content-length:0 is legal")
        void contentLengthZero() {
            StompFrame f = single(V1_2, "SEND\ndestination:/q\ncontent-length:0\n\n\0");
            assertThat(f.bodyLength()).isZero();
        }

        @Test
        @DisplayName("§Header content-length: the frame still needs its NUL after the body")
        void nulRequiredAfterContentLengthBody() {
            StompFrameException e = fails(V1_2, "SEND\ndestination:/q\ncontent-length:3\n\nabcd\0");
            assertThat(e.reason()).isEqualTo("Expected NUL after content-length 3 body");
            assertThat(e.offset()).isEqualTo("SEND\ndestination:/q\ncontent-length:3\n\nabc".length());
        }

        @Test
        @DisplayName("§Header content-length: without it the body ends at the first NUL")
        void bodyEndsAtFirstNulWithoutContentLength() {
            List<StompFrame> frames = parse(V1_2, "SEND\ndestination:/q\n\nab\0\nSEND\ndestination:/q\n\ncd\0");
            assertThat(frames).extracting(StompFrame::bodyAsString).containsExactly("ab", "cd");
        }

        @Test
        @DisplayName("§Header content-length: a value that is not a byte count is an error")
        void invalidContentLength() {
            assertThat(fails(V1_2, "SEND\ndestination:/q\ncontent-length:-1\n\n\0").reason()).isEqualTo("Invalid content-length: '-1'");
            assertThat(fails(V1_2, "SEND\ndestination:/q\ncontent-length: 1\n\na\0").reason()).isEqualTo("Invalid content-length: ' 1'");
            assertThat(fails(V1_2, "SEND\ndestination:/q\ncontent-length:\n\n\0").reason()).isEqualTo("Invalid content-length: ''");
            assertThat(fails(V1_2, "SEND\ndestination:/q\ncontent-length:99999999999\n\n\0").reason()).startsWith("Invalid content-length");
            // Escaped and UTF-8 values are decoded while parsing; the check reads the decoded text.
            assertThat(fails(V1_2, "SEND\ndestination:/q\ncontent-length:1\\c\n\n\0").reason()).isEqualTo("Invalid content-length: '1:'");
            assertThat(fails(V1_2, utf8("SEND\ndestination:/q\ncontent-length:1\u00e9\n\n\0")).reason()).isEqualTo("Invalid content-length: '1\u00e9'");
            assertThat(single(V1_2, "SEND\ndestination:/q\ncontent-length:0003\n\nabc\0").bodyAsString()).isEqualTo("abc");
        }

        @Test
        @DisplayName("§Header content-length: a content-length text inside the body is never read as a header")
        void contentLengthInsideBodyIsBody() {
            StompFrame f = single(V1_2, "SEND\ndestination:/q\n\ncontent-length:100\n\nhello\0");
            assertThat(f.header("content-length")).isNull();
            assertThat(f.bodyAsString()).isEqualTo("content-length:100\n\nhello");
        }

        @ParameterizedTest
        @EnumSource(value = StompCommand.class, names = {"CONNECT", "STOMP", "SUBSCRIBE", "UNSUBSCRIBE", "ACK", "NACK",
            "BEGIN", "COMMIT", "ABORT", "DISCONNECT", "CONNECTED", "RECEIPT"})
        @DisplayName("§Body: only SEND, MESSAGE and ERROR may have a body")
        void bodyOnlyOnSendMessageError(StompCommand command) {
            StompFrameException e = fails(V1_2, command + "\n\nx\0");
            assertThat(e.reason()).isEqualTo("Body not allowed on " + command);
            assertThat(e.offset()).isEqualTo(command.name().length() + 2);
            assertThat(fails(V1_2, command + "\ncontent-length:1\n\nx\0").reason()).startsWith("Body not allowed on " + command);
            assertThat(single(V1_2, command + "\ncontent-length:0\n\n\0").command()).isEqualTo(command);
        }

        @ParameterizedTest
        @EnumSource(value = StompCommand.class)
        @DisplayName("§Augmented BNF: every 1.2 command is accepted")
        void everyCommandAccepted(StompCommand command) {
            assertThat(single(V1_2, command + "\n\n\0").command()).isEqualTo(command);
        }

        @Test
        @DisplayName("§Augmented BNF: commands are case sensitive; unknown ones are rejected")
        void unknownCommand() {
            assertThat(fails(V1_2, "send\n\n\0").reason()).isEqualTo("Invalid command: 'send'");
            assertThat(fails(V1_2, "HELLO\n\n\0").reason()).isEqualTo("Invalid command: 'HELLO'");
        }

        @Test
        @DisplayName("§Augmented BNF: a header line needs a ':' and a non-empty name")
        void headerSyntax() {
            assertThat(fails(V1_2, "SEND\nnocolon\n\n\0").reason()).isEqualTo("Header line without ':'");
            assertThat(fails(V1_2, "SEND\n:value\n\n\0").reason()).isEqualTo("Empty header name");
        }

        @Test
        @DisplayName("§Augmented BNF: an empty value is allowed; a value may hold further ':' (lenient)")
        void emptyValueAndExtraColons() {
            StompFrame f = single(V1_2, "MESSAGE\nsubscription:0\nempty:\nurl:tcp://h:1\n\n\0");
            assertThat(f.header("empty")).isEmpty();
            assertThat(f.header("url")).isEqualTo("tcp://h:1");
        }
    }

    @Nested
    @DisplayName("STOMP 1.1")
    class Stomp11 {
        @Test
        @DisplayName("§Value Encoding: \\n \\c \\\\ are unescaped")
        void unescapes() {
            assertThat(single(V1_1, "MESSAGE\nsubscription:0\nk:a\\nb\\cc\\\\d\n\n\0").header("k")).isEqualTo("a\nb:c\\d");
        }

        @Test
        @DisplayName("§Value Encoding: \\r is an undefined escape in 1.1")
        void carriageReturnEscapeUndefined() {
            assertThat(fails(V1_1, "MESSAGE\nsubscription:0\nk:a\\rb\n\n\0").reason())
                    .isEqualTo("Invalid escape: '\\r' is not defined in STOMP 1.1");
        }

        @Test
        @DisplayName("§Augmented BNF: EOL is LF only; a CR is an ordinary header octet")
        void crIsOrdinaryOctet() {
            assertThat(single(V1_1, "MESSAGE\nsubscription:0\nk:v\r\n\n\0").header("k")).isEqualTo("v\r");
            assertThat(fails(V1_1, "SEND\r\n\n\0").reason()).startsWith("Invalid command: 'SEND\\x0d'");
        }

        @Test
        @DisplayName("§Value Encoding: CONNECTED headers are not unescaped")
        void connectedRaw() {
            assertThat(single(V1_1, "CONNECTED\nserver:a\\b\n\n\0").header("server")).isEqualTo("a\\b");
        }

        @Test
        @DisplayName("§Value Encoding: only SEND, MESSAGE and ERROR may have a body")
        void bodyOnlyOnSendMessageError() {
            assertThat(fails(V1_1, "RECEIPT\nreceipt-id:1\n\nx\0").reason()).isEqualTo("Body not allowed on RECEIPT");
        }

        @Test
        @DisplayName("§Augmented BNF: NACK and STOMP exist in 1.1")
        void nackAndStomp() {
            assertThat(single(V1_1, "NACK\nsubscription:0\nmessage-id:1\n\n\0").command()).isEqualTo(StompCommand.NACK);
            assertThat(single(V1_1, "STOMP\naccept-version:1.1\n\n\0").command()).isEqualTo(StompCommand.STOMP);
        }
    }

    @Nested
    @DisplayName("STOMP 1.0")
    class Stomp10 {
        @Test
        @DisplayName("§Frames: no escapes at all, backslashes are kept")
        void noEscapes() {
            assertThat(single(V1_0, "MESSAGE\ndestination:/q\nk:a\\tb\\c\n\n\0").header("k")).isEqualTo("a\\tb\\c");
        }

        @Test
        @DisplayName("§Frames: NACK and STOMP are not 1.0 commands")
        void noNackNoStomp() {
            assertThat(fails(V1_0, "NACK\nmessage-id:1\n\n\0").reason()).isEqualTo("Invalid command: 'NACK' (not a STOMP 1.0 command)");
            assertThat(fails(V1_0, "STOMP\n\n\0").reason()).isEqualTo("Invalid command: 'STOMP' (not a STOMP 1.0 command)");
        }

        @Test
        @DisplayName("§SUBSCRIBE: a body on other frames is tolerated (\"the body of the SUBSCRIBE command is ignored\")")
        void bodyTolerated() {
            assertThat(single(V1_0, "SUBSCRIBE\ndestination:/q\n\nignored\0").bodyAsString()).isEqualTo("ignored");
        }

        @Test
        @DisplayName("§Frames: never trims, so the spec's own 'login: <username>' keeps its space")
        void neverTrims() {
            assertThat(single(V1_0, "CONNECT\nlogin: guest\n\n\0").header("login")).isEqualTo(" guest");
        }

        @Test
        @DisplayName("Headers are not specified as UTF-8 in 1.0: invalid UTF-8 is kept byte for byte")
        void lenientEncoding() {
            StompFrame f = Wire.parse(V1_0, bytes("MESSAGE\ndestination:/q\nk:\u00ff\u00e9\n\n\0")).get(0);
            assertThat(f.header("k")).isEqualTo("\u00ff\u00e9");
            assertThat(Wire.parse(V1_0, utf8("MESSAGE\ndestination:/q\nk:\u00e9\n\n\0")).get(0).header("k")).isEqualTo("\u00e9");
        }

        @Test
        @DisplayName("§SEND: content-length is a byte count, NULs allowed in the body")
        void contentLength() {
            assertThat(single(V1_0, "SEND\ndestination:/q\ncontent-length:3\n\n\0\0\0\0").body()).containsExactly(0, 0, 0);
        }
    }

    @Nested
    @DisplayName("Version negotiation")
    class VersionSwitch {
        @Test
        @DisplayName("bytes after CONNECTED wait for the negotiated version's rules")
        void bytesAfterConnectedParsedWithNegotiatedVersion() {
            StompParser parser = new StompParser(V1_2);
            // CONNECTED chooses 1.0; the MESSAGE that follows in the same read has a 1.0-style backslash.
            parser.add(bytes("CONNECTED\nversion:1.0\n\n\0\nMESSAGE\ndestination:/q\nk:a\\tb\n\n\0"));
            StompFrame connected = parser.get();
            assertThat(connected.command()).isEqualTo(StompCommand.CONNECTED);
            parser.version(V1_0);
            StompFrame message = parser.get();
            assertThat(message.header("k")).isEqualTo("a\\tb");
            assertThat(parser.heartBeats()).isEqualTo(1);
        }

        @Test
        @DisplayName("without switching, the same bytes are a 1.2 error: the switch is what makes them valid")
        void sameBytesFailUnder12() {
            StompParser parser = new StompParser(V1_2);
            parser.add(bytes("CONNECTED\nversion:1.0\n\n\0MESSAGE\ndestination:/q\nk:a\\tb\n\n\0"));
            assertThat(parser.get().command()).isEqualTo(StompCommand.CONNECTED);
            org.assertj.core.api.Assertions.assertThatThrownBy(parser::get).isInstanceOf(StompFrameException.class);
        }

        @Test
        @DisplayName("frames keep flowing after CONNECTED, whatever the fragmentation")
        void fragmentedAfterConnected() {
            byte[] wire = bytes("CONNECTED\nversion:1.1\n\n\0MESSAGE\nsubscription:0\nk:a\\cb\n\n\0");
            List<StompFrame> frames = parseByteByByte(V1_2, wire);
            assertThat(frames).extracting(StompFrame::command).containsExactly(StompCommand.CONNECTED, StompCommand.MESSAGE);
            assertThat(frames.get(1).header("k")).isEqualTo("a:b");
        }

        @Test
        void addWhilePausedKeepsBytes() {
            StompParser parser = new StompParser(V1_2);
            parser.add(bytes("CONNECTED\nversion:1.1\n\n\0MESS"));
            parser.add(bytes("AGE\nsubscription:0\n\nhi\0"));
            assertThat(parser.get().command()).isEqualTo(StompCommand.CONNECTED);
            parser.version(V1_1);
            assertThat(parser.canRead()).isTrue();
            assertThat(parser.get().bodyAsString()).isEqualTo("hi");
        }
    }

    @ParameterizedTest
    @EnumSource(StompVersion.class)
    @DisplayName("Every byte split gives the same frames")
    void everySplitGivesTheSameFrames(StompVersion version) {
        byte[] wire = bytes("MESSAGE\ndestination:/q\nsubscription:0\nmessage-id:1\ncontent-length:4\n\n\0ab\0\0\n\n"
                + "ERROR\nmessage:bad\n\noops\0");
        List<StompFrame> expected = Wire.parse(version, wire);
        assertThat(expected).hasSize(2);
        for (int cut = 0; cut <= wire.length; cut++) {
            StompParser parser = new StompParser(version);
            parser.add(wire, 0, cut);
            parser.add(wire, cut, wire.length - cut);
            assertThat(Wire.drain(parser)).as("split at %d", cut).isEqualTo(expected);
        }
        assertThat(parseByteByByte(version, wire)).isEqualTo(expected);
    }
}
