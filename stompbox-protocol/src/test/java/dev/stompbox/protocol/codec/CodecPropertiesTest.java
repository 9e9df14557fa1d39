package dev.stompbox.protocol.codec;

import dev.stompbox.protocol.Header;
import dev.stompbox.protocol.StompCommand;
import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.StompVersion;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Assume;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * For random frames of every version (headers with every escapable character, non-ASCII text,
 * duplicates; binary bodies with NULs) the parser gives back what the encoder wrote, whatever the
 * fragmentation, and parse → encode → parse is stable.
 */
class CodecPropertiesTest {

    record Case(StompVersion version, StompFrame frame, List<Integer> cuts) {
    }

    @Property(tries = 400)
    void encodeThenParseUnderRandomFragmentationGivesTheFrameBack(@ForAll("cases") Case c) {
        byte[] wire = StompEncoder.of(c.version()).encode(c.frame());
        List<StompFrame> parsed = parseInPieces(c.version(), wire, c.cuts());
        assertThat(parsed).hasSize(1);
        assertThat(parsed.get(0)).isEqualTo(expectedAfterRoundTrip(c.frame()));
    }

    /**
     * The engine measures a frame when it queues it, and the client writes it later: a frame measured
     * (in its version and in the others, whose findings must not leak across) is written byte for byte
     * as one that never was, and as the exact-size encoding.
     */
    @Property(tries = 400)
    void aFrameMeasuredBeforeItIsWrittenGivesTheBytesOfOneNeverMeasured(@ForAll("cases") Case c) {
        StompEncoder encoder = StompEncoder.of(c.version());
        StompFrame neverMeasured = c.frame().toBuilder().build();
        StompFrame measured = c.frame();
        for (StompVersion v : StompVersion.values()) {
            try {
                StompEncoder.of(v).headLength(measured);
            } catch (RuntimeException e) {
                // not encodable in that version: nothing learnt
            }
        }
        int headLength = encoder.headLength(measured);
        byte[] a = new byte[encoder.maxHeadLength(neverMeasured)];
        byte[] b = new byte[headLength]; // exactly the room the measure asked for
        int endA = encoder.encodeHead(neverMeasured, a, 0);
        int endB = encoder.encodeHead(measured, b, 0);

        assertThat(Arrays.copyOf(b, endB)).isEqualTo(Arrays.copyOf(a, endA));
        assertThat(endB).isEqualTo(headLength);
        assertThat(Arrays.copyOf(encoder.encode(measured), headLength)).isEqualTo(Arrays.copyOf(a, endA));
    }

    @Property(tries = 300)
    void ownedInputGivesTheSameFramesAsCopiedInputWhateverTheFragmentation(@ForAll("cases") Case c) {
        byte[] wire = StompEncoder.of(c.version()).encode(c.frame());
        StompParser parser = new StompParser(c.version());
        List<StompFrame> out = new ArrayList<>();
        int at = 0;
        for (int cut : c.cuts()) {
            int to = Math.min(wire.length, at + cut);
            parser.addOwned(Arrays.copyOfRange(wire, at, to), 0, to - at); // each piece a fresh array, as the promise says
            out.addAll(Wire.drain(parser));
            at = to;
        }
        byte[] rest = new byte[wire.length - at + 7]; // with an offset and bytes after the piece, which must not leak in
        System.arraycopy(wire, at, rest, 3, wire.length - at);
        parser.addOwned(rest, 3, wire.length - at);
        out.addAll(Wire.drain(parser));
        assertThat(out).containsExactly(expectedAfterRoundTrip(c.frame()));
        assertThat(out.get(0).body()).isEqualTo(c.frame().body());
    }

    @Property(tries = 300)
    void readingEveryValueOfOneFrameLeavesTheNextAsSent(@ForAll("cases") Case c, @ForAll long seed) {
        StompFrame first = c.frame();
        // The next frame: the same headers in the same order, each value kept or changed at random.
        java.util.Random random = new java.util.Random(seed);
        StompFrame.Builder next = StompFrame.builder(first.command()).bodyWithoutCopy(first.body());
        for (Header h : first.headers()) {
            next.header(h.name(), random.nextBoolean() ? h.value() : h.value() + "x" + random.nextInt(3));
        }
        StompFrame second = next.build();
        StompEncoder encoder = StompEncoder.of(c.version());
        StompParser parser = new StompParser(c.version());
        parser.add(encoder.encode(first));
        StompFrame parsedFirst = parser.get();
        for (int i = 0; i < parsedFirst.headerCount(); i++) {
            parsedFirst.headerValue(i); // decoded on demand, into the frame's own arrays
        }
        parser.add(encoder.encode(second));
        assertThat(parser.get()).isEqualTo(expectedAfterRoundTrip(second));
    }

