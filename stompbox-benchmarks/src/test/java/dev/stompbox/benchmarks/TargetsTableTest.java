package dev.stompbox.benchmarks;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The tables of BENCHMARKS.md: each figure held to the bar the benchmark issue set for it, each ratio against the right figure. */
class TargetsTableTest {

    private static Map<String, Map<String, BenchMain.Point>> decode(double readingEveryHeaderOverNetty) {
        Map<String, Map<String, BenchMain.Point>> decode = new LinkedHashMap<>();
        for (String w : List.of(Workloads.SMALL_SEND, Workloads.BROKER_MESSAGE, Workloads.ESCAPED)) {
            decode.put(w, Map.of("netty", point(1_000_000), "stompboxReadingHeaders", point(1_000_000 * readingEveryHeaderOverNetty)));
        }
        return decode;
    }

    private static BenchMain.Point point(double opsPerSec) {
        return new BenchMain.Point(opsPerSec, 0, 0);
    }

    private static String row(String table, String target) {
        return table.lines().filter(l -> l.startsWith("| " + target + " |")).findFirst()
                .orElseThrow(() -> new AssertionError("no row for " + target + " in\n" + table));
    }

    @Test
    void escapedHeadersAreHeldToTwoAndAHalfTimesNettyWhenEveryHeaderIsRead() {
        String table = BenchMain.targets(decode(2.6), Map.of(), Map.of(), Map.of());

        assertThat(row(table, "decode escaped-headers reading every header >= 2.5x Netty")).endsWith("| 2.60x | yes |");
        assertThat(row(table, "decode small-send reading every header >= 3x Netty")).endsWith("| 2.60x | **no** |");
        assertThat(row(table, "decode broker-message reading every header >= 3x Netty")).endsWith("| 2.60x | **no** |");
    }

    @Test
    void cpuRowsShowTheBarHalfTheCheapestPeer() {
        String table = endToEndTargets(cpuPerMessage(1.0));

        assertThat(row(table, "end to end 1p/1c 20 B, Stompbox async client CPU <= 0.5x the best peer's"))
                .endsWith("| 0.80x the cheapest peer's (1 round: 0.80); medians 4.0 vs 5.0 us/msg | **no** |");
        assertThat(row(table, "end to end 1p/1c 20 B, Stompbox blocking client CPU <= 0.5x the best peer's"))
                .endsWith("| 0.40x the cheapest peer's (1 round: 0.40); medians 2.0 vs 5.0 us/msg | yes |");
    }

    private static final String ASYNC_RATE = "end to end 1p/1c 20 B, Stompbox async with defaults >= 0.9 of the limit and >= the faster peer";
    private static final String BLOCKING_RATE = "end to end 1p/1c 20 B, Stompbox blocking with defaults >= 0.9 of the limit and >= the faster peer";

    /** The targets table of one end-to-end workload, 1p/1c 20 B, and nothing else. */
    private static String endToEndTargets(Map<String, List<EndToEnd.Result>> workload) {
        return BenchMain.targets(Map.of(), Map.of(), Map.of(), Map.of("1p/1c 20 B", workload));
    }

    @Test
    void endToEndTargetsHoldEachRoundToThatRoundsBarAndReadTheMedianOfThoseRatios() {
        // Three rounds on a machine whose speed drifts: the raw limit 100, 50, 200 (thousand msg/s), Vert.x
        // 80, 40, 160, Spring below both; so the bars are 90, 45, 180 (0.9 of the limit). Async beats its bar
        // in two rounds of three (91, 46, then 60), though its median, 60, is under the bars' median, 90.
        // Blocking misses in two rounds of three (85, 100, 170), though its median, 100, is over 90.
        Map<String, List<EndToEnd.Result>> w = rounds(Map.of(
                EndToEnd.RAW, new double[] {100, 50, 200},
                EndToEnd.VERTX, new double[] {80, 40, 160},
                EndToEnd.SPRING, new double[] {10, 10, 10},
                EndToEnd.ASYNC, new double[] {91, 46, 60},
                EndToEnd.BLOCKING, new double[] {85, 100, 170}));
        String table = endToEndTargets(w);

        assertThat(row(table, ASYNC_RATE)).endsWith("| 1.01x the bar (3 rounds: 0.33-1.02); medians 60,000 vs 90,000 msg/s | yes |");
        assertThat(row(table, BLOCKING_RATE)).endsWith("| 0.94x the bar (3 rounds: 0.94-2.22); medians 100,000 vs 90,000 msg/s | **no** |");
    }

