package dev.stompbox.protocol.codec;

import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.StompFrameException;
import dev.stompbox.protocol.StompVersion;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Test helpers for feeding wire text to a parser. */
final class Wire {
    private Wire() {
    }

    /** The bytes of {@code text}, each char taken as one byte (so "\u00ea" is the single byte 0xea). */
    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static List<StompFrame> parse(StompVersion version, byte[] wire) {
        StompParser parser = new StompParser(version);
        parser.add(wire);
        return drain(parser);
    }

    static List<StompFrame> parse(StompVersion version, String wire) {
        return parse(version, bytes(wire));
    }

    static StompFrame single(StompVersion version, String wire) {
        List<StompFrame> frames = parse(version, wire);
        if (frames.size() != 1) {
            throw new AssertionError("expected one frame, got " + frames);
        }
        return frames.get(0);
    }

    static List<StompFrame> drain(StompParser parser) {
        List<StompFrame> out = new ArrayList<>();
        StompFrame f;
        while ((f = parser.get()) != null) {
            out.add(f);
        }
        return out;
    }

    /** Feeds one byte at a time and collects every frame. */
    static List<StompFrame> parseByteByByte(StompVersion version, byte[] wire) {
        StompParser parser = new StompParser(version);
        List<StompFrame> out = new ArrayList<>();
        for (byte b : wire) {
            parser.add(new byte[] {b});
            out.addAll(drain(parser));
        }
        return out;
    }

    static StompFrameException fails(StompVersion version, String wire) {
        return fails(version, bytes(wire));
    }

    static StompFrameException fails(StompVersion version, byte[] wire) {
        StompParser parser = new StompParser(version);
        assertThatThrownBy(() -> parser.add(wire)).isInstanceOf(StompFrameException.class);
        // The same failure must come whatever the fragmentation.
        StompParser bytewise = new StompParser(version);
        StompFrameException e = null;
        for (byte b : wire) {
            try {
                bytewise.add(new byte[] {b});
                drain(bytewise);
            } catch (StompFrameException thrown) {
                e = thrown;
                break;
            }
        }
        if (e == null) {
            throw new AssertionError("byte-by-byte parsing did not fail");
        }
        StompFrameException whole = catchThrowableOfType(StompFrameException.class, () -> new StompParser(version).add(wire));
        if (!whole.getMessage().equals(e.getMessage())) {
            throw new AssertionError("fragmentation changed the error: '" + whole.getMessage() + "' vs '" + e.getMessage() + "'");
        }
        return whole;
    }
}