    @Property(tries = 150)
    void encodeThenParseOneByteAtATime(@ForAll("cases") Case c) {
        byte[] wire = StompEncoder.of(c.version()).encode(c.frame());
        assertThat(Wire.parseByteByByte(c.version(), wire)).containsExactly(expectedAfterRoundTrip(c.frame()));
    }

    @Property(tries = 200)
    void parseEncodeParseIsStable(@ForAll("cases") Case c) {
        StompEncoder encoder = StompEncoder.of(c.version());
        StompFrame once = Wire.parse(c.version(), encoder.encode(c.frame())).get(0);
        byte[] again = encoder.encode(once);
        assertThat(again).isEqualTo(encoder.encode(c.frame()));
        assertThat(Wire.parse(c.version(), again)).containsExactly(once);
    }

    @Property(tries = 300)
    void theHeadThenTheBodyThenNulIsTheEncodedFrameAndTheBoundHolds(@ForAll("cases") Case c) {
        StompEncoder encoder = StompEncoder.of(c.version());
        byte[] whole = encoder.encode(c.frame());
        int head = encoder.headLength(c.frame());
        assertThat(encoder.maxHeadLength(c.frame())).isGreaterThanOrEqualTo(head);
        byte[] dst = new byte[3 + encoder.maxHeadLength(c.frame())];
        int end = encoder.encodeHead(c.frame(), dst, 3);
        assertThat(end - 3).isEqualTo(head);
        byte[] assembled = new byte[head + c.frame().bodyLength() + 1];
        System.arraycopy(dst, 3, assembled, 0, head);
        c.frame().bodyBuffer().get(assembled, head, c.frame().bodyLength());
        assertThat(assembled).isEqualTo(whole);
    }

    @Property(tries = 100)
    void manyFramesWithHeartBeatsInOneStream(@ForAll("cases") Case a, @ForAll("cases") Case b) {
        Assume.that(a.version() == b.version());
        StompEncoder encoder = StompEncoder.of(a.version());
        byte[] one = encoder.encode(a.frame());
        byte[] two = encoder.encode(b.frame());
        byte[] wire = new byte[one.length + 2 + two.length + 1];
        System.arraycopy(one, 0, wire, 0, one.length);
        wire[one.length] = '\n';
        wire[one.length + 1] = '\n';
        System.arraycopy(two, 0, wire, one.length + 2, two.length);
        wire[wire.length - 1] = '\n';
        StompParser parser = new StompParser(a.version());
        List<StompFrame> frames = parseInPieces(parser, wire, a.cuts());
        assertThat(frames).containsExactly(expectedAfterRoundTrip(a.frame()), expectedAfterRoundTrip(b.frame()));
        assertThat(parser.heartBeats()).isEqualTo(3);
    }

    /**
     * One parser, frame after frame, header names that differ from each other in one character
     * (anywhere in up to 40, plain, escaped or not ASCII): the parser shares the Strings of names it
     * has seen, and must never hand out a neighbour's.
     */
    @Property(tries = 200)
    void nearlyEqualNamesStayApartFrameAfterFrame(@ForAll("nameFamilies") List<String> family,
                                                  @ForAll("picks") List<List<Integer>> frames,
                                                  @ForAll("cutsAnywhere") List<Integer> cuts) {
        List<StompFrame> sent = framesOf(StompCommand.SEND, frames, (i, pick) -> new String[] {family.get(pick % family.size()), "v" + i});
        assertThat(parseInPieces(new StompParser(StompVersion.V1_2), wireOf(sent), cuts)).containsExactlyElementsOf(sent);
    }

