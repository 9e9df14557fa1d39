package dev.stompbox.protocol.codec;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.StompFrameException;
import dev.stompbox.protocol.StompProtocolException;
import dev.stompbox.protocol.StompVersion;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzz targets for the parser. In {@code mvn verify} they run once over each committed input under
 * {@code src/test/resources/dev/stompbox/protocol/codec/ParserFuzzTestInputs/}; with
 * {@code JAZZER_FUZZ=1} (see {@code scripts/fuzz.sh}) Jazzer explores from there. Only
 * {@link StompFrameException} may come out of the parser, with small limits so that the
 * limits are reached; anything else, an endless loop or running out of memory is a finding.
 */
class ParserFuzzTest {
    private static final ParserLimits SMALL = new ParserLimits(256, 16, 4096);

    /** Any bytes, in any version, cut into pieces the input chooses. */
    @FuzzTest(maxDuration = "30s")
    void parserThrowsOnlyFrameExceptions(FuzzedDataProvider data) {
        StompVersion version = data.pickValue(StompVersion.values());
        StompParser parser = new StompParser(version, SMALL);
        while (data.remainingBytes() > 0) {
            byte[] chunk = data.consumeBytes(data.consumeInt(1, 64));
            try {
                parser.add(chunk);
                drain(parser);
            } catch (StompFrameException e) {
                assertThat(e.offset()).isNotNegative();
                recover(parser, data.consumeBoolean());
            }
        }
    }

    /** What parses, encodes; what it encodes to parses back to the same frame. */
    @FuzzTest(maxDuration = "30s")
    void decodeEncodeDecodeIsStable(FuzzedDataProvider data) {
        StompVersion version = data.pickValue(StompVersion.values());
        StompParser parser = new StompParser(version, SMALL);
        List<StompFrame> frames = new ArrayList<>();
        try {
            parser.add(data.consumeRemainingAsBytes());
            frames.addAll(drain(parser));
        } catch (StompFrameException e) {
            frames.addAll(drain(parser)); // what came before the bad byte still counts
        }
        StompEncoder encoder = StompEncoder.of(version);
        for (StompFrame frame : frames) {
            byte[] wire;
            try {
                wire = encoder.encode(frame);
            } catch (StompProtocolException unencodable) {
                continue; // e.g. a 1.0 header the parser kept byte for byte that 1.0 cannot carry out again
            }
            StompParser again = new StompParser(version, ParserLimits.defaults());
            again.add(wire);
            StompFrame back = again.get();
            assertThat(back).as("re-parsed %s", frame.info()).isNotNull();
            assertThat(back.withoutHeader("content-length")).isEqualTo(frame.withoutHeader("content-length"));
        }
    }

    /** reset(), or resync() until the bytes after a NUL parse (resync throws when they are broken too). */
    private static void recover(StompParser parser, boolean resync) {
        if (!resync) {
            parser.reset();
            return;
        }
        while (true) {
            try {
                parser.resync();
                drain(parser);
                return;
            } catch (StompFrameException again) {
                assertThat(parser.failed()).isTrue();
            }
        }
    }

    private static List<StompFrame> drain(StompParser parser) {
        List<StompFrame> out = new ArrayList<>();
        StompFrame f;
        while ((f = parser.get()) != null) {
            out.add(f);
            if (f.command() == dev.stompbox.protocol.StompCommand.CONNECTED) {
                parser.version(parser.version()); // stay on the same rules; lets the parser go on
            }
        }
        return out;
    }
}
