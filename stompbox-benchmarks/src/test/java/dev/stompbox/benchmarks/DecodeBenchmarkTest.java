package dev.stompbox.benchmarks;

import dev.stompbox.protocol.codec.StompParser;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.openjdk.jmh.infra.Blackhole;

import static org.assertj.core.api.Assertions.assertThat;

/** The streaming benchmark does what TCP does to a connection's bytes, and decodes every frame the whole-frame one does. */
class DecodeBenchmarkTest {
    private static final Blackhole BH =
            new Blackhole("Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");

    @ParameterizedTest
    @ValueSource(strings = {Workloads.SMALL_SEND, Workloads.BROKER_MESSAGE, Workloads.ESCAPED, Workloads.ONE_KIB, Workloads.SIXTY_FOUR_KIB})
    void segmentsCutAcrossFrameBoundariesAndEveryFrameComesOut(String workload) {
        DecodeBenchmark b = new DecodeBenchmark();
        b.workload = workload;
        b.setUp();

        // Some frame ends inside a segment with the next one starting after it in that same segment:
        // the case that feeding each frame alone never produces.
        int end = 0;
        boolean sharedSegment = false;
        for (byte[] w : b.wires()) {
            end += w.length;
            sharedSegment |= end % 1460 != 0 && end < b.stream().length;
        }
        assertThat(sharedSegment).isTrue();

        StompParser parser = new StompParser();
        int frames = 0;
        for (int pass = 0; pass < 3; pass++) {
            frames += DecodeBenchmark.feedInSegments(parser, b.stream(), 1460, BH);
        }
        assertThat(frames).isEqualTo(3 * b.wires().length);
        assertThat(parser.retainedBytes()).isZero();
    }
}