    /** A frame per list of picks, its i-th header made of the i-th pick: {name, value}. */
    private static List<StompFrame> framesOf(StompCommand command, List<List<Integer>> frames,
                                             java.util.function.BiFunction<Integer, Integer, String[]> header) {
        List<StompFrame> out = new ArrayList<>();
        for (List<Integer> picks : frames) {
            StompFrame.Builder b = StompFrame.builder(command);
            for (int i = 0; i < picks.size(); i++) {
                String[] h = header.apply(i, picks.get(i));
                b.header(h[0], h[1]);
            }
            out.add(b.build());
        }
        return out;
    }

    private static byte[] wireOf(List<StompFrame> frames) {
        StompEncoder encoder = StompEncoder.of(StompVersion.V1_2);
        java.io.ByteArrayOutputStream wire = new java.io.ByteArrayOutputStream();
        frames.forEach(f -> wire.writeBytes(encoder.encode(f)));
        return wire.toByteArray();
    }

    /**
     * One parser, frame after frame, header values that differ from each other in one character
     * (anywhere in up to 40, plain, escaped or not ASCII) at the same indexes: the parser shares the
     * String of a value that comes again, and must never hand out a neighbour's. The first two
     * headers are message-id and ack from the same family, so an ack sometimes repeats its
     * message-id (and shares its String) and sometimes differs from it in one character.
     */
    @Property(tries = 200)
    void nearlyEqualValuesStayApartFrameAfterFrame(@ForAll("nameFamilies") List<String> family,
                                                   @ForAll("picks") List<List<Integer>> frames,
                                                   @ForAll("cutsAnywhere") List<Integer> cuts) {
        List<StompFrame> sent = framesOf(StompCommand.MESSAGE, frames,
                (i, pick) -> new String[] {i == 0 ? "message-id" : i == 1 ? "ack" : "h" + i, family.get(pick % family.size())});
        List<StompFrame> parsed = parseInPieces(new StompParser(StompVersion.V1_2), wireOf(sent), cuts);
        assertThat(parsed).containsExactlyElementsOf(sent);
        for (int f = 0; f < parsed.size(); f++) { // the ack read first, before the message-id it may share
            StompFrame frame = parsed.get(f);
            for (int i = frame.headerCount() - 1; i >= 0; i--) {
                assertThat(frame.headerValue(i)).isEqualTo(sent.get(f).headerValue(i));
            }
        }
    }