    @Test
    void anEndToEndTargetWithoutItsPeersIsNotMeasuredRatherThanMissed() {
        // The raw socket and Vert.x ran; Spring failed in every round, so no round has a faster peer to hold to.
        Map<String, List<EndToEnd.Result>> w = rounds(Map.of(
                EndToEnd.RAW, new double[] {100, 100},
                EndToEnd.VERTX, new double[] {80, 80},
                EndToEnd.SPRING, new double[] {Double.NaN, Double.NaN},
                EndToEnd.ASYNC, new double[] {95, 95},
                EndToEnd.BLOCKING, new double[] {95, 95}));
        String table = endToEndTargets(w);

        assertThat(row(table, ASYNC_RATE)).endsWith("| not measured | - |");
        assertThat(row(table, "end to end 1p/1c 20 B, Stompbox blocking client CPU <= 0.5x the best peer's"))
                .endsWith("| not measured | - |");
    }

    @Test
    void endToEndRatiosAreMediansOfTheRatiosWithinRoundsNotRatiosOfMedians() {
        // Async 90, 60, 100 against the raw limit 100, 50, 200: 0.90, 1.20, 0.50 within rounds, median 0.90.
        // Against raw per write 200, 50, 100: 0.45, 1.20, 1.00, median 1.00, where the ratio of the medians
        // (90 / 100) would say 0.90.
        Map<String, List<EndToEnd.Result>> w = rounds(Map.of(
                EndToEnd.RAW, new double[] {100, 50, 200},
                EndToEnd.RAW_EACH, new double[] {200, 50, 100},
                EndToEnd.ASYNC, new double[] {90, 60, 100}));
        String report = BenchMain.endToEndReport(Map.of("1p/1c 20 B", w), false);

        assertThat(report).containsPattern("\\| 1p/1c 20 B \\| 0\\.90 \\| 1\\.00 \\|");
    }

    @Test
    void theCpuTableShowsTheRawSocketAgainstTheCheapestPeerAsTheFloor() {
        String report = BenchMain.endToEndReport(Map.of("1p/1c 20 B", cpuPerMessage(1.5)), false);

        assertThat(report).contains("| raw socket / best peer |")
                .contains("| 1p/1c 20 B | 4.0 | 3.0 | 2.0 | 20.0 | 5.0 | 1.5 | 2.5 | 0.80 | 0.40 | 0.30 |");
    }

    @Test
    void theClientsAreHeldToTheRawSocketThatWritesEachSendAsWellAsToTheBatchedOne() {
        // Rates: async 4, tuned 3, blocking 2, Spring 20, Vert.x 5, raw 10, raw per write 8 (thousand msg/s).
        Map<String, List<EndToEnd.Result>> workload = cpuPerMessage(1.5);
        workload.replaceAll((name, results) -> List.of(new EndToEnd.Result(switch (name) {
            case EndToEnd.ASYNC -> 4_000;
            case EndToEnd.ASYNC_TUNED -> 3_000;
            case EndToEnd.BLOCKING -> 2_000;
            case EndToEnd.SPRING -> 20_000;
            case EndToEnd.VERTX -> 5_000;
            case EndToEnd.RAW -> 10_000;
            default -> 8_000;
        }, 1, 2, 0, results.get(0).cpuMicrosPerMessage(), 0)));
        String report = BenchMain.endToEndReport(Map.of("1p/1c 20 B", workload), false);

        assertThat(report).contains("| async / raw limit | async / per write | async / faster peer |")
                .contains("| 1p/1c 20 B | 0.40 | 0.50 | 0.20 | 0.30 | 0.20 | 0.25 | 0.10 |");
    }

    @Test
    void theRawFiguresSayHowLongTheJvmCompiledDuringTheWorstRound() {
        Map<String, List<EndToEnd.Result>> workload = new LinkedHashMap<>();
        workload.put(EndToEnd.BLOCKING, List.of(new EndToEnd.Result(90_000, 10, 20, 0, 5.0, 3),
                new EndToEnd.Result(100_000, 10, 20, 0, 4.0, 250), new EndToEnd.Result(95_000, 10, 20, 0, 4.5, 0)));
        String report = BenchMain.endToEndReport(Map.of("1p/1c 20 B", workload), false);

        assertThat(report).contains("| CPU us/msg | JIT ms | lost |")
                .contains("| 1p/1c 20 B | Stompbox blocking | 95,000 | 90,000-100,000 | 10 | 20 | 4.5 | 250 | 0 |");
    }

