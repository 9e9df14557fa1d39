package dev.stompbox.benchmarks;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The codec targets read ratios measured in paired rounds, which a machine whose speed drifts cannot bend. */
class PairedRoundsTest {

    @Test
    void everyRoundRunsEveryMethodOnceAndEachStartsARoundInTurn() {
        List<String> methods = List.of("stompbox", "stompboxReadingHeaders", "netty", "spring");
        List<String> firsts = new ArrayList<>();
        for (int round = 0; round < methods.size(); round++) {
            List<String> order = PairedRounds.order(methods, round);
            assertThat(order).containsExactlyInAnyOrderElementsOf(methods);
            firsts.add(order.get(0));
        }
        assertThat(firsts).containsExactlyElementsOf(methods);
    }

    @Test
    void aMachineThatSlowsDownMidwayBendsOneRoundNotTheMedian() {
        // Stompbox is truly three times Netty; after the 7th measurement everything runs at 0.6 of its speed.
        // Measured one method after the other over the whole run (all of Stompbox's figures, then Netty's)
        // the ratio would read about 3.9x; within rounds only the round the slow-down splits is off.
        int[] calls = {0};
        PairedRounds.Measure drifting = (benchmark, method, workload) -> {
            double machine = calls[0]++ < 7 ? 1.0 : 0.6;
            return machine * (method.equals("stompbox") ? 3_000_000 : 1_000_000);
        };
        List<PairedRounds.Group> groups = List.of(new PairedRounds.Group(PairedRounds.DECODE, DecodeBenchmark.class,
                Workloads.SMALL_SEND, List.of("stompbox", "netty")));

        Map<String, List<Double>> byMethod = PairedRounds.run(groups, 5, drifting).get(PairedRounds.DECODE).get(Workloads.SMALL_SEND);

        assertThat(byMethod.get("stompbox")).hasSize(5);
        assertThat(PairedRounds.ratios(byMethod, "stompbox", "netty")).filteredOn(r -> Math.abs(r - 3.0) > 1e-9).hasSize(1);
        assertThat(PairedRounds.medianRatio(byMethod, "stompbox", "netty")).isCloseTo(3.0, within(1e-9));
    }

    @Test
    void aFailedRunLeavesItsRoundOutOfTheMedianRatherThanStoppingTheBench() {
        int[] calls = {0};
        PairedRounds.Measure failingOnce = (benchmark, method, workload) -> {
            if (calls[0]++ == 2) {
                throw new IllegalStateException("fork died");
            }
            return method.equals("stompbox") ? 2_000_000 : 1_000_000;
        };
        List<PairedRounds.Group> groups = List.of(new PairedRounds.Group(PairedRounds.ENCODE, EncodeBenchmark.class,
                Workloads.SMALL_SEND, List.of("stompbox", "netty")));

        Map<String, List<Double>> byMethod = PairedRounds.run(groups, 3, failingOnce).get(PairedRounds.ENCODE).get(Workloads.SMALL_SEND);

        assertThat(PairedRounds.ratios(byMethod, "stompbox", "netty")).containsExactly(2.0, 2.0);
        assertThat(PairedRounds.medianRatio(byMethod, "stompbox", "netty")).isEqualTo(2.0);
    }

    @Test
    void theTargetsReadThePairedMedianAndShowItsSpreadOverTheSingleRunFigures() {
        // The single run says 2x; five paired rounds say 2.9, 3.1, 3.2, 2.5, 3.0.
        Map<String, Map<String, BenchMain.Point>> single = Map.of(Workloads.SMALL_SEND, Map.of(
                "stompboxReadingHeaders", new BenchMain.Point(2_000_000, 0, 0), "netty", new BenchMain.Point(1_000_000, 0, 0)));
        Map<String, List<Double>> rounds = Map.of(
                "stompboxReadingHeaders", List.of(2.9, 3.1, 3.2, 2.5, 3.0),
                "netty", List.of(1.0, 1.0, 1.0, 1.0, 1.0));

        String table = BenchMain.targets(single, Map.of(), Map.of(PairedRounds.DECODE, Map.of(Workloads.SMALL_SEND, rounds)), Map.of());

        assertThat(table.lines().filter(l -> l.startsWith("| decode small-send reading every header >= 3x Netty |")))
                .containsExactly("| decode small-send reading every header >= 3x Netty | 3.00x (5 rounds: 2.50-3.20) | yes |");
        assertThat(table).contains("median of paired rounds");
    }

    @Test
    void everyCodecRatioTheTargetsHoldToABarIsMeasuredInPairedRounds() {
        // One round of every group, every method at 1 M ops/s; the single-run tables hold every workload.
        Map<String, Map<String, Map<String, List<Double>>>> paired =
                PairedRounds.run(PairedRounds.groups(), 1, (benchmark, method, workload) -> 1_000_000);
        Map<String, Map<String, BenchMain.Point>> single = new java.util.LinkedHashMap<>();
        for (String w : List.of(Workloads.SMALL_SEND, Workloads.BROKER_MESSAGE, Workloads.ESCAPED, Workloads.ONE_KIB,
                Workloads.SIXTY_FOUR_KIB, Workloads.ONE_MIB)) {
            Map<String, BenchMain.Point> methods = new java.util.LinkedHashMap<>();
            for (String m : List.of("stompbox", "stompboxReadingHeaders", "stompboxOwned", "stompboxChunks1460", "stompboxBlocking",
                    "netty", "nettyAggregated", "spring")) {
                methods.put(m, new BenchMain.Point(2_000_000, 0, 0));
            }
            single.put(w, methods);
        }

        String table = BenchMain.targets(single, single, paired, Map.of());

        List<String> codecRows = table.lines()
                .filter(l -> (l.startsWith("| decode") || l.startsWith("| encode")) && !l.contains("garbage")).toList();
        assertThat(codecRows).hasSizeGreaterThanOrEqualTo(21);
        assertThat(codecRows).allSatisfy(row -> assertThat(row).contains("| 1.00x (1 round: 1.00) |"));
        assertThat(codecRows.stream().filter(r -> r.contains("in 1460-byte chunks"))).hasSize(6);
    }
}