    @Provide
    Arbitrary<List<String>> nameFamilies() {
        Arbitrary<Character> chars = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(12, Arbitraries.chars().range('a', 'z')),
                net.jqwik.api.Tuple.of(1, Arbitraries.of(':', '\\', '\n', '\u00e9')));
        Arbitrary<String> base = chars.list().ofMinSize(1).ofMaxSize(40).map(CodecPropertiesTest::join);
        return base.flatMap(b -> Combinators.combine(
                Arbitraries.integers().between(0, b.length() - 1).list().ofMinSize(1).ofMaxSize(4),
                chars.list().ofSize(4)
        ).as((positions, replacements) -> {
            List<String> family = new ArrayList<>(List.of(b, b + "q"));
            for (int i = 0; i < positions.size(); i++) {
                char[] c = b.toCharArray();
                c[positions.get(i)] = c[positions.get(i)] == replacements.get(i) ? '_' : replacements.get(i);
                family.add(new String(c));
            }
            return family;
        }));
    }

    @Provide
    Arbitrary<List<List<Integer>>> picks() {
        return Arbitraries.integers().between(0, 5).list().ofMinSize(1).ofMaxSize(6).list().ofMinSize(2).ofMaxSize(8);
    }

    @Provide
    Arbitrary<List<Integer>> cutsAnywhere() {
        return Arbitraries.integers().between(1, 200).list().ofMaxSize(10);
    }

    /** The encoder adds content-length for a non-empty body; everything else comes back as it was. */
    private static StompFrame expectedAfterRoundTrip(StompFrame f) {
        if (f.bodyLength() > 0 && f.header("content-length") == null) {
            return f.withAddedHeader("content-length", Integer.toString(f.bodyLength()));
        }
        return f;
    }

    private static List<StompFrame> parseInPieces(StompVersion version, byte[] wire, List<Integer> cuts) {
        return parseInPieces(new StompParser(version), wire, cuts);
    }

    /** Feeds {@code wire} cut after each of {@code cuts} bytes, then the rest, collecting frames as they complete. */
    private static List<StompFrame> parseInPieces(StompParser parser, byte[] wire, List<Integer> cuts) {
        List<StompFrame> out = new ArrayList<>();
        int at = 0;
        for (int cut : cuts) {
            int to = Math.min(wire.length, at + cut);
            parser.add(wire, at, to - at);
            out.addAll(Wire.drain(parser));
            at = to;
        }
        parser.add(wire, at, wire.length - at);
        out.addAll(Wire.drain(parser));
        return out;
    }

    @Provide
    Arbitrary<Case> cases() {
        return Arbitraries.of(StompVersion.class).flatMap(version -> {
            List<StompCommand> commands = Arrays.stream(StompCommand.values()).filter(version::supports).toList();
            Arbitrary<StompCommand> command = Arbitraries.of(commands);
            return command.flatMap(cmd -> Combinators.combine(
                    headers(version, cmd),
                    body(cmd),
                    Arbitraries.integers().between(1, 70).list().ofMaxSize(12)
            ).as((headers, body, cuts) -> {
                StompFrame.Builder b = StompFrame.builder(cmd).headers(headers);
                if (body.length > 0) {
                    b.bodyWithoutCopy(body);
                }
                return new Case(version, b.build(), cuts);
            }));
        });
    }

    private static Arbitrary<List<Header>> headers(StompVersion version, StompCommand command) {
        boolean escaped = version.escapes(command);
        Arbitrary<Character> chars;
        if (version == StompVersion.V1_0) {
            // ASCII only, no LF; CR is an ordinary octet in 1.0.
            chars = Arbitraries.frequencyOf(
                    net.jqwik.api.Tuple.of(8, Arbitraries.chars().range(' ', '~')),
                    net.jqwik.api.Tuple.of(1, Arbitraries.of('\\', ':', '\r', '\t')));
        } else if (!escaped) {
            // CONNECT/STOMP/CONNECTED: anything but LF (and CR in 1.2).
            chars = Arbitraries.frequencyOf(
                    net.jqwik.api.Tuple.of(8, Arbitraries.chars().range(' ', '~')),
                    net.jqwik.api.Tuple.of(2, Arbitraries.of('\\', ':', '\u00ea', '\u65e5')),
                    net.jqwik.api.Tuple.of(version == StompVersion.V1_1 ? 1 : 0, Arbitraries.of('\r')));
        } else {
            chars = Arbitraries.frequencyOf(
                    net.jqwik.api.Tuple.of(8, Arbitraries.chars().range(' ', '~')),
                    net.jqwik.api.Tuple.of(3, Arbitraries.of('\\', ':', '\n', '\r', '\t', '\0')),
                    net.jqwik.api.Tuple.of(2, Arbitraries.of('\u00ea', '\u65e5', '\u0101', '\uFFFD')));
        }
        Arbitrary<String> value = chars.list().ofMaxSize(12).map(CodecPropertiesTest::join);
        Arbitrary<String> name = chars.list().ofMinSize(1).ofMaxSize(8).map(CodecPropertiesTest::join)
                .filter(n -> !n.equals("content-length") && (escaped || n.indexOf(':') < 0));
        Arbitrary<Header> header = Combinators.combine(name, value).as(Header::new);
        Arbitrary<List<Header>> unique = header.list().ofMaxSize(6);
        // Duplicated names: repeat some entries with other values.
        return unique.flatMap(list -> value.list().ofSize(list.size()).map(values -> {
            List<Header> out = new ArrayList<>(list);
            for (int i = 0; i < list.size(); i += 2) {
                out.add(new Header(list.get(i).name(), values.get(i)));
            }
            return out;
        }));
    }

    private static Arbitrary<byte[]> body(StompCommand command) {
        if (!command.bodyAllowed()) {
            return Arbitraries.just(new byte[0]);
        }
        return Arbitraries.oneOf(
                Arbitraries.bytes().array(byte[].class).ofMaxSize(64),
                Arbitraries.bytes().array(byte[].class).ofMinSize(16_000).ofMaxSize(20_000));
    }

    private static String join(List<Character> chars) {
        StringBuilder sb = new StringBuilder(chars.size());
        chars.forEach(sb::append);
        return sb.toString();
    }
}