    @Test
    void everyMeasuredWorkloadIsRunOnceBeforeTheRoundsWithAFifthOfItsMessages() {
        List<EndToEnd.Workload> measured = BenchMain.workloads(false);
        List<EndToEnd.Workload> warmUp = BenchMain.warmUp(measured);

        assertThat(measured).hasSize(8);
        assertThat(warmUp).hasSameSizeAs(measured);
        for (int i = 0; i < measured.size(); i++) {
            assertThat(warmUp.get(i).label()).isEqualTo(measured.get(i).label());
            assertThat(warmUp.get(i).messages()).isEqualTo(measured.get(i).messages() / 5);
            assertThat(warmUp.get(i).window()).isEqualTo(measured.get(i).window());
        }
    }

    @Test
    void theWarmUpRepeatsWholePassesUntilNoContenderCompilesAfterTheOthersRan() {
        List<EndToEnd.Contender> contenders = List.of(contender("first"), contender("second"));
        List<EndToEnd.Workload> workloads = BenchMain.warmUp(BenchMain.workloads(false)).subList(0, 2);
        List<String> order = new ArrayList<>();
        // "first" compiles in pass 1, and again in pass 2 because "second" ran after it (shared code);
        // "second" compiles in pass 1 only. Warming one contender at a time would stop "first" after pass 1.
        int passes = BenchMain.warmUp(contenders, workloads, (c, w) -> {
            order.add(c.name());
            long runsOfFirst = order.stream().filter("first"::equals).count();
            long runsOfSecond = order.stream().filter("second"::equals).count();
            if (c.name().equals("first")) {
                return runsOfFirst <= 2 * workloads.size() ? BenchMain.WARM_JIT_MILLIS : 0;
            }
            return runsOfSecond <= workloads.size() ? BenchMain.WARM_JIT_MILLIS : 0;
        });

        assertThat(passes).isEqualTo(3);
        assertThat(order).containsExactly("first", "first", "second", "second", "first", "first", "second", "second",
                "first", "first", "second", "second");
    }

    @Test
    void theWarmUpStopsAfterItsLastPassEvenIfTheCompilerIsStillBusy() {
        List<String> order = new ArrayList<>();
        int passes = BenchMain.warmUp(List.of(contender("busy")), BenchMain.warmUp(BenchMain.workloads(false)).subList(0, 1),
                (c, w) -> {
                    order.add(c.name());
                    return 10 * BenchMain.WARM_JIT_MILLIS;
                });

        assertThat(passes).isEqualTo(BenchMain.WARM_UP_PASSES);
        assertThat(order).hasSize(BenchMain.WARM_UP_PASSES);
    }

    /** A contender that is only ever named: the fake warm-up runs nothing. */
    static EndToEnd.Contender contender(String name) {
        return new EndToEnd.Contender() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public AutoCloseable consumer(String host, int port, String destination, EndToEnd.Recorder recorder) {
                throw new UnsupportedOperationException();
            }

            @Override
            public EndToEnd.Producer producer(String host, int port, boolean receipts) {
                throw new UnsupportedOperationException();
            }
        };
    }

    /** One workload's results, µs of client CPU per message: async 4, tuned 3, blocking 2, Spring 20, Vert.x 5, raw as given, raw per write 2.5. */
    private static Map<String, List<EndToEnd.Result>> cpuPerMessage(double raw) {
        Map<String, List<EndToEnd.Result>> workload = new LinkedHashMap<>();
        workload.put(EndToEnd.ASYNC, List.of(cpu(4.0)));
        workload.put(EndToEnd.ASYNC_TUNED, List.of(cpu(3.0)));
        workload.put(EndToEnd.BLOCKING, List.of(cpu(2.0)));
        workload.put(EndToEnd.SPRING, List.of(cpu(20.0)));
        workload.put(EndToEnd.VERTX, List.of(cpu(5.0)));
        workload.put(EndToEnd.RAW, List.of(cpu(raw)));
        workload.put(EndToEnd.RAW_EACH, List.of(cpu(2.5)));
        return workload;
    }

    /** A workload's results round by round: each contender's msg/s in thousands, one per round (NaN: the run failed). */
    private static Map<String, List<EndToEnd.Result>> rounds(Map<String, double[]> thousandsPerRound) {
        Map<String, List<EndToEnd.Result>> workload = new LinkedHashMap<>();
        thousandsPerRound.forEach((name, rates) -> {
            List<EndToEnd.Result> results = new ArrayList<>();
            for (double r : rates) {
                results.add(Double.isNaN(r) ? EndToEnd.Result.failed(1) : new EndToEnd.Result(r * 1000, 1, 2, 0, 1.0, 0));
            }
            workload.put(name, results);
        });
        return workload;
    }

    private static EndToEnd.Result cpu(double microsPerMessage) {
        return new EndToEnd.Result(100_000, 1, 2, 0, microsPerMessage, 0);
    }
}
